"""Migrations of the second edition: follow-up, corrected courses, the clinical rules; what
was injected and whether it was safe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain.instruments import CATALOGUE
from prolotrack.storage import audit
from prolotrack.storage.migrations import date_column, migration

if TYPE_CHECKING:
    from sqlite_utils import Database

# As migration 0001 wrote the guidance CHECK of sessions and injections, and as it becomes.
_GUIDANCE_WAS = "IN ('landmark', 'ultrasound', 'fluoroscopy'))"
_GUIDANCE_NOW = "IN ('landmark', 'ultrasound', 'fluoroscopy', 'ct'))"
# Spelled out: a shipped migration must not change with a later catalogue.
_WHOLE_POINTS = ("nrs", "rmdq", "ndi", "womac")
_GLOBAL = ("pgic", "sane")


@migration("0007_follow_up_and_corrections")
def _follow_up(db: Database) -> None:
    """Follow-up timepoints of courses and protocols; a course voided in error; instruments
    scored in whole points, and the global impression instruments; an adverse event's
    seriousness and the day it was recorded; guidance by CT."""
    db.executescript(
        f"""
        ALTER TABLE courses ADD COLUMN follow_up TEXT;
        ALTER TABLE courses ADD COLUMN voided_at TEXT;
        ALTER TABLE courses ADD COLUMN void_reason TEXT;
        ALTER TABLE protocols ADD COLUMN follow_up TEXT;
        ALTER TABLE instruments ADD COLUMN whole_points INTEGER NOT NULL DEFAULT 0
            CHECK (whole_points IN (0, 1));
        ALTER TABLE instruments ADD COLUMN responder_at REAL;
        ALTER TABLE adverse_events ADD COLUMN serious INTEGER NOT NULL DEFAULT 0
            CHECK (serious IN (0, 1));
        ALTER TABLE adverse_events ADD COLUMN {date_column("recorded_on", required=False)};
        """
    )
    _allow_ct_guidance(db)
    audit.as_migration(db)  # a new file has had no log context yet
    audit.create_triggers(db, ("course", "protocol", "instrument", "adverse_event"))
    # What existed before: recorded on the (local) day it was created.
    db.execute("UPDATE adverse_events SET recorded_on = date(created_at, 'localtime')")
    marks = ", ".join(f"'{c}'" for c in _WHOLE_POINTS)
    db.execute(f"UPDATE instruments SET whole_points = 1 WHERE builtin = 1 AND code IN ({marks})")
    for shipped in (i for i in CATALOGUE if i.code in _GLOBAL):
        db.execute(
            """INSERT OR IGNORE INTO instruments (code, name, minimum, maximum, better, mcid,
                   mcid_unit, source, builtin, whole_points, responder_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""",
            [shipped.code, shipped.name, shipped.minimum, shipped.maximum, shipped.better,
             shipped.mcid, shipped.mcid_unit, shipped.source, int(shipped.whole_points),
             shipped.responder_at],
        )  # fmt: skip


def _allow_ct_guidance(db: Database) -> None:
    """Add ``ct`` to the guidance CHECK of sessions and injections.

    SQLite cannot alter a CHECK constraint; its documented way for a change that leaves the
    stored rows valid (https://sqlite.org/lang_altertable.html#otheralter) is to edit the
    table's text in the schema and bump the schema version, inside the transaction. A wider
    CHECK needs no rebuild of the tables, their indexes or the rows that point at them.
    """
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?)"
            " WHERE type = 'table' AND name IN ('sessions', 'injections')",
            [_GUIDANCE_WAS, _GUIDANCE_NOW],
        )
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")


_REHAB = ("exercise", "physiotherapy", "brace", "activity-modification", "nsaid-avoidance", "other")


@migration("0008_safety_consent_rehabilitation")
def _safety(db: Database) -> None:
    """A patient's weight and safety flags; the warnings kept on a session; consent and
    rehabilitation per course."""
    kinds = ", ".join(f"'{k}'" for k in _REHAB)
    db.executescript(
        f"""
        ALTER TABLE patients ADD COLUMN weight_kg REAL
            CHECK (weight_kg IS NULL OR (weight_kg > 0 AND weight_kg <= 500));
        ALTER TABLE sessions ADD COLUMN warnings TEXT;
        ALTER TABLE courses ADD COLUMN {date_column("consent_on", required=False)};
        ALTER TABLE courses ADD COLUMN consent_form TEXT;
        ALTER TABLE protocols ADD COLUMN max_ml REAL CHECK (max_ml IS NULL OR max_ml > 0);
        CREATE TABLE patient_flags (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            kind TEXT NOT NULL CHECK (length(trim(kind)) > 0),
            note TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (patient_id, kind)
        );
        CREATE TABLE rehabilitation (
            id INTEGER PRIMARY KEY,
            course_id INTEGER NOT NULL REFERENCES courses(id),
            kind TEXT NOT NULL CHECK (kind IN ({kinds})),
            {date_column("from_on", required=False)},
            {date_column("to_on", required=False)},
            note TEXT,
            created_at TEXT NOT NULL,
            CHECK (from_on IS NULL OR to_on IS NULL OR from_on <= to_on)
        );
        CREATE INDEX rehabilitation_by_course ON rehabilitation (course_id);
        """
    )
    audit.as_migration(db)
    audit.create_triggers(
        db, ("patient", "session", "course", "protocol", "patient_flag", "rehabilitation")
    )
