"""Migrations of the second edition: follow-up, corrected courses, the clinical rules; what
was injected and whether it was safe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain import vocab
from prolotrack.domain.courses import REHABILITATION
from prolotrack.domain.instruments import CATALOGUE
from prolotrack.storage import audit
from prolotrack.storage.migrations import first_edition, log_v1, migration
from prolotrack.storage.migrations.dialects import Dialect, one_of, quoted

if TYPE_CHECKING:
    from prolotrack.storage import Database

# Spelled out: what migration 0007 marks must not change with a later catalogue.
_WHOLE_POINTS = ("nrs", "rmdq", "ndi", "womac")
_GLOBAL = ("pgic", "sane")
# What each engine reads as the local day a record was created (its time is UTC).
_LOCAL_DAY = {
    "sqlite": "date(created_at, 'localtime')",
    "postgresql": "to_char(CAST(created_at AS timestamptz), 'YYYY-MM-DD')",
}


@migration("0007_follow_up_and_corrections")
def _follow_up(db: Database, d: Dialect) -> None:
    """Follow-up timepoints of courses and protocols; a course voided in error; instruments
    scored in whole points, and the global impression instruments; an adverse event's
    seriousness and the day it was recorded; guidance by CT."""
    T, INT = d.text, d.integer
    db.executescript(
        f"""
        ALTER TABLE courses ADD COLUMN follow_up {T};
        ALTER TABLE courses ADD COLUMN voided_at {T};
        ALTER TABLE courses ADD COLUMN void_reason {T};
        ALTER TABLE protocols ADD COLUMN follow_up {T};
        ALTER TABLE instruments ADD COLUMN whole_points {INT} NOT NULL DEFAULT 0
            CHECK (whole_points IN (0, 1));
        ALTER TABLE instruments ADD COLUMN responder_at {d.real};
        ALTER TABLE adverse_events ADD COLUMN serious {INT} NOT NULL DEFAULT 0
            CHECK (serious IN (0, 1));
        ALTER TABLE adverse_events ADD COLUMN {d.date("recorded_on", required=False)};
        """
    )
    was, now = one_of("guidance", first_edition.GUIDANCE), one_of("guidance", vocab.GUIDANCE)
    d.widen_check(db, ("sessions", "injections"), "guidance", was, now)
    audit.as_migration(db)  # a new file has had no log context yet
    log_v1.create_triggers(db, ("course", "protocol", "instrument", "adverse_event"))
    # What existed before: recorded on the (local) day it was created.
    db.execute(f"UPDATE adverse_events SET recorded_on = {_LOCAL_DAY[d.name]}")
    db.execute(
        "UPDATE instruments SET whole_points = 1 WHERE builtin = 1"
        f" AND code IN ({quoted(_WHOLE_POINTS)})"
    )
    add_instruments(db, d, _GLOBAL)


def add_instruments(db: Database, d: Dialect, codes: tuple[str, ...]) -> None:
    """Add these instruments of the catalogue, as shipped (one a practice made with the same
    code before is left as it is)."""
    for shipped in (i for i in CATALOGUE if i.code in codes):
        db.execute(
            f"""{d.insert_or_ignore} INTO instruments (code, name, minimum, maximum, better,
                   mcid, mcid_unit, source, builtin, whole_points, responder_at)
               VALUES (:code, :name, :minimum, :maximum, :better, :mcid, :mcid_unit, :source,
                   1, :whole_points, :responder_at){d.or_ignore}""",
            {
                "code": shipped.code,
                "name": shipped.name,
                "minimum": shipped.minimum,
                "maximum": shipped.maximum,
                "better": shipped.better,
                "mcid": shipped.mcid,
                "mcid_unit": shipped.mcid_unit,
                "source": shipped.source,
                "whole_points": int(shipped.whole_points),
                "responder_at": shipped.responder_at,
            },
        )


@migration("0008_safety_consent_rehabilitation")
def _safety(db: Database, d: Dialect) -> None:
    """A patient's weight and safety flags; the warnings kept on a session; consent and
    rehabilitation per course."""
    T = d.text
    db.executescript(
        f"""
        ALTER TABLE patients ADD COLUMN weight_kg {d.real}
            CHECK (weight_kg IS NULL OR (weight_kg > 0 AND weight_kg <= 500));
        ALTER TABLE sessions ADD COLUMN warnings {T};
        ALTER TABLE courses ADD COLUMN {d.date("consent_on", required=False)};
        ALTER TABLE courses ADD COLUMN consent_form {T};
        ALTER TABLE protocols ADD COLUMN max_ml {d.real} CHECK (max_ml IS NULL OR max_ml > 0);
        CREATE TABLE patient_flags (
            {d.id},
            patient_id {d.reference} NOT NULL REFERENCES patients(id),
            kind {T} NOT NULL CHECK (length(trim(kind)) > 0),
            note {T},
            created_at {T} NOT NULL,
            UNIQUE (patient_id, kind)
        );
        CREATE TABLE rehabilitation (
            {d.id},
            course_id {d.reference} NOT NULL REFERENCES courses(id),
            kind {T} NOT NULL CHECK (kind IN ({quoted(REHABILITATION)})),
            {d.date("from_on", required=False)},
            {d.date("to_on", required=False)},
            note {T},
            created_at {T} NOT NULL,
            CHECK (from_on IS NULL OR to_on IS NULL OR from_on <= to_on)
        );
        CREATE INDEX rehabilitation_by_course ON rehabilitation (course_id);
        """
    )
    audit.as_migration(db)
    log_v1.create_triggers(
        db, ("patient", "session", "course", "protocol", "patient_flag", "rehabilitation")
    )
