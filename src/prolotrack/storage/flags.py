"""A patient's safety flags and a course's rehabilitation: rows in, records out."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain.models import Flag
from prolotrack.storage import rows

if TYPE_CHECKING:
    from prolotrack.storage import Database


def _flag(row: dict) -> Flag:
    return Flag(row["id"], row["patient_id"], row["kind"], row["note"], row["created_at"])


def of_patient(db: Database, patient_id: int) -> list[Flag]:
    found = "SELECT * FROM patient_flags WHERE patient_id = :patient ORDER BY id"
    return [_flag(r) for r in db.query(found, {"patient": patient_id})]


def get(db: Database, flag_id: int) -> Flag:
    return _flag(next(db.query("SELECT * FROM patient_flags WHERE id = :id", {"id": flag_id})))


def insert(db: Database, patient_id: int, kind: str, note: str | None) -> int:
    row = {"patient_id": patient_id, "kind": kind, "note": note, "created_at": rows.utc_now()}
    return rows.insert(db, "patient_flags", row)


def remove(db: Database, flag_id: int) -> None:
    db.execute("DELETE FROM patient_flags WHERE id = :id", {"id": flag_id})


def rehabilitation(db: Database, course_id: int) -> list[dict]:
    """A course's rehabilitation, as plain rows (kind, from_on, to_on, note), oldest first."""
    found = """SELECT id, kind, from_on, to_on, note FROM rehabilitation
               WHERE course_id = :course ORDER BY coalesce(from_on, ''), id"""
    return [
        {**r, "from_on": _day(r["from_on"]), "to_on": _day(r["to_on"])}
        for r in db.query(found, {"course": course_id})
    ]


def add_rehabilitation(db: Database, course_id: int, fields: dict) -> int:
    row = {**fields, "course_id": course_id, "created_at": rows.utc_now()}
    return rows.insert(db, "rehabilitation", row)


def end_rehabilitation(db: Database, entry_id: int, to_on: date) -> None:
    rows.update(db, "rehabilitation", entry_id, {"to_on": to_on.isoformat()})


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
