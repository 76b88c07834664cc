"""Recording, changing and archiving patients."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain.errors import InvalidInput, Refused
from prolotrack.domain.models import Patient
from prolotrack.storage import courses, patients

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.patients import checked_fields


def _chart_free(db: Database, chart: str | None, patient_id: int | None = None) -> None:
    if chart is None:
        return
    holder = patients.by_chart(db, chart)
    if holder and holder.id != patient_id:
        raise Refused(f"chart number {chart!r} already belongs to {holder.label}")


def add(db: Database, today: date, *, chart_unused: bool = False, **given) -> Patient:
    """Record a new patient; the chart number, when given, must be unused (``chart_unused``:
    the caller found it so in this transaction, as an import does before it adds one)."""
    if given.get("name") is None:
        raise InvalidInput("a patient needs a name")
    fields = checked_fields(today, **given)
    if not chart_unused:
        _chart_free(db, fields.get("chart"))
    return patients.add(db, fields)


def edit(db: Database, patient: Patient, today: date, **given) -> Patient:
    fields = checked_fields(today, **given)
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
