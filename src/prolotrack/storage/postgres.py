"""A clinic's shared record on PostgreSQL: one connection and one transaction per command.

The storage modules speak to both engines through the same small surface (``execute``,
``executemany``, ``query``, ``stream``, ``table_names``), which ``PostgresDatabase`` gives on a
psycopg connection: SQL is written once with named parameters (``:name``), which sqlite3 reads
itself and ``pyformat`` spells as psycopg's ``%(name)s`` (the rule SQLAlchemy's ``text()``
applied when it stood here). psycopg is imported here only, so a command on a SQLite file never
loads it.

A write takes the clinic's write lock first (a transaction-scoped advisory lock), so writers
queue as they do on SQLite's ``BEGIN IMMEDIATE`` and wait at most the busy timeout; reads never
wait. The schema (``migrations/``, the same list as a file's) is made by the first command that
writes to an empty database, and brought up to this version by the next command on one made by
an older version. The audit chain's key is kept outside the database, as for a file: every
practitioner's machine has a copy (docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import re
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from prolotrack.domain.errors import (
    DatabaseBusy,
    DatabaseMissing,
    DatabaseUnusable,
    ProlotrackError,
    Refused,
)
from prolotrack.storage import audit, chain, keys, registry, rows, schema

DIALECT = "postgresql"
SCHEMES = ("postgresql://", "postgres://")
WRITE_LOCK = 0x70726F6C6F77  # pg_advisory_xact_lock key: one writer at a time, as on SQLite


def is_url(target: str) -> bool:
    return str(target).startswith(SCHEMES)


def redacted(url: str) -> str:
    """The URL as it may be shown: never its password (``***`` in its place, in the address
    or as a ``password=`` parameter)."""
    parts = urlsplit(url)
    user, _, host = parts.netloc.rpartition("@")
    name, colon, _password = user.partition(":")
    netloc = f"{name}:***@{host}" if colon else parts.netloc
    query = re.sub(r"(^|&)(password=)[^&]*", r"\1\2***", parts.query)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


_NAMED = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")  # :name, not a ::cast nor 12:30


@functools.lru_cache(maxsize=1024)
def pyformat(sql: str) -> str:
    """A statement written with ``:name`` parameters, as psycopg takes it: ``%(name)s``, and a
    literal ``%`` doubled. The same rule SQLAlchemy's ``text()`` applies: a colon after a word
    character or another colon (``12:30``, ``x::text``) is not a parameter."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


def _dict_rows(cursor):
    """psycopg's row factory for ``query``: rows as dicts, a repeated column name numbered as
    sqlite-utils numbers it on the file."""
    names = rows.keys(c.name for c in cursor.description or ())
    return lambda values: dict(zip(names, values, strict=True))


