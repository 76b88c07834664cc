"""Looking after the file: its status, a full check, backups and restores.

A backup is SQLite's backup API in one step into a temporary file beside its destination,
then fsync, a full integrity check, and a rename into place: a backup that exists is whole.
A restore copies the backup *into* the live database with the same API, under SQLite's own
locks, so that no other prolotrack ever goes on writing to a file that was renamed away.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from prolotrack.domain.errors import DatabaseUnusable, InvalidInput, Refused
from prolotrack.storage import audit, health, schema
from prolotrack.storage.connection import BUSY_TIMEOUT_SECONDS, check_header, connect

KEEP_BACKUPS = 10
COUNTED = ("patients", "courses", "sessions", "injections", "scores", "adverse_events",
           "audit_log")  # fmt: skip


def backup_folder(path: Path) -> Path:
    return path.parent / "backups"


def backups(path: Path) -> list[Path]:
    """This database's backups in its backup folder, oldest first (names sort by time)."""
    folder = backup_folder(path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{path.stem}-*.db"))


@dataclass
class Status:
    path: Path
    size: int
    schema_version: int
    journal_mode: str
    counts: dict[str, int]
    last_backup: Path | None


def status(path: Path) -> Status:
    check_header(path)
    conn = connect(path, BUSY_TIMEOUT_SECONDS)
    try:
        with _diagnosed(path):
            counts = {}
            for table in COUNTED:
                try:
                    counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                except sqlite3.OperationalError:  # an older schema without that table
                    counts[table] = 0
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    found = backups(path)
    return Status(path, size, version, mode, counts, found[-1] if found else None)


@contextlib.contextmanager
def _diagnosed(path: Path):
    try:
        yield
    except sqlite3.DatabaseError as error:
        raise DatabaseUnusable(f"{path} cannot be read: {error}") from None


def problems(path: Path) -> list[str]:
    """Everything wrong with the file: SQLite's full integrity check (quick_check misses
    index damage), the foreign keys, the schema's version and the audit log's hash chain."""
    try:
        check_header(path)
    except DatabaseUnusable as error:
        return [str(error)]
    conn = connect(path, BUSY_TIMEOUT_SECONDS)
    found: list[str] = []
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            found += [f"integrity: {line}" for line in integrity]
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            found.append(f"foreign key: {table} row {rowid} points to a missing {parent} row")
        from sqlite_utils import Database

        db = Database(conn, execute_plugins=False)
        try:
            pending = schema.pending(db)
        except DatabaseUnusable as error:
            found.append(str(error))
            pending = []
        if pending:
            found.append(f"schema: not yet migrated ({', '.join(pending)} pending)")
        if "audit_log" in db.table_names():
            found += audit.broken_links(db)
            found += _missing_triggers(db)
    except sqlite3.DatabaseError as error:
        found.append(f"integrity: the file is damaged, SQLite cannot read it ({error})")
    finally:
        conn.close()
    return found


def _missing_triggers(db) -> list[str]:
    names = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    wanted = {"audit_log_no_update", "audit_log_no_delete"}
    return [f"audit: the trigger {name} is missing" for name in sorted(wanted - names)]


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def backup(path: Path, dest: Path | None = None, *, label: str = "") -> Path:
    """Copy the database to ``dest`` (default: a timestamped file in ``backups/`` beside it,
    keeping the last ten there), whole and checked, readable by the owner alone."""
    check_header(path)
    automatic = dest is None
    if automatic:
        suffix = f"-{label}" if label else ""
        dest = backup_folder(path) / f"{path.stem}-{_stamp()}{suffix}.db"
    elif dest.is_dir():
        dest = dest / f"{path.stem}-{_stamp()}.db"
    if dest.exists():
        raise Refused(f"{dest} already exists; a backup never replaces a file")
    old_umask = os.umask(0o077)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = dest.with_name(f".{dest.name}.part")
        _copy(path, temporary)
        try:
            trouble = problems(temporary)
            if any(not p.startswith("schema:") for p in trouble):
                raise DatabaseUnusable(f"the backup of {path} failed its check: {trouble[0]}")
            os.link(temporary, dest)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as error:
        raise DatabaseUnusable(f"cannot write the backup {dest}: {error.strerror}") from None
    finally:
        os.umask(old_umask)
    if automatic:
        for old in backups(path)[:-KEEP_BACKUPS]:
            old.unlink(missing_ok=True)
    return dest


def _copy(source: Path, target: Path) -> None:
    src = connect(source, BUSY_TIMEOUT_SECONDS)
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        with _diagnosed(source):
            src.backup(dst)  # one step: a consistent copy, whatever else is writing
        dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
    finally:
        dst.close()
        src.close()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    os.chmod(target, 0o600)


def restore(path: Path, source: Path) -> Path | None:
    """Replace the database's content with ``source`` after checking it, backing up the
    current file first. Returns the backup made of the current file (None if it had none)."""
    if not source.is_file():
        raise InvalidInput(f"{source} is not a file")
    trouble = problems(source)
    if any(not p.startswith("schema:") for p in trouble):
        raise Refused(f"{source} is not a sound prolotrack database: {trouble[0]}")
    saved = None
    if path.exists():
        try:
            saved = backup(path, label="before-restore")
        except DatabaseUnusable:  # the current file is damaged: keep it aside as it is
            saved = path.with_name(f"{path.name}.damaged-{_stamp()}")
            os.replace(path, saved)
            for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                companion.unlink(missing_ok=True)
    if not path.exists():
        old_umask = os.umask(0o077)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _copy(source, path)
        finally:
            os.umask(old_umask)
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        health.note(path)
        return saved
    src = connect(source, BUSY_TIMEOUT_SECONDS)
    live = connect(path, BUSY_TIMEOUT_SECONDS)
    try:
        with _diagnosed(path):
            src.backup(live)  # under the live file's own locks: no writer is cut off
            live.execute("PRAGMA journal_mode = WAL")
    finally:
        live.close()
        src.close()
    health.note(path)
    return saved
