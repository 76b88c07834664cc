"""The practice's settings (`prolotrack settings`): read, set and unset (each change audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.storage import settings

if TYPE_CHECKING:
    from prolotrack.storage import Database


def all_set(db: Database) -> dict[str, str]:
    return settings.all_set(db)


def get(db: Database, key: str) -> str | None:
    return settings.get(db, key)


def practitioner(db: Database, needed_for: str) -> str:
    """The ``practitioner`` setting, which what ``needed_for`` names cannot do without (a
    signature, a review: the name it records and the audit names)."""
    from prolotrack.domain.errors import Refused

    name = settings.get(db, "practitioner")
    if not name:
        raise Refused(
            f"{needed_for}: set it first (prolotrack config set practitioner 'Dr A. Name')"
        )
    return name


def put(db: Database, key: str, value: str) -> None:
    settings.put(db, key, value)


def remove(db: Database, key: str) -> None:
    settings.remove(db, key)
