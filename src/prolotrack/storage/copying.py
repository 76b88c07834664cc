"""Copying a whole clinic, audit log included, between a SQLite file and a PostgreSQL database.

The rows are copied as they stand, ids, secrets and audit log included, into a target with
prolotrack's tables but no rows and no triggers yet; the triggers come last, so that copying
logs nothing. The copy keeps the file's identity, so it shares the key of the audit chain (the
log's rows were hashed with it) and its pseudonyms and FHIR identifiers are the source's.
Then the copy is checked: the same number of rows in every table, and the chain holding from
the first row to the last with the key.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from prolotrack.domain.errors import DatabaseUnusable, Refused
from prolotrack.storage import audit_sql, chain, keys, leftovers, schema

if TYPE_CHECKING:
    from prolotrack.storage import Database

# In the order their references allow; the audit log last.
TABLES = (
    "instruments",
    "patients",
    "courses",
    "sessions",
    "injections",
    "answer_sets",
    "answers",
    "scores",
    "adverse_events",
    "signatures",
    "form_links",
    "form_responses",
    "settings",
    "secrets",
    "protocols",
    "protocol_sites",
    "site_names",
    "patient_flags",
    "rehabilitation",
    "form_texts",
    "audit_log",
)
_BATCH = 2000


def _order(table: str) -> str:
    """Rows in the order they were made: SQLite's rowid, PostgreSQL's identity of the same."""
    return {"settings": "key", "secrets": "name", "protocols": "name", "site_names": "name"}.get(
        table, "rowid" if table == "instruments" else "id"
    )


def rows_of(
    db: Database, table: str, columns: list[str], *, read_back: bool = False
) -> Iterator[dict]:
    """The table's rows, streamed: memory stays flat however long the audit log is.
    ``read_back``: each audit row's values after its change as they read back here, kept in
    the copy (the other engine writes a record's JSON its own way: it could not read them back
    as this one hashed them)."""
    listed = ", ".join(
        f"{audit_sql.after_sql(db, table)} AS after" if read_back and c == "after" else c
        for c in columns
    )
    for row in db.stream(f"SELECT {listed} FROM {table} ORDER BY {_order(table)}"):
        yield dict(zip(columns, row, strict=True))


def copy_rows(
    source: Database, target: Database, progress: Callable[[Iterable], Iterable] = iter
) -> dict[str, int]:
    """Every row of every table, from ``source`` into the empty tables of ``target`` (each
    table's rows read through ``progress``)."""
    copied = {}
    for table in held(source):
        columns = [c for c in source.columns(table) if c != "rowid"]
        wanted = set(target.columns(table))
        columns = [c for c in columns if c in wanted]
        insert = (
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" VALUES ({', '.join(f':{c}' for c in columns)})"
        )
        batch, copied[table] = [], 0
        read_back = table == "audit_log" and source.dialect != target.dialect
        for row in progress(rows_of(source, table, columns, read_back=read_back)):
            batch.append(row)
            if len(batch) == _BATCH:
                target.executemany(insert, batch)
                copied[table] += len(batch)
                batch = []
        if batch:
            target.executemany(insert, batch)
            copied[table] += len(batch)
    return copied


def held(db: Database) -> list[str]:
    """The tables of ``TABLES`` this database has (a server of an earlier version, read as
    it stands, has fewer)."""
    present = set(db.table_names())
    return [t for t in TABLES if t in present]


def counts(db: Database) -> dict[str, int]:
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in held(db)}


def check(source_counts: dict[str, int], target: Database, where: str) -> keys.Head | None:
    """The copy's rows counted against the source's, and its chain checked whole; returns
    the copy's head (None without a key)."""
    found = counts(target)
    for table, expected in source_counts.items():
        if found[table] != expected:
            raise DatabaseUnusable(
                f"the copy in {where} has {found[table]} rows in {table} where the source has"
                f" {expected}; it is not a whole copy"
            )
    _, key = schema.file_key(target)
    broken = chain.broken_links(target, key)
    if broken:
        raise DatabaseUnusable(f"the copy in {where} failed its check: {broken[0]}")
    return chain.head(target, None) if key else None


