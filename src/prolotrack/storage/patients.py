"""Queries on patients."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain import vocab
from prolotrack.domain.models import Patient
from prolotrack.storage import rows, sql

if TYPE_CHECKING:
    from prolotrack.storage import Database

_SELECT = "SELECT * FROM patients"


def add(db: Database, fields: dict) -> Patient:
    """Insert a patient and return them as stored."""
    return rows.patient(rows.inserted(db, "patients", rows.stamped(fields)))


def update(db: Database, patient_id: int, fields: dict) -> None:
    rows.update(db, "patients", patient_id, {**fields, "updated_at": rows.utc_now()})


def archive(db: Database, patient_id: int) -> None:
    update(db, patient_id, {"archived_at": rows.utc_now()})


def get(db: Database, patient_id: int) -> Patient | None:
    found = list(db.query(f"{_SELECT} WHERE id = :id", {"id": patient_id}))
    return rows.patient(found[0]) if found else None


def of_ids(db: Database, ids: list[int]) -> dict[int, Patient]:
    """These patients by id."""
    return {
        r["id"]: rows.patient(r) for r in rows.query_in(db, f"{_SELECT} WHERE id IN ({{ids}})", ids)
    }


def by_chart(db: Database, chart: str) -> Patient | None:
    same = f"{sql.nocase(db, 'chart')} = :chart"
    found = list(db.query(f"{_SELECT} WHERE {same}", {"chart": sql.ascii_lower(chart)}))
    return rows.patient(found[0]) if found else None


def unnumbered_named(db: Database, name: str) -> list[Patient]:
    """Patients without a chart number whose name is exactly ``name`` (any case)."""
    found = f"{_SELECT} WHERE chart IS NULL AND lower(name) = :name ORDER BY id"
    return [rows.patient(r) for r in db.query(found, {"name": sql.ascii_lower(name)})]


def charted_named(db: Database, name: str) -> list[Patient]:
    """Patients with a chart number whose name is exactly ``name`` (any case)."""
    found = f"{_SELECT} WHERE chart IS NOT NULL AND lower(name) = :name ORDER BY id"
    return [rows.patient(r) for r in db.query(found, {"name": sql.ascii_lower(name)})]


def _matching(db: Database, part: str, *, archived: bool, chart: bool) -> list[int]:
    """Ids of the patients whose name (or chart number) holds ``part`` without case or
    accents. Folded in Python, the same on both engines (``vocab.fold``)."""
    wanted = vocab.fold(part)
    live = "" if archived else " WHERE archived_at IS NULL"
    return [
        r["id"]
        for r in db.query(f"SELECT id, name, chart FROM patients{live}")
        if wanted in vocab.fold(r["name"]) or (chart and wanted in vocab.fold(r["chart"] or ""))
    ]


def name_contains(db: Database, part: str, *, archived: bool) -> list[Patient]:
    """Patients whose name contains ``part`` (any case, any accent), archived ones only if asked."""
    listed, params = sql.ids(_matching(db, part, archived=archived, chart=False))
    if not params:
        return []
    found = db.query(f"{_SELECT} WHERE id IN ({listed})", params)
    return sorted((rows.patient(r) for r in found), key=lambda p: (vocab.sort_key(p.name), p.id))


def listing(db: Database, *, search: str | None, archived: bool) -> list[tuple[Patient, dict]]:
    """Patients with their count of active courses and date of last session."""
    where, params = ["1 = 1"], {}
    if not archived:
        where.append("p.archived_at IS NULL")
    if search:
        listed, params = sql.ids(_matching(db, search, archived=archived, chart=True))
        if not params:
            return []
        where.append(f"p.id IN ({listed})")
    found = f"""
        SELECT p.*,
            (SELECT count(*) FROM courses c
              WHERE c.patient_id = p.id AND c.status = 'active' AND c.voided_at IS NULL)
              AS active_courses,
            (SELECT max(s.date) FROM courses c JOIN sessions s ON s.course_id = c.id
              WHERE c.patient_id = p.id AND s.voided_at IS NULL AND c.voided_at IS NULL)
              AS last_session_on
        FROM patients p WHERE {" AND ".join(where)}
        ORDER BY {sql.nocase(db, "p.name")}, p.id
    """
    listed = [
        (
            rows.patient(r),
            {"active_courses": r["active_courses"], "last_session": r["last_session_on"]},
        )
        for r in db.query(found, params)
    ]
    return sorted(listed, key=lambda pair: (vocab.sort_key(pair[0].name), pair[0].id))
