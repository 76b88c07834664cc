"""What every command needs: the database file, today's date, and one transaction."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from prolotrack.actions.care import Database, FileCare, ServerCare


@dataclass
class Clinic:
    """The global options, read once: ``--db`` and ``--today``."""

    db_option: str | Path | None = None
    today_option: str | None = None

    @cached_property
    def record(self) -> FileCare | ServerCare:
        """The file or the clinic's server that ``--db`` names (actions/care.py)."""
        from prolotrack.actions import care

        return care.of(self.db_option)

    @property
    def url(self) -> str | None:
        """The clinic's PostgreSQL database, when ``--db`` names one."""
        return getattr(self.record, "url", None)

    @property
    def path(self) -> Path:
        """The database file (for a server: the default file, which it does not use)."""
        from prolotrack.actions import care

        return getattr(self.record, "path", None) or care.default_path()

    def exists(self) -> bool:
        """Whether anything has been recorded yet (a command that only reads creates nothing)."""
        return self.record.exists()

    @cached_property
    def today(self) -> date:
        if not self.today_option:
            return date.today()
        from prolotrack.domain.dates import parse_today
        from prolotrack.domain.errors import InvalidInput

        try:
            return parse_today(self.today_option)
        except InvalidInput as error:
            raise InvalidInput(f"--today (or PROLOTRACK_TODAY): {error}") from None

    @contextlib.contextmanager
    def open(
        self,
        *,
        write: bool,
        commit: bool = True,
        as_it_stands: bool = False,
        registry: bool = False,
    ) -> Iterator[Desk]:
        """One command's transaction: everything it writes, or nothing (``commit=False``:
        nothing, whatever happens, for a dry run). ``as_it_stands``: a clinic's server read
        without bringing its schema up to this version. ``registry``: the command reads a
        research registry's database too (report outcomes); any other is refused there."""
        with self.record.transaction(
            write=write, commit=commit, busy_timeout=busy_timeout(), as_it_stands=as_it_stands
        ) as db:
            if getattr(db, "registry", False) and not registry:
                from prolotrack.domain.errors import Refused

                raise Refused(
                    f"{self.url and self.record.name} is a research registry: 'report outcomes'"
                    " reads it; a clinic's own commands run on the clinic's record"
                )
            yield Desk(db, self.today)


@dataclass
class Desk:
    """An open database and today's date: what a command works with."""

    db: Database
    today: date

    def setting(self, key: str) -> str | None:
        from prolotrack.actions import settings

        if getattr(self.db, "registry", False):  # a registry has no practice settings
            return None
        return settings.get(self.db, key)

    def date(self, text: str | None, default: date | None = None, *, relative: bool = True) -> date:
        """Read a DATE as typed, with the practice's ``date-order`` for numeric dates
        (without ``relative``, an absolute date only: a birth date)."""
        if text is None:
            return default or self.today
        from prolotrack.domain.dates import parse_date

        return parse_date(text, self.today, self.setting("date-order"), relative=relative)


def busy_timeout() -> float:
    """How long a write waits for a busy database: ``PROLOTRACK_BUSY_TIMEOUT`` seconds, or 5."""
    from prolotrack.actions.care import default_busy_timeout
    from prolotrack.domain.errors import InvalidInput

    text = os.environ.get("PROLOTRACK_BUSY_TIMEOUT")
    if not text:
        return default_busy_timeout()
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise InvalidInput(f"PROLOTRACK_BUSY_TIMEOUT={text!r} is not a number of seconds (0-3600)")
    return seconds


def clinic(ctx: typer.Context) -> Clinic:
    root = ctx.find_root()
    if not isinstance(root.obj, Clinic):
        root.obj = Clinic()
    return root.obj
