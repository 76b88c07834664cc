"""Looking after the file: its status, a full check, backups and restores.

A backup is SQLite's backup API in one step into a temporary file beside its destination,
then fsync, its head sealed inside it, and a link into place: a backup that exists is whole.
A restore copies the backup *into* the live database with the same API, under SQLite's own
locks, so that no other prolotrack ever goes on writing to a file that was renamed away.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from prolotrack.domain.errors import DatabaseUnusable, InvalidInput, Refused
from prolotrack.storage import audit, chain, cipher, health, keys, leftovers, schema
from prolotrack.storage.connection import BUSY_TIMEOUT_SECONDS, FileDatabase, connect, open_file
from prolotrack.storage.disk import errors
from prolotrack.storage.file_check import NO_KEY, problems

KEEP_BACKUPS = 10
COUNTED = ("patients", "courses", "sessions", "injections", "scores", "adverse_events", "audit_log")


def backup_folder(path: Path) -> Path:
    return path.parent / "backups"


def backups(path: Path) -> list[Path]:
    """This database's backups in its backup folder, oldest first (names sort by time)."""
    folder = backup_folder(path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{path.stem}-*.db"))


def _rotated(path: Path) -> list[Path]:
    """The plain backups, the only ones rotation may remove: a copy made before a restore
    or a migration (``NAME-STAMP-before-restore.db``) is the way back from it, kept for good."""
    plain = re.compile(rf"^{re.escape(path.stem)}-\d{{8}}T\d{{12}}Z\.db$")
    return [p for p in backups(path) if plain.match(p.name)]


@dataclass
class Status:
    path: Path
    size: int
    schema_version: int
    journal_mode: str
    counts: dict[str, int]
    last_backup: Path | None
    audit_key: Path | None  # where the audit chain's key is kept (None before the key)
    encrypted: bool | None = None  # a file's SQLCipher encryption (None: a server's own)


def status(path: Path) -> Status:
    conn = open_file(path, BUSY_TIMEOUT_SECONDS)
    encrypted = cipher.is_encrypted(conn)
    try:
        with _diagnosed(path):
            counts = {}
            for table in COUNTED:
                try:
                    counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                except errors("OperationalError"):  # an older schema without that table
                    counts[table] = 0
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            file_id = schema.file_identity(FileDatabase(conn, execute_plugins=False))
    finally:
        conn.close()
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    found = backups(path)
    key = keys.key_path(file_id) if file_id else None
    last = found[-1] if found else None
    return Status(path, size, version, mode, counts, last, key, encrypted)


@contextlib.contextmanager
def _diagnosed(path: Path):
    try:
        yield
    except errors("DatabaseError") as error:
        raise DatabaseUnusable(f"{path} cannot be read: {error}") from None


def _blame(source: Path, target: Path, error: sqlite3.Error) -> None:
    """SQLite says "disk I/O error" whichever side failed: a full disk under the copy must not
    be reported as a damaged record. The side that cannot take a few bytes more is named."""
    probe = target.with_name(f"{target.name}-room")
    try:
        with open(probe, "wb") as handle:
            handle.write(b"\0" * min(source.stat().st_size, 1 << 20))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as full:
        raise Refused(
            f"cannot write {target.parent}: {full.strerror}; nothing was written"
            " (free some room, or give another place)"
        ) from None
    finally:
        probe.unlink(missing_ok=True)
    raise DatabaseUnusable(f"{source} cannot be read: {error}") from None


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def backup(path: Path, dest: Path | None = None, *, label: str = "", checked: bool = False) -> Path:
    """Copy the database to ``dest`` (default: a timestamped file in ``backups/`` beside it,
    keeping the last ten there), whole, on disk and readable by the owner alone.

    SQLite's backup API writes a page-for-page copy of one consistent moment; it copies
    pages as they are, without reading what is in them, so a damaged page would be copied
    too. ``checked`` (the user's backups): the file is checked whole first, as 'db check'
    does, and a file that fails is not backed up, so that the copies kept (and rotated) are
    all of a record that passed its check (a key missing from this machine is named by
    'db check' but stops no backup). Otherwise (the copy made before a restore or an
    upgrade) SQLite's own quick check reads every page first: a damaged file is not copied
    (restore then keeps it aside as it is). A backup is checked in full again when it is
    restored (docs/reliability.md). A backup of an encrypted file is encrypted with its key."""
    cipher.key_for(path)  # a file plainly not a database, or one no key opens, is refused here
    found = [p for p in problems(path) if not p.startswith(NO_KEY)] if checked else []
    if not checked:
        _intact(path)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise DatabaseUnusable(
            f"{path} fails its check ({found[0]}{more}); no backup was made and the copies"
            " already made are kept. Run 'prolotrack db check'"
        )
    automatic = dest is None
    if automatic:
        suffix = f"-{label}" if label else ""
        dest = backup_folder(path) / f"{path.stem}-{stamp()}{suffix}.db"
    elif dest.is_dir():
        dest = dest / f"{path.stem}-{stamp()}.db"
    if dest.exists():
        raise Refused(f"{dest} already exists; a backup never replaces a file")
    old_umask = os.umask(0o077)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        leftovers.sweep(dest.parent)
        temporary = leftovers.temporary_name(dest, "part")
        try:
            _copy(path, temporary)  # a damaged file fails here: no part of it is left
            seal_head(temporary)
            os.link(temporary, dest)
        finally:
            for companion in ("", "-journal"):  # a failed copy leaves its journal too
                Path(f"{temporary}{companion}").unlink(missing_ok=True)
    except OSError as error:
        raise DatabaseUnusable(f"cannot write the backup {dest}: {error.strerror}") from None
    finally:
        os.umask(old_umask)
    if automatic:
        rotate(path)
    return dest


def _intact(path: Path) -> None:
    """Refuse a damaged file: every page read by SQLite's quick check."""
    conn = open_file(path, BUSY_TIMEOUT_SECONDS, read_only=True)
    try:
        with _diagnosed(path):
            verdict = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    finally:
        conn.close()
    if verdict != "ok":
        raise DatabaseUnusable(f"{path} is damaged ({verdict}); it is not copied")


def rotate(path: Path) -> None:
    """Keep the last ten plain backups of ``path`` in its backup folder."""
    for old in _rotated(path)[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)


def _contents(path: Path) -> tuple[bool, int, bool]:
    """Whether the file holds prolotrack's schema, how many patients, whether it is a demo."""
    conn = open_file(path, BUSY_TIMEOUT_SECONDS, read_only=True)
    try:
        with _diagnosed(path):
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if not {"_sqlite_migrations", "patients", "settings"} <= tables:
                return False, 0, False
            patients = conn.execute("SELECT count(*) FROM patients").fetchone()[0]
            demo = conn.execute("SELECT 1 FROM settings WHERE key = 'demo'").fetchone()
            return True, patients, demo is not None
    finally:
        conn.close()


def _refuse_incomplete(path: Path, source: Path, *, force: bool) -> None:
    held = 0
    if path.exists():
        try:
            held = _contents(path)[1]
        except cipher.KeyRefused:
            raise
        except DatabaseUnusable:  # a damaged file: the restore is its cure
            pass
    refuse_incomplete(str(path), held, source, force=force)


def refuse_incomplete(place: str, held: int, source: Path, *, force: bool) -> None:
    """Refuse a source that is not a prolotrack database, a demo file without ``force``, or
    one with no patients where the database (at ``place``) holds ``held``."""
    ours, patients, demo = _contents(source)
    if not ours:
        raise Refused(
            f"{source} is not a prolotrack database (it has no prolotrack schema); nothing restored"
        )
    if demo and not force:
        raise Refused(f"{source} is a demo file (a sample clinic); give --force to restore it")
    if patients == 0 and held:
        raise Refused(
            f"{source} holds no patients where {place} holds {held}; refusing to replace a"
            " record with an empty one"
        )


def seal_head(copy: Path) -> None:
    """Put the copy's own head, sealed with the key, inside it: a restore on another machine
    (with the key) finds the log whole up to there."""
    conn = open_file(copy, BUSY_TIMEOUT_SECONDS)
    try:
        db = FileDatabase(conn, execute_plugins=False)
        _, key = schema.file_key(db)
        if key is None or schema.KEYED_CHAIN not in schema.applied(db):
            return
        sealed = chain.head(db, None).sealed(key)
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO secrets (name, value, created_at) VALUES (?, ?, ?)",
                [audit.HEAD_SECRET, sealed, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")],
            )
    finally:
        conn.close()


def _copy_into_place(source: Path, path: Path) -> None:
    """A restore where there is no file: copied beside it, then linked into place whole."""
    old_umask = os.umask(0o077)
    staging = leftovers.temporary_name(path, "new")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _copy(source, staging)
        conn = open_file(staging, BUSY_TIMEOUT_SECONDS)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        os.link(staging, path)
    except FileExistsError:
        raise Refused(f"{path} appeared while restoring; nothing was restored") from None
    finally:
        os.umask(old_umask)
        for companion in ("", "-wal", "-shm", "-journal"):
            Path(f"{staging}{companion}").unlink(missing_ok=True)


def _expect_either(path: Path, source: Path) -> None:
    """Before the copy: the head to come is the source's, and until the copy is done the
    file's own head stands too (a kill in between leaves one or the other, both sound)."""
    conn = open_file(source, BUSY_TIMEOUT_SECONDS)
    try:
        db = FileDatabase(conn, execute_plugins=False)
        file_id, key = schema.file_key(db)
        if key is None:
            return
        coming = chain.head(db, None)
    finally:
        conn.close()
    try:
        standing = keys.load_head(file_id, path)
    except keys.ForgedHead:
        standing = None  # the restore is the remedy: only the backup's head will stand
    keys.save_head(file_id, path, replace(coming, alternate=standing))


def _record_head(path: Path) -> None:
    """After a restore: the restored log's end is the head from now on."""
    conn = open_file(path, BUSY_TIMEOUT_SECONDS)
    try:
        db = FileDatabase(conn, execute_plugins=False)
        file_id, key = schema.file_key(db)
        if key is not None:
            keys.save_head(file_id, path, chain.head(db, None))
    finally:
        conn.close()


def _copy(source: Path, target: Path) -> None:
    """A copy of ``source`` (encrypted with its key, if it is encrypted) at ``target``."""
    key = cipher.key_for(source)
    src = connect(source, BUSY_TIMEOUT_SECONDS, key=key)
    dst = connect(target, BUSY_TIMEOUT_SECONDS, key=key)
    try:
        try:
            src.backup(dst)  # one step: a consistent copy, whatever else is writing
            dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
        except errors("DatabaseError") as error:
            _blame(source, target, error)
    finally:
        dst.close()
        src.close()
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    os.chmod(target, 0o600)


def restore(path: Path, source: Path, *, force: bool = False) -> Path | None:
    """Replace the database's content with ``source`` after checking it, backing up the
    current file first. Returns the backup made of the current file (None if it had none).

    Refused: the file itself, a source that is not a whole prolotrack database (no schema,
    damaged, a broken audit chain), a source with no patients where the current file has
    some, and a demo file unless ``force``."""
    if not source.is_file():
        raise InvalidInput(f"{source} is not a file")
    if path.exists() and os.path.samefile(source, path):
        raise Refused(f"{source} is the database itself; give a backup to restore from")
    trouble = problems(source, backup=True)
    if any(not p.startswith("schema:") for p in trouble):
        raise Refused(f"{source} is not a sound prolotrack database: {trouble[0]}")
    _refuse_incomplete(path, source, force=force)
    saved = None
    if path.exists():
        try:
            saved = backup(path, label="before-restore")
        except cipher.KeyRefused:  # no key here opens it: not damage, and not set aside
            raise
        except DatabaseUnusable:  # the current file is damaged: keep it aside as it is
            saved = path.with_name(f"{path.name}.damaged-{stamp()}")
            os.replace(path, saved)
            for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
                companion.unlink(missing_ok=True)
    if not path.exists():
        _copy_into_place(source, path)
        _record_head(path)
        health.note(path)
        return saved
    if cipher.key_for(source) != cipher.key_for(path):  # the record stays as it is kept
        from prolotrack.storage import encryption

        with encryption.converted(source, cipher.key_for(path), path) as same:
            _restore_into(path, same)
    else:
        _restore_into(path, source)
    _record_head(path)
    health.note(path)
    return saved


def _restore_into(path: Path, source: Path) -> None:
    """The backup copied into the live file, under its own locks."""
    _expect_either(path, source)
    src = open_file(source, BUSY_TIMEOUT_SECONDS)
    live = open_file(path, BUSY_TIMEOUT_SECONDS)
    try:
        with _diagnosed(path):
            src.backup(live)  # under the live file's own locks: no writer is cut off
            live.execute("PRAGMA journal_mode = WAL")
    finally:
        live.close()
        src.close()
