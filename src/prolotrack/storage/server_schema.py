"""prolotrack's tables on a PostgreSQL database without their rows or triggers, for a copy
(``db copy --to``) or a restore to fill, then the triggers put back: the rows copied in are
logged by nothing, and the copy's own log comes with them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from prolotrack.domain.errors import Refused
from prolotrack.storage import keys, schema
from prolotrack.storage.postgres import (
    WRITE_LOCK,
    PostgresDatabase,
    connected,
    redacted,
    translated_errors,
)


@contextlib.contextmanager
def empty_database(url: str, *, busy_timeout: float) -> Iterator[PostgresDatabase]:
    """An empty PostgreSQL database given prolotrack's tables, for a copy to fill (then
    ``finish_copy``): all in one transaction, so a failed copy leaves the database empty."""
    shown = redacted(url)
    with translated_errors(shown, busy_timeout), connected(url) as connection:
        db = PostgresDatabase(connection)
        with connection.transaction():
            db.execute("SELECT pg_advisory_xact_lock(:lock)", {"lock": WRITE_LOCK})
            if db.table_names():
                raise Refused(
                    f"{shown} is not empty (it has tables {', '.join(db.table_names()[:5])});"
                    " a copy goes into an empty database only"
                )
            db.triggers = _bare_schema(db)
            yield db


def drop_schema(db: PostgresDatabase) -> None:
    """Take away prolotrack's tables and functions, and make them again without rows or
    triggers (a restore then puts a backup's rows in, and ``finish_copy`` the triggers)."""
    tables = ", ".join(db.table_names())
    if tables:
        db.executescript(f"DROP TABLE {tables} CASCADE")
    for (name,) in list(
        db.execute(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema()"
        )
    ):
        db.executescript(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
        db.executescript(f"DROP FUNCTION IF EXISTS {name}(text) CASCADE")
    db.triggers = _bare_schema(db)


def _bare_schema(db: PostgresDatabase) -> list[str]:
    """The migrations run in an empty schema, then their rows taken out and their triggers set
    aside (returned), so that copying rows in logs nothing; the migrations' own identity and
    key, made for a database that will take the copy's, are forgotten."""
    from prolotrack.storage import copying

    file_id = None
    try:
        schema.migrate(db)
        file_id = schema.file_identity(db)
    finally:
        if file_id:
            keys.key_path(file_id).unlink(missing_ok=True)
            keys.sealed_path(file_id).unlink(missing_ok=True)
    found = list(
        db.execute(
            "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY t.tgname"
        )
    )
    for name, table, _ in found:
        db.executescript(f"DROP TRIGGER {name} ON {table}")
    for table in reversed(copying.TABLES):
        db.execute(f"DELETE FROM {table}")
    return [definition for _, _, definition in found]


def finish_copy(db: PostgresDatabase) -> None:
    """The triggers of a database a copy has filled, put back, its ids continued and its
    tables' statistics gathered: the server plans each query on them, and would take a
    copied clinic for an empty one until autovacuum came round to it (as pg_restore's
    documentation advises, ANALYZE after a restore)."""
    from prolotrack.storage.migrations import postgresql

    for statement in db.triggers:
        db.executescript(statement)
    postgresql.continue_identities(db)
    db.executescript(f"ANALYZE {', '.join(db.table_names())}")
