"""Sending a view to standard output in the chosen format, and messages to standard error."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import typer

from prolotrack.cli.options import Format


def show(fmt: Format, view) -> None:
    """Print a Listing or a Record as a table, CSV or JSON on standard output."""
    from prolotrack.render import delimited, jsondoc, table
    from prolotrack.render.view import Listing

    kind = "listing" if isinstance(view, Listing) else "record"
    if fmt is Format.table:
        getattr(table, kind)(table.console(), view)
    else:
        getattr(delimited if fmt is Format.csv else jsondoc, kind)(sys.stdout, view)


def say(message: str) -> None:
    """A message for the person at the terminal: standard error, so data stay clean."""
    typer.echo(fit(message), err=True)


def warn(message: str) -> None:
    typer.echo(fit(f"warning: {message}"), err=True)


def fit(message: str) -> str:
    """A message wrapped at spaces to the terminal's width when standard error is a terminal
    (its later lines indented); on a pipe or in a log, one line as it is."""
    if not sys.stderr.isatty():
        return message
    import shutil
    import textwrap

    width = shutil.get_terminal_size((80, 24)).columns
    return "\n".join(
        textwrap.fill(
            line, width, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
        )
        for line in message.splitlines() or [""]
    )


@contextlib.contextmanager
def output_file(
    path: Path | None,
    *,
    force: bool = False,
    bom: bool = False,
    binary: bool = False,
    database: Path | str | None = None,
) -> Iterator[IO]:
    """Standard output, or ``path`` written whole or not at all.

    The data go to a temporary file beside ``path``, created readable by the owner alone,
    and are renamed into place only once complete; an existing file is replaced only with
    ``force``, never silently. Nothing of the record is ever written over, ``--force`` or
    not: the ``database`` in use and its companions, a backup, a key or a head, or any file
    that is a SQLite database.
    """
    if path is None:
        if bom:
            sys.stdout.write("\ufeff")
        yield sys.stdout
        return
    from prolotrack.actions.care import temporary_beside
    from prolotrack.domain.errors import Refused

    _refuse_the_record(path, database)
    _refuse_unless_regular(path, force)
    temporary = temporary_beside(path, "part")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise Refused(f"cannot write {path}: {error.strerror}") from None
    try:
        opened = (
            open(fd, "wb", buffering=1 << 20)  # noqa: SIM115 (closed by the with below)
            if binary
            else open(fd, "w", encoding="utf-8", newline="", buffering=1 << 20)  # noqa: SIM115
        )
        with opened as handle:
            if bom and not binary:
                handle.write("\ufeff")
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            _refuse_unless_regular(path, force)  # nothing else took its place meanwhile
            os.replace(temporary, path)
        else:
            _link_into_place(temporary, path)
    except FileExistsError:
        raise Refused(f"{path} appeared while exporting; give --force to replace it") from None
    except OSError as error:  # a full disk, a folder taken away: nothing is left half-written
        raise Refused(f"cannot write {path}: {error.strerror}; nothing was written") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _refuse_the_record(path: Path, database: Path | str | None) -> None:
    from prolotrack.actions.care import is_encrypted_database, places_of_the_record
    from prolotrack.domain.errors import Refused

    target = path.resolve()
    live, backups, keys = places_of_the_record(database)
    why = None
    if target in live:
        why = "the database in use (or a companion of it)"
    elif backups is not None and target.is_relative_to(backups):
        why = "in the database's backup folder"
    elif target.is_relative_to(keys):
        why = "in the folder of the audit keys and heads"
    if why is None and _is_regular(path):  # never opened otherwise: a FIFO would block
        with contextlib.suppress(OSError), open(path, "rb") as existing:
            if existing.read(16) == b"SQLite format 3\x00":
                why = "a SQLite database"
        if why is None and is_encrypted_database(path):
            why = "an encrypted database"
    if why:
        raise Refused(f"{path} is {why}; -o never writes over the record, --force or not")


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _refuse_unless_regular(path: Path, force: bool) -> None:
    """``-o`` writes a new file or, with ``--force``, replaces a regular one: never a device,
    a folder, a FIFO or a link (whose target could be anything)."""
    from prolotrack.domain.errors import Refused

    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise Refused(f"cannot write {path}: {error.strerror}") from None
    kind = _KINDS.get(stat.S_IFMT(found.st_mode))
    if kind:
        raise Refused(
            f"{path} is {kind}; -o writes only to a regular file or a new one, and --force"
            " never replaces anything else"
        )
    if not force:
        raise Refused(f"{path} already exists; give --force to replace it")


_KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFDIR: "a folder",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
}


def _link_into_place(temporary: str, path: Path) -> None:
    try:
        os.link(temporary, path)  # fails rather than replace a file made meanwhile
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(temporary, path)
