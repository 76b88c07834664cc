"""Flagging what a patient must not be given (and taking a flag away)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain import vocab
from prolotrack.domain.errors import NotFound, Refused
from prolotrack.domain.models import Flag, Patient
from prolotrack.storage import flags

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.safety import flag_kind


def add_flag(db: Database, patient: Patient, kind: str, note: str | None) -> Flag:
    kind = flag_kind(kind)
    if any(f.kind.lower() == kind.lower() for f in flags.of_patient(db, patient.id)):
        raise Refused(f"{patient.label} is already flagged {kind}")
    return flags.get(db, flags.insert(db, patient.id, kind, vocab.note(note)))


def remove_flag(db: Database, patient: Patient, kind: str) -> Flag:
    kind = flag_kind(kind)
    found = next(
        (f for f in flags.of_patient(db, patient.id) if f.kind.lower() == kind.lower()), None
    )
    if found is None:
        raise NotFound(f"{patient.label} has no flag {kind}")
    flags.remove(db, found.id)
    return found
