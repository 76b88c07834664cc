"""The schema of both engines, as one ordered list of forward migrations, one module per edition
of the spec, registered here in order.

Each migration is a function of the database and its dialect (``dialects.py``): written once,
with the few fragments that differ between SQLite and PostgreSQL named in it. Tables are plain
``CREATE TABLE`` statements because they carry CHECK constraints. The vocabularies a CHECK holds
are the domain's (``domain/vocab.py``). ``storage/schema.py`` applies what a database still
needs and keeps the record of it: SQLite's in sqlite-utils' table ``_sqlite_migrations``,
PostgreSQL's in ``prolotrack_migrations``. Never change what a migration that has shipped does
to a database: add a new one. ``docs/data-model.md`` describes the tables.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from prolotrack.storage.migrations.dialects import DIALECTS, SQLITE, Dialect

if TYPE_CHECKING:
    from sqlite_utils import Migrations

    from prolotrack.storage import Database

MIGRATION_SET = "prolotrack"
KNOWN: list[str] = []  # every migration this version knows, oldest first
STEPS: dict[str, Callable[[Database, Dialect], None]] = {}
KEYED_CHAIN = "0006_keyed_audit_chain"  # from this migration on, the audit chain has a key


def migration(name: str):
    """Register a migration ``fn(db, dialect)``, after those registered before it."""

    def register(fn: Callable[[Database, Dialect], None]):
        KNOWN.append(name)
        STEPS[name] = fn
        return fn

    return register


@functools.cache
def sqlite_migrations() -> Migrations:
    """The migrations as sqlite-utils applies them to a file and records them there (made on
    first use: a command on PostgreSQL never imports sqlite-utils, nor numpy with it)."""
    from sqlite_utils import Migrations

    found = Migrations(MIGRATION_SET)
    for name in KNOWN:
        found(name=name)(lambda db, step=STEPS[name]: step(db, SQLITE))
    return found


def dialect(db: Database) -> Dialect:
    return DIALECTS[db.dialect]


def file_identity(db: Database) -> str | None:
    """The database's random identity, the same in every backup of it (None before 0002)."""
    if "secrets" not in db.table_names():
        return None
    found = db.execute("SELECT value FROM secrets WHERE name = 'file-id'").fetchone()
    return found[0] if found else None


# Registered in this order: each module's migrations follow the last one's.
from prolotrack.storage.migrations import first_edition, second_edition, third_edition  # noqa: E402, F401
