"""The database file on the disk: readable by its owner alone (with its ``-wal`` and ``-shm``
companions), plainly a whole SQLite file (or an encrypted one) before anything opens it, and
SQLite's own errors turned into prolotrack's, with a message a person can act on and the exit
status SPEC gives.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from prolotrack.domain.errors import DatabaseBusy, DatabaseUnusable, ProlotrackError, Refused

BUSY_TIMEOUT_SECONDS = 5.0
_SQLITE_HEADER = b"SQLite format 3\x00"
ENCRYPTED_PAGE = 512  # an encrypted file is a whole number of pages, each a multiple of this


def private_file(path: Path) -> None:
    """A file another tool made readable by others (0644) is the owner's alone once it holds
    what prolotrack wrote into it; a read-only file (0400) stays read-only."""
    with contextlib.suppress(OSError):
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, mode & 0o700)


def private_companions(path: Path) -> None:
    """SQLite gives ``-wal`` and ``-shm`` the database file's mode: a file made read-only
    (0444) would leave them readable by anyone. They are the owner's alone, like the file."""
    for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            if companion.stat().st_mode & 0o777 != 0o600:
                os.chmod(companion, 0o600)


def full(path: Path) -> bool:
    """No room on the disk holding the file for SQLite's companions (a few pages)."""
    try:
        return shutil.disk_usage(path.parent).free < 256 * 1024
    except OSError:
        return False


def has_log(path: Path) -> bool:
    log = Path(f"{path}-wal")
    return log.exists() and log.stat().st_size > 0


def check_header(path: Path) -> bool:
    """Whether ``path`` is a plain SQLite file (False: an encrypted one, whose every byte is
    random to whoever has not its key). Refused at once, what is plainly not a whole database:
    an empty file, another kind of file, a file shorter than its own header says (truncated)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except IsADirectoryError:
        raise DatabaseUnusable(f"{path} is a folder, not a database file") from None
    except OSError as exc:
        raise DatabaseUnusable(f"cannot read {path}: {exc.strerror}") from None
    if not header:
        raise DatabaseUnusable(
            f"{path} is empty, not a prolotrack database; refusing to use it"
            " (restore it from a backup, or remove it to start afresh)"
        )
    if header[: len(_SQLITE_HEADER)] != _SQLITE_HEADER:
        if path.stat().st_size % ENCRYPTED_PAGE:  # not a whole number of encrypted pages
            raise DatabaseUnusable(
                f"{path} is not an SQLite database (nor a whole encrypted one); refusing to use"
                " it (check the --db path)"
            )
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size_is_valid = header[24:28] == header[92:96]  # SQLite's own rule for the in-header size
    # While a write-ahead log exists, another connection may be checkpointing: the header can
    # run ahead of the file for a moment. The size is only compared when the file is at rest.
    at_rest = not Path(f"{path}-wal").exists()
    if size_is_valid and at_rest and pages * page_size > path.stat().st_size:
        raise DatabaseUnusable(
            f"{path} is truncated: its header counts {pages * page_size} bytes but the file has"
            f" {path.stat().st_size}; refusing to use it (restore it from a backup)"
        )
    return True


def errors(name: str) -> tuple[type[Exception], ...]:
    """SQLite's exception class ``name`` (``DatabaseError``, ``OperationalError``...) of each
    driver in use: Python's ``sqlite3``, and SQLCipher's once an encrypted file was opened
    (its classes are its own, not subclasses of sqlite3's)."""
    found = [getattr(sqlite3, name)]
    cipher = sys.modules.get("sqlcipher3.dbapi2")
    if cipher is not None:
        found.append(getattr(cipher, name))
    return tuple(found)


@contextlib.contextmanager
def translated_errors(path: Path, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> Iterator[None]:
    """Turn SQLite's exceptions into prolotrack's, each with a message a person can act on."""
    try:
        yield
    except ProlotrackError:
        raise
    except errors("IntegrityError") as exc:
        raise Refused(f"the database refused the change: {exc}") from None
    except errors("OperationalError") as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise DatabaseBusy(
                f"the database is busy: another program held {path} past the"
                f" {busy_timeout:g} s wait; nothing was written, try again"
            ) from None
        if "readonly" in text or "unable to open" in text or "disk I/O" in text:
            why = " (the disk holding it is full)" if full(path) else ""
            raise DatabaseUnusable(f"cannot write to {path}: {text}{why}") from None
        raise DatabaseUnusable(f"{path} cannot be used: {text}") from None
    except errors("DatabaseError") as exc:
        raise DatabaseUnusable(
            f"{path} cannot be used: {exc} (run 'prolotrack db check', or restore a backup)"
        ) from None


def discard(path: Path) -> None:
    """Remove a database file with its ``-wal`` and ``-shm`` companions (the demo's only)."""
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        companion.unlink(missing_ok=True)