def new_file_key(source: Database) -> bytes | None:
    """The key of a file copied from ``source``: an encrypted file's copy is encrypted with its
    key; any other, with ``PROLOTRACK_KEY`` where it is set."""
    from prolotrack.storage import cipher

    return getattr(source, "key", None) or cipher.key_from_environment()


@contextlib.contextmanager
def new_file(
    path: Path,
    finish: Callable[[Database], None],
    upto: int | None = None,
    *,
    key: bytes | None = None,
) -> Iterator[Database]:
    """A new SQLite file at ``path`` with prolotrack's schema (as of ``upto`` migrations: the
    source's, when it is of an earlier version) and no rows or triggers, for a copy to fill;
    then its triggers are put back and ``finish`` checks it, all before it is linked into
    place, so a failed copy leaves nothing. ``key``: the file is encrypted with it."""

    from prolotrack.storage import connection

    if path.exists():
        raise Refused(f"{path} already exists; a copy goes into a new file only")
    old_umask = os.umask(0o077)
    staging = leftovers.temporary_name(path, "new")
    made = [f for f in (path.parent, *path.parent.parents) if not f.exists()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        conn = connection.connect(staging, connection.BUSY_TIMEOUT_SECONDS, key=key)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            db = connection.FileDatabase(conn, execute_plugins=False)
            file_id = None
            try:
                # The migrations make the schema (and seed a few rows, with a key of their
                # own for a new identity): the triggers are set aside, the rows removed.
                schema.migrate(db, upto)
                file_id = schema.file_identity(db)
            finally:
                if file_id:
                    keys.forget(file_id, staging)
                    keys.key_path(file_id).unlink(missing_ok=True)
            triggers = [
                r[0]
                for r in conn.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
                )
            ]
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
                conn.execute(f"DROP TRIGGER {name}")
            for table in reversed(held(db)):
                conn.execute(f"DELETE FROM {table}")
            yield db
            for statement in triggers:
                conn.execute(statement)
            finish(db)
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.rollback()
            conn.close()
        os.chmod(staging, 0o600)
        try:
            os.link(staging, path)
        except FileExistsError:
            raise Refused(f"{path} appeared meanwhile; nothing was copied") from None
    except OSError as error:
        raise DatabaseUnusable(f"cannot write {path}: {error.strerror}") from None
    finally:
        os.umask(old_umask)
        for companion in ("", "-wal", "-shm", "-journal"):
            Path(f"{staging}{companion}").unlink(missing_ok=True)
        if not path.exists():
            with contextlib.suppress(OSError):
                for folder in made:
                    folder.rmdir()


def copy_clinic(
    source: Database,
    target: str,
    *,
    busy_timeout: float,
    progress: Callable[[Iterable], Iterable] = iter,
) -> dict[str, int]:
    """Copy the clinic ``source`` holds into ``target`` (a new file's path, or the URL of an
    empty PostgreSQL database), check the copy and record its head; return the rows copied
    (each table's read through ``progress``)."""
    from prolotrack.storage import postgres, server_schema

    expected = counts(source)
    file_id, _ = schema.file_key(source)
    if postgres.is_url(target):
        with server_schema.empty_database(target, busy_timeout=busy_timeout) as copy:
            copied = copy_rows(source, copy, progress)
            server_schema.finish_copy(copy)
            head = check(expected, copy, postgres.redacted(target))
        place: str | Path = postgres.redacted(target)
    else:
        path = Path(target).expanduser()
        checked = []

        def finish(copy: Database) -> None:
            checked.append(check(expected, copy, str(path)))

        with new_file(path, finish, key=new_file_key(source)) as copy:
            copied = copy_rows(source, copy, progress)
        head, place = checked[0], path
    if head is not None and file_id:
        keys.save_head(file_id, place, head)
    return copied
