"""Opening the database file: where it is, creating it safely, one transaction per command.

Every command runs inside :func:`transaction`. A write takes the write lock up front
(``BEGIN IMMEDIATE``) and waits for a busy database; it commits all of its changes or none.
SQLite's own errors are turned here into prolotrack's, with the exit status SPEC gives.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from prolotrack.domain import vocab
from prolotrack.domain.errors import (
    DatabaseBusy,
    DatabaseMissing,
    DatabaseUnusable,
    ProlotrackError,
    Refused,
)
from prolotrack.storage import audit, health, keys, leftovers, schema

BUSY_TIMEOUT_SECONDS = 5.0
DIALECT = "sqlite"


class FileDatabase(Database):
    """sqlite-utils' database, saying which engine it is: the few statements whose SQL
    differs between SQLite and PostgreSQL are chosen by ``db.dialect``."""

    dialect = DIALECT

    def query(self, sql: str, params: dict | None = None) -> Iterator[dict]:
        """Rows as dicts, like sqlite-utils' own ``query`` but without the savepoint it puts
        around each statement in case one returns no rows: three statements for one. Every
        command runs inside its own transaction, and storage queries only with SELECT."""
        from sqlite_utils.utils import dedupe_keys

        cursor = self.conn.execute(sql, params or {})
        keys = dedupe_keys(d[0] for d in cursor.description)
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    def stream(self, sql: str, params: dict | None = None) -> sqlite3.Cursor:
        """Rows of a long query, one at a time (SQLite's cursor is one already)."""
        return self.execute(sql, params or {})

    def executemany(self, sql: str, rows: list[dict]) -> None:
        """One statement for each of ``rows`` (named parameters), prepared once."""
        self.conn.executemany(sql, rows)

    def columns(self, table: str) -> list[str]:
        return [c.name for c in self[table].columns]

    def use_key(self, key: bytes) -> None:
        """The audit chain's hash, keyed, for this connection (the triggers call it)."""
        self.conn.create_function(audit.HASH_FUNCTION, 1, keys.keyed_hash(key), deterministic=True)


_SQLITE_HEADER = b"SQLite format 3\x00"


def default_path() -> Path:
    """``prolotrack.db`` in the platform's user data folder."""
    import platformdirs

    return platformdirs.user_data_path("prolotrack", appauthor=False) / "prolotrack.db"


@contextlib.contextmanager
def transaction(
    path: Path, *, write: bool, busy_timeout: float = BUSY_TIMEOUT_SECONDS, commit: bool = True
) -> Iterator[Database]:
    """Open ``path`` for one command and yield it inside one transaction.

    A read on a missing file creates nothing; a write creates the file (0600, in a 0700
    folder if it makes one) only if it succeeds. Pending migrations are applied inside the
    same transaction. With ``commit=False`` everything is rolled back at the end (a dry run).
    """
    path = Path(path)
    leftovers.sweep(path.parent, path.parent / "backups")
    if not path.exists():
        if not write:
            raise DatabaseMissing(
                f"no database at {path}: nothing has been recorded there yet"
                " (a command that records something creates it)"
            )
        with _new_database(path, busy_timeout, commit) as db:
            yield db
        return
    check_header(path)
    suspect = write and health.changed_since_noted(path)
    sound = False  # known sound when this connection closes: worth noting for the next write
    # A read in a folder it cannot write to (a backup on a read-only share) opens the file
    # read-only: SQLite then needs no companion files of its own there.
    read_only = not write and not os.access(path.parent, os.W_OK)
    # A read on a full disk, where SQLite cannot make the shared-memory file a WAL database
    # reads through, reads the file as it stands (it has no log waiting to be checkpointed)
    frozen = not write and _full(path) and not _has_log(path)
    conn = connect(path, busy_timeout, read_only=read_only or frozen, immutable=frozen)
    try:
        with translated_errors(path, busy_timeout):
            db = FileDatabase(conn, execute_plugins=False)
            if suspect:
                conn.execute("BEGIN IMMEDIATE")  # no one writes while the file is checked
                _refuse_if_changed_outside(conn, path)
                conn.execute("COMMIT")
            pending = schema.pending(db)
            chain = _Chain.attach(db, path, needed=write or bool(pending))
            if pending and schema.applied(db):
                from prolotrack.storage import file_care

                file_care.backup(path, label="before-migration")
            conn.execute("BEGIN IMMEDIATE" if write or pending else "BEGIN")
            if write or pending:  # an upgrade writes too: not over an older copy, nor headless
                chain.refuse_if_tampered(db)
            if pending:
                schema.migrate(db)
                chain = _Chain.attach(db, path, needed=True)
            if write:
                _begin_audit(db)
            sound = write
            try:
                yield db
            except (sqlite3.DatabaseError, DatabaseUnusable):
                sound = False  # SQLite found damage mid-command: the next write checks again
                raise
            if write:
                audit.end(db)
            head = chain.head_now(db) if (write or pending) and commit else None
            conn.execute("COMMIT" if commit else "ROLLBACK")
            if head:
                chain.record(head)
    finally:
        if conn.in_transaction:
            conn.rollback()
        conn.close()
        private_companions(path)
        if write:
            private_file(path)
        if sound:  # a refused command leaves the file as sound as it found it
            health.note(path)


class _Chain:
    """The audit chain's key and recorded head, for one file at one place."""

    def __init__(self, path: Path, file_id: str | None, key: bytes | None):
        self.path, self.file_id, self.key = path, file_id, key

    @classmethod
    def attach(cls, db: Database, path: Path, *, needed: bool) -> _Chain:
        """Load the file's key and register the hash function with it; a command that will
        write to a keyed chain without the key is refused before it starts."""
        file_id, key = schema.file_key(db)
        if key is not None:
            db.conn.create_function(
                audit.HASH_FUNCTION, 1, keys.keyed_hash(key), deterministic=True
            )
        elif needed and schema.KEYED_CHAIN in schema.applied(db):
            raise keys.missing_key(file_id)
        return cls(path, file_id, key)

    def refuse_if_tampered(self, db: Database) -> None:
        """A write to a file whose log, schema or secrets are not as prolotrack last left them
        here, or that has no head here at all (an older copy put in the record's place, or a
        copy taken elsewhere without 'db restore'), is refused until the file is checked."""
        if self.key is None:
            return
        try:
            head = keys.load_head(self.file_id, self.path)
        except keys.ForgedHead as error:
            found = [str(error)]
        else:
            found = audit.head_problems(db, head, full=False) if head else [_headless()]
        if found:
            raise DatabaseUnusable(
                f"{self.path}: {found[0]}; nothing was written. Run 'prolotrack db check'"
                " (docs/reliability.md says what to do)"
            )

    def head_now(self, db: Database) -> keys.Head | None:
        if self.key is None:
            return None
        return audit.head(db, keys.load_head(self.file_id, self.path))

    def record(self, head: keys.Head) -> None:
        keys.save_head(self.file_id, self.path, head)


def _refuse_if_changed_outside(conn: sqlite3.Connection, path: Path) -> None:
    """The first write after something else touched the file checks it whole, as 'db check'
    does: a damaged file is not written to, and a record changed behind prolotrack's back is
    not written over (and so laundered)."""
    from prolotrack.storage import file_check  # only when the file was touched

    found = file_check.examine(conn, path, migrating=True)
    if found and found[0].startswith(("integrity:", "foreign key:")):
        raise DatabaseUnusable(
            f"{path} is damaged ({found[0]}); nothing was written."
            " Run 'prolotrack db check' for the details, and restore a backup"
        )
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise DatabaseUnusable(
            f"{path}: {found[0]}{more}; nothing was written. Run 'prolotrack db check', then"
            " restore a backup or take the file as it is with 'prolotrack db check --accept"
            " REASON' (docs/reliability.md)"
        )


def _headless() -> str:
    return (
        "no head is recorded for this file here, so an older copy put in its place could not"
        " be told from the record (a file moved from elsewhere is brought in with 'db restore'"
        " from a backup; 'db check --accept REASON' takes it as it is)"
    )


def _begin_audit(db: Database) -> None:
    practitioner = db.execute("SELECT value FROM settings WHERE key = 'practitioner'").fetchone()
    audit.begin(db, practitioner[0] if practitioner else None)


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


def _full(path: Path) -> bool:
    """No room on the disk holding the file for SQLite's companions (a few pages)."""
    try:
        return shutil.disk_usage(path.parent).free < 256 * 1024
    except OSError:
        return False


def _has_log(path: Path) -> bool:
    log = Path(f"{path}-wal")
    return log.exists() and log.stat().st_size > 0


def connect(
    path: Path, busy_timeout: float, *, read_only: bool = False, immutable: bool = False
) -> sqlite3.Connection:
    # isolation_level=None: the driver opens no transaction of its own; we say BEGIN.
    target = path
    if read_only:
        target = f"{Path(path).resolve().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}"
    conn = sqlite3.connect(target, timeout=busy_timeout, isolation_level=None, uri=read_only)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.create_function("prolotrack_fold", 1, _fold, deterministic=True)
    return conn


def _fold(text: str | None) -> str | None:
    return None if text is None else vocab.fold(text)


@contextlib.contextmanager
def _new_database(path: Path, busy_timeout: float, commit: bool) -> Iterator[Database]:
    """The first command on a new file runs in a staging file beside ``path``, which is
    linked into place only once that command has committed: a refused command or a crash
    leaves nothing behind, and a file made meanwhile by another process is never replaced."""
    folder = path.parent
    missing = [f for f in (folder, *folder.parents) if not f.exists()]  # nearest first
    staging = leftovers.temporary_name(path, "new")
    old_umask = os.umask(0o077)
    file_id, linked = None, False
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        conn = connect(staging, busy_timeout)
        try:
            with translated_errors(path, busy_timeout):
                conn.execute("PRAGMA journal_mode = WAL")
                db = FileDatabase(conn, execute_plugins=False)
                conn.execute("BEGIN IMMEDIATE")
                schema.migrate(db)  # makes the file's identity and its audit key
                file_id = schema.file_identity(db)
                chain = _Chain.attach(db, path, needed=True)
                _begin_audit(db)
                yield db
                audit.end(db)
                head = chain.head_now(db)
                conn.execute("COMMIT" if commit else "ROLLBACK")
        finally:
            if conn.in_transaction:
                conn.rollback()
            conn.close()  # the last connection checkpoints the WAL into the file
        if commit:
            os.chmod(staging, 0o600)
            _link_into_place(staging, path)
            linked = True
            chain.record(head)
            health.note(path)
    except OSError as exc:
        raise DatabaseUnusable(f"cannot create the database {path}: {exc.strerror}") from None
    finally:
        os.umask(old_umask)
        discard(staging)
        if file_id and not linked:  # the key of a file that never came to be
            keys.forget(file_id, path)
        if not path.exists():  # take away the folders this command made, and only those
            with contextlib.suppress(OSError):
                for made in missing:
                    made.rmdir()


def _link_into_place(staging: Path, path: Path) -> None:
    try:
        os.link(staging, path)
    except FileExistsError:
        raise DatabaseBusy(
            f"another program created {path} at the same moment; nothing was written, try again"
        ) from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise DatabaseBusy(
                f"{path} appeared meanwhile; nothing was written, try again"
            ) from None
        os.replace(staging, path)


def check_header(path: Path) -> None:
    """Refuse at once what is plainly not a whole SQLite database: an empty file, another
    kind of file, a file shorter than its own header says (truncated)."""
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
        raise DatabaseUnusable(
            f"{path} is not an SQLite database; refusing to use it (check the --db path)"
        )
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


@contextlib.contextmanager
def translated_errors(path: Path, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> Iterator[None]:
    """Turn SQLite's exceptions into prolotrack's, each with a message a person can act on."""
    try:
        yield
    except ProlotrackError:
        raise
    except sqlite3.IntegrityError as exc:
        raise Refused(f"the database refused the change: {exc}") from None
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise DatabaseBusy(
                f"the database is busy: another program held {path} past the"
                f" {busy_timeout:g} s wait; nothing was written, try again"
            ) from None
        if "readonly" in text or "unable to open" in text or "disk I/O" in text:
            why = " (the disk holding it is full)" if _full(path) else ""
            raise DatabaseUnusable(f"cannot write to {path}: {text}{why}") from None
        raise DatabaseUnusable(f"{path} cannot be used: {text}") from None
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnusable(
            f"{path} cannot be used: {exc} (run 'prolotrack db check', or restore a backup)"
        ) from None


def discard(path: Path) -> None:
    """Remove a database file with its ``-wal`` and ``-shm`` companions (the demo's only)."""
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        companion.unlink(missing_ok=True)
