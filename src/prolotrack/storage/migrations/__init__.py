"""The schema, as a list of forward migrations (``sqlite_utils.Migrations``), one module per
edition of the spec, registered here in order.

Tables are written as plain ``CREATE TABLE`` statements because they carry CHECK constraints,
which sqlite-utils' ``create()`` cannot express; sqlite-utils keeps the record of which
migrations have run (table ``_sqlite_migrations``). Never edit a migration that has shipped:
add a new one. ``docs/data-model.md`` describes the tables for a person with ``sqlite3``.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from sqlite_utils import Migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "prolotrack"
migrations = Migrations(MIGRATION_SET)
KNOWN: list[str] = []  # every migration this version knows, oldest first
KEYED_CHAIN = "0006_keyed_audit_chain"  # from this migration on, the audit chain has a key


def migration(name: str):
    KNOWN.append(name)
    return migrations(name=name)


_ISO_DATE = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"


def date_column(column: str, *, required: bool) -> str:
    check = f"CHECK ({column} IS NULL OR {column} {_ISO_DATE})"
    return f"{column} TEXT{' NOT NULL' if required else ''} {check}"


def one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"CHECK ({column} IS NULL OR {column} IN ({listed}))"


def file_identity(db: Database) -> str | None:
    """The file's random identity, the same in every backup of it (None before 0002)."""
    try:
        found = db.execute("SELECT value FROM secrets WHERE name = 'file-id'").fetchone()
    except sqlite3.OperationalError:
        return None
    return found[0] if found else None


# Registered in this order: each module's migrations follow the last one's.
from prolotrack.storage.migrations import first_edition, second_edition  # noqa: E402, F401