def chain_settings(key: bytes) -> dict[str, str]:
    """The two padded keys of HMAC-SHA256 (RFC 2104), for this transaction's settings."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    return {
        "prolotrack.chain_inner": bytes(b ^ 0x36 for b in block).hex(),
        "prolotrack.chain_outer": bytes(b ^ 0x5C for b in block).hex(),
    }


class Stream:
    """A server-side cursor's rows, read once: the cursor is closed when they are read to the
    end (an open one holds its tables: a restore could not drop them)."""

    def __init__(self, cursor):
        self.cursor, self.description = cursor, cursor.description

    def __iter__(self) -> Iterator[tuple]:
        with self.cursor:
            yield from self.cursor


class PostgresDatabase:
    """A connection to one PostgreSQL database, with the surface storage uses."""

    dialect = DIALECT
    registry = False  # a research registry's database (storage/registry.py): read-only here

    def __init__(self, connection):
        self.connection = connection  # psycopg's, in autocommit: each transaction explicit
        self._columns: dict[str, list[str]] = {}
        self._sequences: dict[str, str] = {}
        self._streams = itertools.count(1)
        self.triggers: list[str] = []  # set aside while a copy fills the tables

    def execute(self, sql: str, params: dict | None = None):
        """The statement run; its cursor (rows as tuples, as sqlite3's)."""
        return self.connection.execute(pyformat(sql), params or {})

    def executemany(self, sql: str, rows: list[dict]) -> None:
        """One statement for each of ``rows`` (named parameters), sent together."""
        with self.connection.cursor() as cursor:
            cursor.executemany(pyformat(sql), rows)

    def stream(self, sql: str, params: dict | None = None) -> Stream:
        """Rows of a long query (an export) a batch at a time, from a server-side cursor:
        memory stays flat however many rows there are."""
        cursor = self.connection.cursor(name=f"prolotrack_stream_{next(self._streams)}")
        cursor.itersize = 2000
        cursor.execute(pyformat(sql), params or {})
        return Stream(cursor)

    def query(self, sql: str, params: dict | None = None) -> Iterator[dict]:
        cursor = self.connection.cursor(row_factory=_dict_rows)
        return iter(cursor.execute(pyformat(sql), params or {}))

    def pipeline(self):
        """Statements sent without waiting for each one's answer, until a result is read
        (psycopg's pipeline mode): an import's writes of a session in one round trip."""
        return self.connection.pipeline()

    def executescript(self, sql: str) -> None:
        """Statements as they stand, without parameters (DDL, functions with their bodies)."""
        self.connection.execute(sql)
        self._columns.clear()  # a table may have changed
        self._sequences.clear()

    def table_names(self) -> list[str]:
        return [
            r[0]
            for r in self.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " ORDER BY tablename"
            )
        ]

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

    def newest_id(self, table: str) -> str:
        """The id this transaction last gave a row of ``table``, in SQL: its sequence's value
        in this session (the sequence's name asked once a command)."""
        if table not in self._sequences:
            found = self.execute("SELECT pg_get_serial_sequence(:t, 'id')", {"t": table})
            self._sequences[table] = found.fetchone()[0]
        return f"currval('{self._sequences[table]}')"

    def begin_audit_context(self) -> None:
        """The one-row table that says who is writing, for this transaction only."""
        self.execute(
            "CREATE TEMP TABLE IF NOT EXISTS audit_context (id integer PRIMARY KEY"
            " CHECK (id = 1), actor text NOT NULL, practitioner text, reason text)"
            " ON COMMIT DELETE ROWS"
        )

    def use_key(self, key: bytes) -> None:
        for name, value in chain_settings(key).items():
            self.execute("SELECT set_config(:name, :value, true)", {"name": name, "value": value})


@contextlib.contextmanager
def transaction(
    url: str, *, write: bool, busy_timeout: float, commit: bool = True, as_it_stands: bool = False
) -> Iterator[PostgresDatabase]:
    """Connect to ``url`` for one command and yield it inside one transaction. An empty
    database is given the schema by the first command that writes to it; one made by an older
    version is brought up to this version's by the next command, before it reads (a read
    upgrades in a transaction of its own, then reads) or as the first step of its write.
    ``as_it_stands``: read the database without upgrading it (db status, check, backup)."""
    import psycopg

    shown = redacted(url)
    with translated_errors(shown, busy_timeout), connected(url) as connection:
        db = PostgresDatabase(connection)
        if not write and not as_it_stands:
            _upgrade_before_reading(db, shown, busy_timeout)
        with connection.transaction():
            if not write:  # one consistent view of the record for the whole command
                db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            if registry.is_registry(db):
                if write:
                    raise Refused(
                        f"{shown} is a research registry: it takes clinics' rows by"
                        " replication, not prolotrack's writing commands (read it with"
                        " 'report outcomes')"
                    )
                db.registry = True
                yield db
                return
            _lock(db, busy_timeout, write=write)
            head = None
            if write:
                file_id, key = _opened_for_writing(db, shown)
                db.use_key(key)
                db.begin_audit_context()
                practitioner = db.execute(
                    "SELECT value FROM settings WHERE key = 'practitioner'"
                ).fetchone()
                audit.begin(db, practitioner[0] if practitioner else None)
            elif not _known(db, shown):
                raise DatabaseMissing(
                    f"nothing has been recorded in {shown} yet (a command that records"
                    " something gives it prolotrack's tables)"
                )
            elif not as_it_stands:
                schema.pending(db)  # a database newer than this version is refused
            yield db
            if write:
                audit.end(db)
                head = chain.head(db, keys.load_head(file_id, shown)) if commit else None
            if not commit:
                raise psycopg.Rollback()  # the transaction's block rolls back, and goes on
        if head is not None:  # after the commit, as for a file
            keys.save_head(file_id, shown, head)


