"""A clinic's shared record on PostgreSQL: one connection and one transaction per command.

The storage modules speak to both engines through the same small surface (``execute``,
``executemany``, ``query``, ``stream``, ``table_names``), which ``PostgresDatabase`` gives on a
SQLAlchemy connection: SQL is written once with named parameters (``:name``), which sqlite3
reads itself and SQLAlchemy's ``text()`` binds for psycopg. SQLAlchemy and psycopg are imported
here only, so a command on a SQLite file never loads them.

A write takes the clinic's write lock first (a transaction-scoped advisory lock), so writers
queue as they do on SQLite's ``BEGIN IMMEDIATE`` and wait at most the busy timeout; reads never
wait. The schema (``migrations/postgresql.py``) is made by the first command that writes to an
empty database. The audit chain's key is kept outside the database, as for a file: every
practitioner's machine has a copy (docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from prolotrack.domain.errors import (
    DatabaseBusy,
    DatabaseMissing,
    DatabaseUnusable,
    ProlotrackError,
    Refused,
)
from prolotrack.storage import audit, keys, rows

DIALECT = "postgresql"
SCHEMES = ("postgresql://", "postgres://")
WRITE_LOCK = 0x70726F6C6F77  # pg_advisory_xact_lock key: one writer at a time, as on SQLite


def is_url(target: str) -> bool:
    return str(target).startswith(SCHEMES)


def redacted(url: str) -> str:
    """The URL as it may be shown: never its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def chain_settings(key: bytes) -> dict[str, str]:
    """The two padded keys of HMAC-SHA256 (RFC 2104), for this transaction's settings."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    return {
        "prolotrack.chain_inner": bytes(b ^ 0x36 for b in block).hex(),
        "prolotrack.chain_outer": bytes(b ^ 0x5C for b in block).hex(),
    }


class PostgresDatabase:
    """A connection to one PostgreSQL database, with the surface storage uses."""

    dialect = DIALECT

    def __init__(self, connection):
        self.connection = connection
        self._columns: dict[str, list[str]] = {}

    def execute(self, sql: str, params: dict | None = None):
        from sqlalchemy import text

        return self.connection.execute(text(sql), params or {})

    def executemany(self, sql: str, rows: list[dict]) -> None:
        """One statement for each of ``rows`` (named parameters), sent together."""
        from sqlalchemy import text

        self.connection.execute(text(sql), rows)

    def stream(self, sql: str, params: dict | None = None):
        """Rows of a long query (an export) a batch at a time, from a server-side cursor:
        memory stays flat however many rows there are."""
        from sqlalchemy import text

        return self.connection.execute(  # for this statement only
            text(sql), params or {}, execution_options={"stream_results": True, "yield_per": 2000}
        )

    def query(self, sql: str, params: dict | None = None) -> Iterator[dict]:
        for row in self.execute(sql, params).mappings():
            yield dict(row)

    def executescript(self, sql: str) -> None:
        """Statements as they stand, without parameters (DDL, functions with their bodies)."""
        self.connection.exec_driver_sql(sql)

    def table_names(self) -> list[str]:
        return [r[0] for r in self.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " ORDER BY tablename")]  # fmt: skip

    def columns(self, table: str) -> list[str]:
        if table not in self._columns:
            self._columns[table] = [
                r[0]
                for r in self.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                    " current_schema() AND table_name = :t ORDER BY ordinal_position",
                    {"t": table},
                )
            ]
        return self._columns[table]

    def begin_audit_context(self) -> None:
        """The one-row table that says who is writing, for this transaction only."""
        self.execute("CREATE TEMP TABLE IF NOT EXISTS audit_context (id integer PRIMARY KEY"
                     " CHECK (id = 1), actor text NOT NULL, practitioner text, reason text)"
                     " ON COMMIT DELETE ROWS")  # fmt: skip

    def use_key(self, key: bytes) -> None:
        for name, value in chain_settings(key).items():
            self.execute("SELECT set_config(:name, :value, true)", {"name": name, "value": value})


@contextlib.contextmanager
def transaction(
    url: str, *, write: bool, busy_timeout: float, commit: bool = True
) -> Iterator[PostgresDatabase]:
    """Connect to ``url`` for one command and yield it inside one transaction; an empty
    database is given the schema by the first command that writes to it."""
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    shown = redacted(url)
    engine = sqlalchemy.create_engine(_driver_url(url), poolclass=NullPool)
    try:
        with translated_errors(shown, busy_timeout), engine.connect() as connection:
            db = PostgresDatabase(connection)
            with connection.begin() as outer:
                if not write:  # one consistent view of the record for the whole command
                    db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                wait = f"{int(busy_timeout * 1000)}ms"
                db.execute("SELECT set_config('lock_timeout', :wait, true)", {"wait": wait})
                if write:
                    db.execute("SELECT pg_advisory_xact_lock(:lock)", {"lock": WRITE_LOCK})
                key = _schema(db, shown, write)
                file_id = db.execute("SELECT value FROM secrets WHERE name = 'file-id'")
                file_id = file_id.fetchone()[0]
                head = None
                if write:
                    _refuse_if_tampered(db, shown, file_id)
                    db.use_key(key)
                    db.begin_audit_context()
                    practitioner = db.execute(
                        "SELECT value FROM settings WHERE key = 'practitioner'"
                    ).fetchone()
                    audit.begin(db, practitioner[0] if practitioner else None)
                yield db
                if write:
                    audit.end(db)
                    head = audit.head(db, keys.load_head(file_id, shown)) if commit else None
                if not commit:
                    outer.rollback()
            if head is not None:  # after the commit, as for a file
                keys.save_head(file_id, shown, head)
    finally:
        engine.dispose()


def _refuse_if_tampered(db: PostgresDatabase, shown: str, file_id: str) -> None:
    """A write on a log whose end, or a schema that, is not as prolotrack last left them."""
    try:
        found = audit.head_problems(db, keys.load_head(file_id, shown), full=False)
    except keys.ForgedHead as error:
        found = [str(error)]
    if found:
        raise DatabaseUnusable(
            f"{shown}: {found[0]}; nothing was written. Run 'prolotrack db check'"
            " (docs/reliability.md says what to do)"
        )


@contextlib.contextmanager
def empty_database(url: str, *, busy_timeout: float) -> Iterator[PostgresDatabase]:
    """An empty PostgreSQL database given prolotrack's tables, for a copy to fill (then
    ``finish_copy``): all in one transaction, so a failed copy leaves the database empty."""
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    from prolotrack.storage.migrations import postgresql

    shown = redacted(url)
    engine = sqlalchemy.create_engine(_driver_url(url), poolclass=NullPool)
    try:
        with translated_errors(shown, busy_timeout), engine.connect() as connection:
            db = PostgresDatabase(connection)
            with connection.begin():
                db.execute("SELECT pg_advisory_xact_lock(:lock)", {"lock": WRITE_LOCK})
                if db.table_names():
                    raise Refused(
                        f"{shown} is not empty (it has tables {', '.join(db.table_names()[:5])});"
                        " a copy goes into an empty database only"
                    )
                db.executescript(postgresql.TABLES)
                yield db
    finally:
        engine.dispose()


def drop_schema(db: PostgresDatabase) -> None:
    """Take away prolotrack's tables and functions (a restore then puts a backup's in)."""
    from prolotrack.storage.migrations import postgresql

    tables = ", ".join(db.table_names())
    if tables:
        db.executescript(f"DROP TABLE {tables} CASCADE")
    for (name,) in list(db.execute(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = current_schema()")):  # fmt: skip
        db.executescript(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
        db.executescript(f"DROP FUNCTION IF EXISTS {name}(text) CASCADE")
    db.executescript(postgresql.TABLES)


def finish_copy(db: PostgresDatabase) -> None:
    """The triggers and migrations of a database a copy has filled, and its ids continued."""
    from prolotrack.storage.migrations import KNOWN, postgresql

    postgresql.create_triggers(db, KNOWN, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    postgresql.continue_identities(db)


def _driver_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def _schema(db: PostgresDatabase, shown: str, write: bool) -> bytes | None:
    """The audit key of the database's chain, after making its schema if it has none."""
    from prolotrack.storage.migrations import KNOWN

    if "prolotrack_migrations" not in db.table_names():
        if not write:
            raise DatabaseMissing(
                f"nothing has been recorded in {shown} yet (a command that records something"
                " gives it prolotrack's tables)"
            )
        if db.table_names():
            raise DatabaseUnusable(
                f"{shown} is a PostgreSQL database but not a prolotrack one (it has tables"
                f" {', '.join(db.table_names()[:5])}); refusing to change it"
            )
        return _new_schema(db, KNOWN)
    applied = [r[0] for r in db.execute("SELECT name FROM prolotrack_migrations")]
    unknown = [n for n in applied if n not in KNOWN]
    if unknown:
        raise DatabaseUnusable(
            f"{shown} was written by a newer version of prolotrack (schema {max(unknown)});"
            " upgrade prolotrack to use it"
        )
    file_id = db.execute("SELECT value FROM secrets WHERE name = 'file-id'").fetchone()[0]
    key = keys.load_key(file_id)
    if key is None and write:
        raise keys.missing_key(file_id)
    return key


