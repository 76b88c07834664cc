"""Recording and changing patients."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain import vocab
from prolotrack.domain.errors import InvalidInput, Refused
from prolotrack.domain.models import Patient
from prolotrack.storage import courses, patients

if TYPE_CHECKING:
    from prolotrack.storage import Database


def _fields(today: date, **given) -> dict:
    """Check and normalise the given patient fields (``None`` means not given)."""
    fields: dict = {}
    if given.get("name") is not None:
        fields["name"] = vocab.text(given["name"], "name")
    if given.get("chart") is not None:
        chart = " ".join(given["chart"].split())
        if not chart:
            raise InvalidInput("chart number cannot be empty")
        fields["chart"] = vocab.printable(chart, "chart number")
    if given.get("born") is not None:
        fields["born"] = vocab.not_after(given["born"], today, "birth date").isoformat()
    if given.get("sex") is not None:
        fields["sex"] = vocab.sex(given["sex"])
    for key in ("phone", "note"):
        if given.get(key) is not None:
            fields[key] = vocab.note(given[key], key)
    if given.get("weight_kg") is not None:
        fields["weight_kg"] = weight(given["weight_kg"])
    return fields


def weight(kg: float) -> float:
    """A body weight in kg, for the anaesthetic limits in mg/kg."""
    if not 0 < kg <= 500:
        raise InvalidInput(f"weight {kg:g} kg is out of range (more than 0, at most 500 kg)")
    return kg


def _chart_free(db: Database, chart: str | None, patient_id: int | None = None) -> None:
    if chart is None:
        return
    holder = patients.by_chart(db, chart)
    if holder and holder.id != patient_id:
        raise Refused(f"chart number {chart!r} already belongs to {holder.label}")


def add(db: Database, today: date, **given) -> Patient:
    """Record a new patient; the chart number, when given, must be unused."""
    if given.get("name") is None:
        raise InvalidInput("a patient needs a name")
    fields = _fields(today, **given)
    _chart_free(db, fields.get("chart"))
    return patients.get(db, patients.insert(db, fields))


def edit(db: Database, patient: Patient, today: date, **given) -> Patient:
    fields = _fields(today, **given)
    if not fields:
        raise InvalidInput(
            "nothing to change: give at least one of"
            " --name, --chart, --born, --sex, --phone, --note, --weight"
        )
    _chart_free(db, fields.get("chart"), patient.id)
    patients.update(db, patient.id, fields)
    return patients.get(db, patient.id)


def archive(db: Database, patient: Patient) -> Patient:
    """Hide a patient from lists; their records stay. Refused while a course is active."""
    if patient.archived_at:
        raise Refused(f"{patient.label} is already archived")
    active = courses.listing(db, patient_id=patient.id, status="active")
    if active:
        raise Refused(
            f"{patient.label} has {len(active)} active course(s); close them first"
            " with 'prolotrack course close'"
        )
    patients.archive(db, patient.id)
    return patients.get(db, patient.id)