@contextlib.contextmanager
def connected(url: str) -> Iterator:
    """One connection to the server for one command, in autocommit: each transaction is
    opened by ``connection.transaction()`` and ends with its block. Without JIT compilation:
    prolotrack's queries find their rows through indexes, and a server compiling one whose
    estimated cost is high (``report outcomes``: 0.24 s of its 0.40 s) spends more than it
    saves."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SET jit = off")
        yield connection


def _lock(db: PostgresDatabase, busy_timeout: float, *, write: bool) -> None:
    """Wait at most the busy timeout for a lock; a writer takes the clinic's write lock."""
    wait = f"{int(busy_timeout * 1000)}ms"
    db.execute("SELECT set_config('lock_timeout', :wait, true)", {"wait": wait})
    if write:
        db.execute("SELECT pg_advisory_xact_lock(:lock)", {"lock": WRITE_LOCK})


def _upgrade_before_reading(db: PostgresDatabase, shown: str, busy_timeout: float) -> None:
    """A read on a database made by an older version upgrades it first, as a write of its
    own: the read that follows sees it as this version reads it."""
    upgraded = None
    with db.connection.transaction():
        _lock(db, busy_timeout, write=False)
        if _known(db, shown) and schema.pending(db):
            _lock(db, busy_timeout, write=True)
            file_id, _ = _upgrade(db, shown)
            upgraded = file_id, chain.head(db, keys.load_head(file_id, shown))
    if upgraded:
        keys.save_head(upgraded[0], shown, upgraded[1])


def _known(db: PostgresDatabase, shown: str) -> bool:
    """Whether the database has prolotrack's schema; one with other tables is refused."""
    tables = db.table_names()
    if schema.SERVER_RECORD in tables:
        return True
    if tables:
        raise DatabaseUnusable(
            f"{shown} is a PostgreSQL database but not a prolotrack one (it has tables"
            f" {', '.join(tables[:5])}); refusing to change it"
        )
    return False


def _opened_for_writing(db: PostgresDatabase, shown: str) -> tuple[str, bytes]:
    """The database's identity and key, under the write lock: an empty database given the
    schema, one made by an older version upgraded, after its log is found as it was left."""
    if not _known(db, shown):
        schema.migrate(db)  # 0002 makes the identity, 0006 the key
        file_id = schema.file_identity(db)
        return file_id, keys.load_key(file_id)
    return _upgrade(db, shown)


def _upgrade(db: PostgresDatabase, shown: str) -> tuple[str, bytes]:
    """Check the log's end against its head, then apply the migrations the database still
    needs (none: nothing changes), logged as prolotrack's own."""
    pending = schema.pending(db)
    file_id = schema.file_identity(db)
    key = keys.load_key(file_id)
    if key is None:
        raise keys.missing_key(file_id)
    _refuse_if_tampered(db, shown, file_id)
    if pending:
        db.use_key(key)
        schema.migrate(db)
    return file_id, key


def _refuse_if_tampered(db: PostgresDatabase, shown: str, file_id: str) -> None:
    """A write on a log whose end, or a schema that, is not as prolotrack last left them."""
    try:
        found = chain.head_problems(db, keys.load_head(file_id, shown), full=False)
    except keys.ForgedHead as error:
        found = [str(error)]
    if found:
        raise DatabaseUnusable(
            f"{shown}: {found[0]}; nothing was written. Run 'prolotrack db check'"
            " (docs/reliability.md says what to do)"
        )


@contextlib.contextmanager
def translated_errors(shown: str, busy_timeout: float) -> Iterator[None]:
    """PostgreSQL's errors as prolotrack's, each with a message a person can act on."""
    import psycopg

    try:
        yield
    except ProlotrackError:
        raise
    except psycopg.IntegrityError as exc:
        raise Refused(f"the database refused the change: {first_line(exc)}") from None
    except psycopg.errors.LockNotAvailable:
        raise DatabaseBusy(
            f"the database is busy: another practitioner's command held {shown} past the"
            f" {busy_timeout:g} s wait; nothing was written, try again"
        ) from None
    except psycopg.OperationalError as exc:
        raise DatabaseUnusable(f"cannot use {shown}: {first_line(exc)}") from None
    except psycopg.Error as exc:
        raise DatabaseUnusable(f"{shown} cannot be used: {first_line(exc)}") from None


def first_line(exc: Exception) -> str:
    """What the server said, on one line."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
