"""Which migrations a database needs, applying them, and its identity and key.

The migrations themselves are in ``storage/migrations/``, one list for both engines. SQLite
keeps the record of those applied in sqlite-utils' ``_sqlite_migrations`` (and their number in
``PRAGMA user_version``), PostgreSQL in ``prolotrack_migrations``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain.errors import DatabaseUnusable
from prolotrack.storage import audit, keys
from prolotrack.storage.migrations import (
    KEYED_CHAIN,
    KNOWN,
    STEPS,
    file_identity,
    sqlite_migrations,
)
from prolotrack.storage.migrations.dialects import POSTGRESQL

if TYPE_CHECKING:
    from sqlite_utils import Database

__all__ = [
    "KEYED_CHAIN",
    "KNOWN",
    "applied",
    "file_identity",
    "file_key",
    "migrate",
    "pending",
    "sqlite_migrations",
    "version",
]


def file_key(db: Database) -> tuple[str | None, bytes | None]:
    """The file's identity and, where this machine has it, the key of its audit chain."""
    file_id = file_identity(db)
    return file_id, keys.load_key(file_id) if file_id else None


SERVER_RECORD = "prolotrack_migrations"  # PostgreSQL's record of the migrations applied


def applied(db: Database) -> list[str]:
    if db.dialect == "sqlite":
        return [m.name for m in sqlite_migrations().applied(db)]
    if SERVER_RECORD not in db.table_names():
        return []
    return [r[0] for r in db.execute(f"SELECT name FROM {SERVER_RECORD} ORDER BY name")]


def pending(db: Database) -> list[str]:
    """Migrations this database still needs; refuses one that is not ours or is newer."""
    if db.dialect != "sqlite":
        return _pending_on_server(db)
    names = applied(db)
    stamped = version(db)
    if not names:
        tables = db.table_names()
        if tables:
            raise DatabaseUnusable(
                "this is an SQLite database but not a prolotrack one (it has tables "
                f"{', '.join(sorted(tables)[:5])}); refusing to change it"
            )
        if stamped:
            raise DatabaseUnusable(
                f"this SQLite database says it has schema version {stamped} but holds no"
                " prolotrack tables; refusing to use it (check the --db path, or restore a backup)"
            )
    unknown = [n for n in names if n not in KNOWN]
    if names and stamped and stamped != len(names) and stamped <= len(KNOWN) and not unknown:
        raise DatabaseUnusable(
            f"this file says it has schema version {stamped} but its record of migrations"
            f" lists {len(names)}: it was changed behind prolotrack's back; nothing was"
            " changed (see 'prolotrack db check', or restore a backup with 'prolotrack db"
            " restore')"
        )
    if stamped > len(KNOWN) and not unknown:
        unknown = [f"version {stamped}"]
    if unknown:
        raise DatabaseUnusable(
            f"the database was written by a newer version of prolotrack (schema {unknown[-1]});"
            " upgrade prolotrack to use it"
        )
    return [n for n in KNOWN if n not in names]


def _pending_on_server(db: Database) -> list[str]:
    names = applied(db)
    unknown = [n for n in names if n not in KNOWN]
    if unknown:
        raise DatabaseUnusable(
            f"the database was written by a newer version of prolotrack (schema {max(unknown)});"
            " upgrade prolotrack to use it"
        )
    return [n for n in KNOWN if n not in names]


def migrate(db: Database, upto: int | None = None) -> None:
    """Apply pending migrations and record them (on SQLite, their number in ``PRAGMA
    user_version`` too). A migration that changes records is logged as prolotrack's own, and
    the upgrade of a database made by an earlier version is a row of the log of its own.
    ``upto``: a new file made only as far as that many migrations (a copy of a server of an
    earlier version, read as it stands)."""
    before, needed = applied(db), pending(db)
    if db.dialect != "sqlite":
        _migrate_server(db, needed)
    else:
        if "audit_context" in db.table_names():  # else the migration that makes it fills it
            audit.as_migration(db)
        if upto is not None and upto < len(KNOWN):
            sqlite_migrations().apply(db, stop_before=KNOWN[upto])
            needed = needed[:upto]
        else:
            sqlite_migrations().apply(db)
        db.execute(f"PRAGMA user_version = {len(before) + len(needed)}")
    _, key = file_key(db)
    if before and needed and key is not None:  # an upgrade, not a new database
        audit.append_upgrade(db, key, before, needed)
    audit.end(db)


def version(db: Database) -> int:
    """The schema version: how many migrations the database has had."""
    if db.dialect != "sqlite":
        return len(applied(db))
    return db.execute("PRAGMA user_version").fetchone()[0]


def _migrate_server(db: Database, needed: list[str]) -> None:
    """The migrations a PostgreSQL database needs, in the command's transaction: all of them or,
    should one fail, none (PostgreSQL's schema changes are transactional)."""
    from datetime import UTC, datetime

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    db.executescript(
        f"CREATE TABLE IF NOT EXISTS {SERVER_RECORD} (name {POSTGRESQL.text}"
        f" PRIMARY KEY, applied_at {POSTGRESQL.text} NOT NULL)"
    )
    db.begin_audit_context()
    audit.as_migration(db)
    for name in needed:
        STEPS[name](db, POSTGRESQL)
        db.execute(
            f"INSERT INTO {SERVER_RECORD} (name, applied_at) VALUES (:name, :at)",
            {"name": name, "at": now},
        )
