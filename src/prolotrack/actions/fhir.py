"""The FHIR resources of the whole record (or one patient), read one patient at a time: for
one Bundle, or for Bulk Data files (``domain/fhir_bulk.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prolotrack.storage import (
    answers,
    courses,
    exports,
    flags,
    patients,
    scores,
    sessions,
    signatures,
)

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain import fhir_forms, fhir_signatures
from prolotrack.domain.fhir import Bundle
from prolotrack.domain.fhir_bulk import Bulk
from prolotrack.domain.form_catalogue import FORMS


def entries(db: Database, patient_id: int | None = None, *, bulk: bool = False) -> Iterator[dict]:
    """Every resource of the file (or of one patient), one patient at a time, as Bundle
    entries; ``bulk``: referred to as Bulk Data files refer to them (``entry["resource"]``)."""
    kind = Bulk if bulk else Bundle
    bundle = kind(exports.secret(db, "file-id"), {i.code: i for i in scores.instruments(db)})
    ids = (
        [patient_id]
        if patient_id is not None
        else [r["id"] for r in db.query("SELECT id FROM patients ORDER BY id")]
    )
    for pid in ids:
        bundle.urls.clear()  # a patient's resources refer to one another only: memory stays flat
        patient = patients.get(db, pid)
        yield bundle.patient(patient)
        for f in flags.of_patient(db, pid):
            yield bundle.flag(f, patient)
        for c in sorted(courses.listing(db, patient_id=pid), key=lambda c: c.id):
            yield bundle.condition(c)
            yield bundle.episode(c)
            if c.consent_on:
                yield bundle.consent(c)
            its_sessions = sessions.listing(db, course_id=c.id)
            signed = signatures.of_sessions(db, [s.id for s in its_sessions])
            for s in its_sessions:
                yield bundle.encounter(s, c)
                for g in signed[s.id]:
                    yield fhir_signatures.provenance(bundle, g, s)
                if s.anesthetic:
                    yield from bundle.medications(s.anesthetic)
                    yield bundle.anaesthetic(s, c)
                for i in s.injections:
                    yield bundle.procedure(i, s, c)
                    yield from bundle.medications(i.solution)
                    yield bundle.injected(i, s, c)
            for answered in answers.for_course(db, c.id):
                yield fhir_forms.response(bundle, answered, c)
            for sc in scores.for_course(db, c.id):
                yield bundle.observation(sc, c)
            events = sessions.adverse_events_of_course(db, c.id, live_sessions=True)
            for s in its_sessions:
                for e in events.get(s.id, []):
                    yield bundle.adverse_event(e, s, c)
                    yield bundle.adverse_condition(e, c)
    for code in answers.forms_answered(db, patient_id):  # the definitions the answers follow
        if code in FORMS:
            yield fhir_forms.questionnaire(bundle, FORMS[code])
