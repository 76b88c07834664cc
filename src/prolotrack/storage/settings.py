"""The settings table: a value per key, absent when never set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.storage import rows

if TYPE_CHECKING:
    from prolotrack.storage import Database


def all_set(db: Database) -> dict[str, str]:
    return {r["key"]: r["value"] for r in db.query("SELECT key, value FROM settings")}


def get(db: Database, key: str) -> str | None:
    found = list(db.query("SELECT value FROM settings WHERE key = :key", {"key": key}))
    return found[0]["value"] if found else None


def put(db: Database, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (:key, :value, :now)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        {"key": key, "value": value, "now": rows.utc_now()},
    )


def remove(db: Database, key: str) -> None:
    db.execute("DELETE FROM settings WHERE key = :key", {"key": key})
