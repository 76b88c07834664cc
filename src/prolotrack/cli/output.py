"""Sending a view to standard output in the chosen format, and messages to standard error."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
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
    typer.echo(message, err=True)


def warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


@contextlib.contextmanager
def output_file(path: Path | None, *, force: bool = False, bom: bool = False) -> Iterator[IO[str]]:
    """Standard output, or ``path`` written whole or not at all.

    The data go to a temporary file beside ``path``, created readable by the owner alone,
    and are renamed into place only once complete; an existing file is replaced only with
    ``force``, never silently.
    """
    if path is None:
        if bom:
            sys.stdout.write("\ufeff")
        yield sys.stdout
        return
    from prolotrack.domain.errors import Refused

    if path.exists() and not force:
        raise Refused(f"{path} already exists; give --force to replace it")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise Refused(f"cannot write {path}: {error.strerror}") from None
    try:
        os.fchmod(fd, 0o600)
        with open(fd, "w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
            if bom:
                handle.write("\ufeff")
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(temporary, path)
        else:
            _link_into_place(temporary, path)
    except FileExistsError:
        raise Refused(f"{path} appeared while exporting; give --force to replace it") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _link_into_place(temporary: str, path: Path) -> None:
    try:
        os.link(temporary, path)  # fails rather than replace a file made meanwhile
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(temporary, path)
