"""The record as FHIR R4 resources (clinical-reference.md section 5).

patient -> Patient; course -> Condition and EpisodeOfCare; session -> Encounter; injection site
-> Procedure (body site text, laterality, solution and volume); score -> Observation (pain NRS as
LOINC 72514-3); adverse event -> AdverseEvent. Resources are built one patient at a time, so a
whole practice streams out in flat memory. References are ``urn:uuid:`` identifiers derived from
the file's own identity, so they are stable from one export to the next and never collide with
another practice's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prolotrack.domain.instruments import PAIN, Instrument
from prolotrack.domain.models import AdverseEvent, Course, Injection, Patient, Score, Session
from prolotrack.storage import courses, exports, patients, scores, sessions

if TYPE_CHECKING:
    from prolotrack.storage import Database

LOINC_PAIN_NRS = {
    "system": "http://loinc.org",
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
INSTRUMENT_SYSTEM = "urn:prolotrack:instrument"
CHART_SYSTEM = "urn:prolotrack:chart"
VOLUME_EXTENSION = "urn:prolotrack:fhir:injected-volume"
LATERALITY_EXTENSION = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
PROLOTHERAPY = {
    "coding": [
        {
            "system": "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
            "code": "M0076",
            "display": "Prolotherapy",
        }
    ],
    "text": "prolotherapy injection",
}
# R4 laterality (SNOMED CT); R5 uses other codes. Midline has none.
LATERALITY = {
    "left": ("419161000", "Unilateral left"),
    "right": ("419465000", "Unilateral right"),
    "bilateral": ("51440002", "Right and left"),
}
GENDER = {"F": "female", "M": "male", "X": "other"}
UCUM = "http://unitsofmeasure.org"


class Bundle:
    """Builds the resources of one file, each with a stable ``urn:uuid:`` full URL."""

    def __init__(self, file_id: str, catalogue: dict[str, Instrument]):
        self.namespace = uuid.UUID(file_id)
        self.catalogue = catalogue

    def url(self, kind: str, record_id: int) -> str:
        return f"urn:uuid:{uuid.uuid5(self.namespace, f'{kind}/{record_id}')}"

    def ref(self, kind: str, record_id: int) -> dict:
        return {"reference": self.url(kind, record_id)}

    def entry(self, kind: str, record_id: int, body: dict) -> dict:
        resource = {"resourceType": kind, "id": f"{kind.lower()}-{record_id}", **body}
        return {"fullUrl": self.url(kind, record_id), "resource": resource}

    def patient(self, p: Patient) -> dict:
        body: dict = {"active": p.archived_at is None, "name": [{"text": p.name}]}
        if p.chart:
            body["identifier"] = [{"system": CHART_SYSTEM, "value": p.chart}]
        if p.phone:
            body["telecom"] = [{"system": "phone", "value": p.phone}]
        if p.sex:
            body["gender"] = GENDER[p.sex]
        if p.born:
            body["birthDate"] = p.born.isoformat()
        return self.entry("Patient", p.id, body)

    def condition(self, c: Course) -> dict:
        code: dict = {"text": c.condition}
        if c.icd10:
            code["coding"] = [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": c.icd10}]
        body: dict = {"code": code, "subject": self.ref("Patient", c.patient_id),
                      "recordedDate": c.started_on.isoformat()}  # fmt: skip
        if c.is_open:
            body["clinicalStatus"] = {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active"}]}  # fmt: skip
        if c.region:
            body["bodySite"] = [_body_site(c.region, c.side)]
        return self.entry("Condition", c.id, body)

    def episode(self, c: Course) -> dict:
        period = {"start": c.started_on.isoformat()}
        if c.closed_on:
            period["end"] = c.closed_on.isoformat()
        return self.entry("EpisodeOfCare", c.id, {
            "status": "active" if c.is_open else "finished",
            "type": [{"text": f"prolotherapy course: {c.condition}"}],
            "diagnosis": [{"condition": self.ref("Condition", c.id)}],
            "patient": self.ref("Patient", c.patient_id),
            "period": period,
        })  # fmt: skip

    def encounter(self, s: Session, c: Course) -> dict:
        body: dict = {
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                      "code": "AMB", "display": "ambulatory"},
            "type": [{"text": f"prolotherapy session {s.number}"}],
            "subject": self.ref("Patient", c.patient_id),
            "episodeOfCare": [self.ref("EpisodeOfCare", c.id)],
            "period": {"start": s.given_on.isoformat(), "end": s.given_on.isoformat()},
            "reasonReference": [self.ref("Condition", c.id)],
        }  # fmt: skip
        if s.practitioner:
            body["participant"] = [{"individual": {"display": s.practitioner}}]
        return self.entry("Encounter", s.id, body)

    def procedure(self, i: Injection, s: Session, c: Course) -> dict:
        points = f", {i.points} needle entry point" + ("s" if i.points != 1 else "")
        guidance = f", {i.guidance} guidance" if i.guidance else ""
        return self.entry("Procedure", i.id, {
            "extension": [{"url": VOLUME_EXTENSION, "valueQuantity": {
                "value": i.volume_ml, "unit": "mL", "system": UCUM, "code": "mL"}}],
            "status": "completed",
            "code": PROLOTHERAPY,
            "subject": self.ref("Patient", c.patient_id),
            "encounter": self.ref("Encounter", s.id),
            "performedDateTime": s.given_on.isoformat(),
            "reasonReference": [self.ref("Condition", c.id)],
            "bodySite": [_body_site(i.site, i.side)],
            "usedCode": [{"text": i.solution}],
            "note": [{"text": f"{i.volume_ml:g} mL of {i.solution}{points}{guidance}"}],
        })  # fmt: skip

    def observation(self, sc: Score, c: Course) -> dict:
        instrument = self.catalogue[sc.instrument]
        coding = (
            LOINC_PAIN_NRS
            if sc.instrument == PAIN
            else {"system": INSTRUMENT_SYSTEM, "code": sc.instrument, "display": instrument.name}
        )
        body: dict = {
            "status": "final",
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "survey"}]}],
            "code": {"coding": [coding], "text": instrument.name},
            "subject": self.ref("Patient", c.patient_id),
            "effectiveDateTime": sc.taken_on.isoformat(),
            "valueQuantity": {"value": sc.value, "unit": "{score}", "system": UCUM,
                              "code": "{score}"},
        }  # fmt: skip
        if sc.session_id:
            body["encounter"] = self.ref("Encounter", sc.session_id)
        return self.entry("Observation", sc.id, body)

    def adverse_event(self, e: AdverseEvent, s: Session, c: Course) -> dict:
        body: dict = {
            "actuality": "actual",
            "event": {"text": e.kind},
            "subject": self.ref("Patient", c.patient_id),
            "encounter": self.ref("Encounter", s.id),
            "date": e.onset_on.isoformat(),
            "severity": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/adverse-event-severity",
                "code": e.severity}]},
            "outcome": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/adverse-event-outcome",
                "code": "resolved" if e.resolved_on else "ongoing"}]},
        }  # fmt: skip
        if s.injections:
            body["suspectEntity"] = [{"instance": self.ref("Procedure", s.injections[0].id)}]
        return self.entry("AdverseEvent", e.id, body)


def _body_site(text: str, side: str | None) -> dict:
    site: dict = {"text": text}
    if side in LATERALITY:
        code, display = LATERALITY[side]
        coding = {"system": "http://snomed.info/sct", "code": code, "display": display}
        site["extension"] = [
            {"url": LATERALITY_EXTENSION, "valueCodeableConcept": {"coding": [coding]}}
        ]
    return site


def entries(db: Database, patient_id: int | None = None) -> Iterator[dict]:
    """Every resource of the file (or of one patient), one patient at a time."""
    bundle = Bundle(exports.secret(db, "file-id"), {i.code: i for i in scores.instruments(db)})
    ids = [patient_id] if patient_id is not None else [
        r["id"] for r in db.query("SELECT id FROM patients ORDER BY id")]  # fmt: skip
    for pid in ids:
        yield bundle.patient(patients.get(db, pid))
        for c in sorted(courses.listing(db, patient_id=pid), key=lambda c: c.id):
            yield bundle.condition(c)
            yield bundle.episode(c)
            its_sessions = sessions.listing(db, course_id=c.id)
            for s in its_sessions:
                yield bundle.encounter(s, c)
                for i in s.injections:
                    yield bundle.procedure(i, s, c)
            for sc in scores.for_course(db, c.id):
                yield bundle.observation(sc, c)
            for s in its_sessions:
                for e in sessions.get(db, s.id).adverse_events:
                    yield bundle.adverse_event(e, s, c)
