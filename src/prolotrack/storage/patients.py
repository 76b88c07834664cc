"""Queries on patients."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain.models import Patient
from prolotrack.storage import rows

if TYPE_CHECKING:
    from sqlite_utils import Database

_SELECT = "SELECT * FROM patients"


def insert(db: Database, fields: dict) -> int:
    now = rows.utc_now()
    return db["patients"].insert({**fields, "created_at": now, "updated_at": now}).last_pk


def update(db: Database, patient_id: int, fields: dict) -> None:
    db["patients"].update(patient_id, {**fields, "updated_at": rows.utc_now()})


def archive(db: Database, patient_id: int) -> None:
    update(db, patient_id, {"archived_at": rows.utc_now()})


def get(db: Database, patient_id: int) -> Patient | None:
    found = list(db.query(f"{_SELECT} WHERE id = ?", [patient_id]))
    return rows.patient(found[0]) if found else None


def by_chart(db: Database, chart: str) -> Patient | None:
    found = list(db.query(f"{_SELECT} WHERE chart = ? COLLATE NOCASE", [chart]))
    return rows.patient(found[0]) if found else None


def unnumbered_named(db: Database, name: str) -> list[Patient]:
    """Patients without a chart number whose name is exactly ``name`` (any case)."""
    sql = f"{_SELECT} WHERE chart IS NULL AND lower(name) = lower(?) ORDER BY id"
    return [rows.patient(r) for r in db.query(sql, [name])]


def charted_named(db: Database, name: str) -> list[Patient]:
    """Patients with a chart number whose name is exactly ``name`` (any case)."""
    sql = f"{_SELECT} WHERE chart IS NOT NULL AND lower(name) = lower(?) ORDER BY id"
    return [rows.patient(r) for r in db.query(sql, [name])]


def name_contains(db: Database, part: str, *, archived: bool) -> list[Patient]:
    """Patients whose name contains ``part`` (any case), archived ones only if asked."""
    where = "instr(prolotrack_fold(name), prolotrack_fold(?)) > 0"
    if not archived:
        where += " AND archived_at IS NULL"
    return [rows.patient(r) for r in db.query(f"{_SELECT} WHERE {where} ORDER BY name", [part])]


def listing(db: Database, *, search: str | None, archived: bool) -> list[tuple[Patient, dict]]:
    """Patients with their count of active courses and date of last session."""
    where, params = ["1 = 1"], []
    if not archived:
        where.append("p.archived_at IS NULL")
    if search:
        where.append(
            "(instr(prolotrack_fold(p.name), prolotrack_fold(?)) > 0"
            " OR instr(prolotrack_fold(p.chart), prolotrack_fold(?)) > 0)"
        )
        params += [search, search]
    sql = f"""
        SELECT p.*,
            (SELECT count(*) FROM courses c
              WHERE c.patient_id = p.id AND c.status = 'active' AND c.voided_at IS NULL)
              AS active_courses,
            (SELECT max(s.date) FROM courses c JOIN sessions s ON s.course_id = c.id
              WHERE c.patient_id = p.id AND s.voided_at IS NULL AND c.voided_at IS NULL)
              AS last_session_on
        FROM patients p WHERE {" AND ".join(where)}
        ORDER BY p.name COLLATE NOCASE, p.id
    """
    return [
        (
            rows.patient(r),
            {"active_courses": r["active_courses"], "last_session": r["last_session_on"]},
        )
        for r in db.query(sql, params)
    ]
