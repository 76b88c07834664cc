"""Which migrations a file needs, applying them, and the file's identity and key.

The migrations themselves are in ``storage/migrations/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain.errors import DatabaseUnusable
from prolotrack.storage import audit, keys
from prolotrack.storage.migrations import KEYED_CHAIN, KNOWN, file_identity, migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

__all__ = ["KEYED_CHAIN", "KNOWN", "applied", "file_identity", "file_key", "migrate", "migrations",
           "pending", "version"]  # fmt: skip


def file_key(db: Database) -> tuple[str | None, bytes | None]:
    """The file's identity and, where this machine has it, the key of its audit chain."""
    file_id = file_identity(db)
    return file_id, keys.load_key(file_id) if file_id else None


def applied(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


def pending(db: Database) -> list[str]:
    """Migrations this file still needs; refuses a file that is not ours or is newer."""
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


def migrate(db: Database) -> None:
    """Apply pending migrations and record the schema version in ``PRAGMA user_version``.
    A migration that changes records is logged as prolotrack's own."""
    if "audit_context" in db.table_names():  # else the migration that makes it fills it
        audit.as_migration(db)
    migrations.apply(db)
    db.execute(f"PRAGMA user_version = {len(KNOWN)}")
    audit.end(db)


def version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]