def _new_schema(db: PostgresDatabase, migrations: list[str]) -> bytes:
    import secrets

    from prolotrack.storage.migrations import postgresql

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    file_id = str(uuid.uuid4())
    key, _ = keys.create_key(file_id)
    postgresql.create_schema(db, migrations, now, key)
    rows.insert_all(db, "secrets", [
        {"name": "pseudonym-key", "value": secrets.token_hex(32), "created_at": now},
        {"name": "file-id", "value": file_id, "created_at": now},
    ])  # fmt: skip
    return key


@contextlib.contextmanager
def translated_errors(shown: str, busy_timeout: float) -> Iterator[None]:
    """PostgreSQL's errors as prolotrack's, each with a message a person can act on."""
    import sqlalchemy

    try:
        yield
    except ProlotrackError:
        raise
    except sqlalchemy.exc.IntegrityError as exc:
        raise Refused(f"the database refused the change: {_first_line(exc)}") from None
    except sqlalchemy.exc.OperationalError as exc:
        text = _first_line(exc)
        if "lock timeout" in text:
            raise DatabaseBusy(
                f"the database is busy: another practitioner's command held {shown} past the"
                f" {busy_timeout:g} s wait; nothing was written, try again"
            ) from None
        raise DatabaseUnusable(f"cannot use {shown}: {text}") from None
    except sqlalchemy.exc.DBAPIError as exc:
        raise DatabaseUnusable(f"{shown} cannot be used: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]
