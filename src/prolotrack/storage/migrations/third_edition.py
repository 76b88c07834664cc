"""Migrations of the third edition: the record made safe at the edges, and what grows from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.storage import audit
from prolotrack.storage.migrations import migration
from prolotrack.storage.migrations.dialects import Dialect

if TYPE_CHECKING:
    from prolotrack.storage import Database


@migration("0009_adverse_events_voided")
def _adverse_events_voided(db: Database, d: Dialect) -> None:
    """An adverse event recorded in error is voided with a reason, as a session or a score is:
    kept, and left out of every list, report and export."""
    db.executescript(
        f"""
        ALTER TABLE adverse_events ADD COLUMN voided_at {d.text};
        ALTER TABLE adverse_events ADD COLUMN void_reason {d.text};
        """
    )
    audit.as_migration(db)
    audit.create_triggers(db, ("adverse_event",))
