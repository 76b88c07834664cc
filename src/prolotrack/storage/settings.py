"""The settings table: a value per key, absent when never set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.storage import rows

if TYPE_CHECKING:
    from sqlite_utils import Database


def all_set(db: Database) -> dict[str, str]:
    return {r["key"]: r["value"] for r in db.query("SELECT key, value FROM settings")}


def get(db: Database, key: str) -> str | None:
    found = list(db.query("SELECT value FROM settings WHERE key = ?", [key]))
    return found[0]["value"] if found else None


def put(db: Database, key: str, value: str) -> None:
    db["settings"].upsert({"key": key, "value": value, "updated_at": rows.utc_now()}, pk="key")


def remove(db: Database, key: str) -> None:
    db.execute("DELETE FROM settings WHERE key = ?", [key])
