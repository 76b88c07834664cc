"""Opening the database file: where it is, creating it safely, one transaction per command.

Every command runs inside :func:`transaction`. A write takes the write lock up front
(``BEGIN IMMEDIATE``) and waits for a busy database; it commits all of its changes or none.
The file on the disk (its modes, its header, SQLite's own errors turned into prolotrack's) is
``storage/disk.py``'s.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from prolotrack.domain import vocab
from prolotrack.domain.errors import (
    DatabaseBusy,
    DatabaseMissing,
    DatabaseUnusable,
)
from prolotrack.storage import audit, chain, cipher, disk, health, keys, leftovers, rows, schema
from prolotrack.storage.disk import BUSY_TIMEOUT_SECONDS

DIALECT = "sqlite"


class FileDatabase(Database):
    """sqlite-utils' database, saying which engine it is: the few statements whose SQL
    differs between SQLite and PostgreSQL are chosen by ``db.dialect``."""

    dialect = DIALECT
    key: bytes | None = None  # an encrypted file's key (a copy of it is encrypted with it)

    def query(self, sql: str, params: dict | None = None) -> Iterator[dict]:
        """Rows as dicts, like sqlite-utils' own ``query`` but without the savepoint it puts
        around each statement in case one returns no rows: three statements for one. Every
        command runs inside its own transaction; storage queries with SELECT, and
        inserts a row it reads back at once with RETURNING."""
        cursor = self.conn.execute(sql, params or {})
        names = rows.keys(d[0] for d in cursor.description)
        return (dict(zip(names, row, strict=True)) for row in cursor)

    def stream(self, sql: str, params: dict | None = None) -> sqlite3.Cursor:
        """Rows of a long query, one at a time (SQLite's cursor is one already)."""
        return self.execute(sql, params or {})

    def executemany(self, sql: str, rows: list[dict]) -> None:
        """One statement for each of ``rows`` (named parameters), prepared once."""
        self.conn.executemany(sql, rows)

    def pipeline(self) -> contextlib.AbstractContextManager:
        """Nothing to send together on a file: a statement is a call, not a round trip."""
        return contextlib.nullcontext()

    def columns(self, table: str) -> list[str]:
        return [c.name for c in self[table].columns]

    def use_key(self, key: bytes) -> None:
        """The audit chain's hash, keyed, for this connection (the triggers call it)."""
        keys.register(self.conn, key)


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
    key = cipher.key_for(path)
    inode = path.stat().st_ino
    suspect = write and health.changed_since_noted(path)
    sound = False  # known sound when this connection closes: worth noting for the next write
    # A read in a folder it cannot write to (a backup on a read-only share) opens the file
    # read-only: SQLite then needs no companion files of its own there.
    read_only = not write and not os.access(path.parent, os.W_OK)
    # A read on a full disk, where SQLite cannot make the shared-memory file a WAL database
    # reads through, reads the file as it stands (it has no log waiting to be checkpointed)
    frozen = not write and disk.full(path) and not disk.has_log(path)
    conn = connect(path, busy_timeout, key=key, read_only=read_only or frozen, immutable=frozen)
    try:
        with disk.translated_errors(path, busy_timeout):
            db = FileDatabase(conn, execute_plugins=False)
            db.key = key
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
            if (write or pending) and path.stat().st_ino != inode:
                raise DatabaseBusy(
                    f"{path} was replaced while this command waited for it (by 'db encrypt' or"
                    " 'db decrypt'); nothing was written, try again"
                )
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
            except (*disk.errors("DatabaseError"), DatabaseUnusable):
                sound = False  # SQLite found damage mid-command: the next write checks again
                raise
            if write:
                audit.end(db)
            head = chain.head_now(db) if (write or pending) and commit else None
            conn.execute("COMMIT" if commit else "ROLLBACK")
            if head:
                chain.record(head)
            if pending and commit:
                reclaim(conn)
    finally:
        if conn.in_transaction:
            conn.rollback()
        conn.close()
        disk.private_companions(path)
        if write:
            disk.private_file(path)
        if sound:  # a refused command leaves the file as sound as it found it
            health.note(path)


def reclaim(conn: sqlite3.Connection) -> None:
    """Give the disk back the pages an upgrade freed, when they are a quarter of the file or
    more (migration 0014 frees most of a ten-year file's log): SQLite's VACUUM, a transaction
    of its own after the upgrade's, which a killed command leaves undone or done."""
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    if free * 4 >= pages and free > 0:
        conn.execute("VACUUM")


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
            keys.register(db.conn, key)
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
            found = chain.head_problems(db, head, full=False) if head else [_headless()]
        if found:
            raise DatabaseUnusable(
                f"{self.path}: {found[0]}; nothing was written. Run 'prolotrack db check'"
                " (docs/reliability.md says what to do)"
            )

    def head_now(self, db: Database) -> keys.Head | None:
        if self.key is None:
            return None
        return chain.head(db, keys.load_head(self.file_id, self.path))

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


def connect(
    path: Path,
    busy_timeout: float,
    *,
    key: bytes | None = None,
    read_only: bool = False,
    immutable: bool = False,
) -> sqlite3.Connection:
    """A connection to the file ``path`` (a plain one, or an encrypted one with ``key``:
    ``cipher.key_for`` says which an existing file needs)."""
    # isolation_level=None: the driver opens no transaction of its own; we say BEGIN.
    target: Path | str = path
    if read_only:
        target = f"{Path(path).resolve().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}"
    conn = cipher.connect(target, key, timeout=busy_timeout, isolation_level=None, uri=read_only)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.create_function("prolotrack_fold", 1, _fold, deterministic=True)
    return conn


def open_file(path: Path, busy_timeout: float, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to the existing file ``path``, plain or encrypted, once it is plainly a
    whole database and the key it needs is found."""
    return connect(path, busy_timeout, key=cipher.key_for(path), read_only=read_only)


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
        key = cipher.key_from_environment()  # set: the new file is encrypted with it
        conn = connect(staging, busy_timeout, key=key)
        try:
            with disk.translated_errors(path, busy_timeout):
                conn.execute("PRAGMA journal_mode = WAL")
                db = FileDatabase(conn, execute_plugins=False)
                db.key = key
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
        disk.discard(staging)
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
