"""The record as FHIR R4 resources (clinical-reference.md sections 5 and 8).

patient -> Patient, with AllergyIntolerance for an allergy flag and Flag for the others; course
-> Condition, EpisodeOfCare and, once given, Consent; session -> Encounter, and its anaesthetic
-> MedicationAdministration; injection site -> Procedure (body site and laterality) with a
MedicationAdministration part of it (the solution, its agents as ingredients with their
strengths, and the volume as the dose); score -> Observation (pain NRS as LOINC 72514-3); adverse
event -> AdverseEvent, with the event itself as a resulting Condition (its note and its
resolution date). Resources are built one patient at a time, so a whole practice streams out in
flat memory. References are ``urn:uuid:`` identifiers derived from the file's own identity, so
they are stable from one export to the next and never collide with another practice's.

Laterality uses one value set throughout: mCODE's laterality qualifier extension and its
required binding (SNOMED CT 7771000 left, 24028007 right, 51440002 right and left, 399488007
midline). The codes and data types the resources share are in ``domain/fhir_terms.py``; a
form's answers and its definition in ``domain/fhir_forms.py``, a signature in
``domain/fhir_signatures.py``.
"""

from __future__ import annotations

import uuid

from prolotrack.domain import fhir_terms as terms
from prolotrack.domain import safety
from prolotrack.domain.instruments import PAIN, Instrument
from prolotrack.domain.models import (
    AdverseEvent,
    Course,
    Flag,
    Injection,
    Patient,
    Score,
    Session,
)

ANAESTHETIC = "MedicationAdministration:anaesthetic"  # a session's own, beside its sites'
ADVERSE_CONDITION = "Condition:adverse-event"  # an adverse event as the patient had it


class Bundle:
    """Builds the resources of one file, each with a stable ``urn:uuid:`` full URL."""

    def __init__(self, file_id: str, catalogue: dict[str, Instrument]):
        self.namespace = uuid.UUID(file_id)
        self.catalogue = catalogue
        self.urls: dict[tuple[str, int], str] = {}

    def url(self, kind: str, record_id: int) -> str:
        """A resource's stable URL; each is worked out once (a Patient is referred to by
        every resource of theirs)."""
        key = (kind, record_id)
        if key not in self.urls:
            self.urls[key] = f"urn:uuid:{uuid.uuid5(self.namespace, f'{kind}/{record_id}')}"
        return self.urls[key]

    def ref(self, kind: str, record_id: int) -> dict:
        return {"reference": self.url(kind, record_id)}

    def contained(self, solution: str) -> dict:
        """What an administration contains: the Medication it gave."""
        return {"contained": [terms.medication(solution)]}

    def medication(self, solution: str) -> dict:
        """How an administration refers to what it gave: the Medication it contains."""
        return {"reference": "#solution", "display": solution}

    def medications(self, solution: str) -> list[dict]:
        """The resources a solution needs of its own before it is given: none in a Bundle."""
        return []

    def entry(self, kind: str, record_id: int, body: dict, key: str | None = None) -> dict:
        """A resource of type ``kind``; ``key`` names a second kind of resource of that type
        made from one record (``Condition:adverse-event``), for its id and its URL."""
        key = key or kind
        name = key.lower().replace(":", "-")
        resource = {"resourceType": kind, "id": f"{name}-{record_id}", **body}
        return {"fullUrl": self.url(key, record_id), "resource": resource}

    def patient(self, p: Patient) -> dict:
        body: dict = {"active": p.archived_at is None, "name": [terms.name(p.name)]}
        if p.chart:
            body["identifier"] = [{"system": terms.CHART_SYSTEM, "value": p.chart}]
        if p.phone:
            body["telecom"] = [{"system": "phone", "value": p.phone}]
        if p.sex:
            body["gender"] = terms.GENDER[p.sex]
        if p.born:
            body["birthDate"] = p.born.isoformat()
        return self.entry("Patient", p.id, body)

    def condition(self, c: Course) -> dict:
        code: dict = {"text": c.condition}
        if c.icd10:
            code["coding"] = [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": c.icd10}]
        body: dict = {
            "code": code,
            "subject": self.ref("Patient", c.patient_id),
            "recordedDate": c.started_on.isoformat(),
        }
        # A completed course leaves the condition inactive from its closing day; a course still
        # running, or discontinued, leaves it active (the treatment stopped, not the condition).
        inactive = c.status == "completed" and c.closed_on is not None
        body["clinicalStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "inactive" if inactive else "active",
                }
            ]
        }
        if inactive:
            body["abatementDateTime"] = c.closed_on.isoformat()
        if c.region:
            body["bodySite"] = [terms.body_site(c.region, c.side)]
        return self.entry("Condition", c.id, body)

    def episode(self, c: Course) -> dict:
        period = {"start": c.started_on.isoformat()}
        if c.closed_on:
            period["end"] = c.closed_on.isoformat()
        return self.entry(
            "EpisodeOfCare",
            c.id,
            {
                "status": "active" if c.is_open else "finished",
                "type": [{"text": f"prolotherapy course: {c.condition}"}],
                "diagnosis": [{"condition": self.ref("Condition", c.id)}],
                "patient": self.ref("Patient", c.patient_id),
                "period": period,
            },
        )

    def encounter(self, s: Session, c: Course) -> dict:
        body: dict = {
            "status": "finished",
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB",
                "display": "ambulatory",
            },
            "type": [{"text": f"prolotherapy session {s.number}"}],
            "subject": self.ref("Patient", c.patient_id),
            "episodeOfCare": [self.ref("EpisodeOfCare", c.id)],
            "period": {"start": s.given_on.isoformat(), "end": s.given_on.isoformat()},
            "reasonReference": [self.ref("Condition", c.id)],
        }
        if s.practitioner:
            body["participant"] = [{"individual": {"display": s.practitioner}}]
        return self.entry("Encounter", s.id, body)

    def procedure(self, i: Injection, s: Session, c: Course) -> dict:
        points = f", {i.points} needle entry point" + ("s" if i.points != 1 else "")
        guidance = f", {i.guidance} guidance" if i.guidance else ""
        return self.entry(
            "Procedure",
            i.id,
            {
                "status": "completed",
                "code": terms.PROLOTHERAPY,
                "subject": self.ref("Patient", c.patient_id),
                "encounter": self.ref("Encounter", s.id),
                "performedDateTime": s.given_on.isoformat(),
                "reasonReference": [self.ref("Condition", c.id)],
                "bodySite": [terms.body_site(i.site, i.side)],
                "note": [{"text": f"{i.volume_ml:g} mL of {i.solution}{points}{guidance}"}],
            },
        )

    def injected(self, i: Injection, s: Session, c: Course) -> dict:
        """What an injection gave: the solution with its agents as ingredients, the volume as the
        dose, part of the injection's Procedure."""
        return self.entry(
            "MedicationAdministration",
            i.id,
            {
                **self.contained(i.solution),
                "status": "completed",
                "medicationReference": self.medication(i.solution),
                "subject": self.ref("Patient", c.patient_id),
                "context": self.ref("Encounter", s.id),
                "partOf": [self.ref("Procedure", i.id)],
                "effectiveDateTime": s.given_on.isoformat(),
                "dosage": {
                    "site": terms.body_site(i.site, i.side),
                    "dose": {
                        "value": i.volume_ml,
                        "unit": "mL",
                        "system": terms.UCUM,
                        "code": "mL",
                    },
                },
            },
        )

    def anaesthetic(self, s: Session, c: Course) -> dict:
        """The session's own anaesthetic (a skin wheal, typed as text: no dose)."""
        return self.entry(
            "MedicationAdministration",
            s.id,
            key=ANAESTHETIC,
            body={
                **self.contained(s.anesthetic or ""),
                "status": "completed",
                "medicationReference": self.medication(s.anesthetic or ""),
                "subject": self.ref("Patient", c.patient_id),
                "context": self.ref("Encounter", s.id),
                "effectiveDateTime": s.given_on.isoformat(),
            },
        )

    def observation(self, sc: Score, c: Course) -> dict:
        instrument = self.catalogue[sc.instrument]
        coding = (
            terms.LOINC_PAIN_NRS
            if sc.instrument == PAIN
            else {
                "system": terms.INSTRUMENT_SYSTEM,
                "code": sc.instrument,
                "display": instrument.name,
            }
        )
        body: dict = {
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "survey",
                        }
                    ]
                }
            ],
            "code": {"coding": [coding], "text": instrument.name},
            "subject": self.ref("Patient", c.patient_id),
            "effectiveDateTime": sc.taken_on.isoformat(),
            "valueQuantity": {
                "value": sc.value,
                "unit": "{score}",
                "system": terms.UCUM,
                "code": "{score}",
            },
        }
        if sc.session_id:
            body["encounter"] = self.ref("Encounter", sc.session_id)
        if sc.answer_set_id:  # derived from a form's answers
            body["derivedFrom"] = [self.ref("QuestionnaireResponse", sc.answer_set_id)]
        return self.entry("Observation", sc.id, body)

    def adverse_event(self, e: AdverseEvent, s: Session, c: Course) -> dict:
        body: dict = {
            "actuality": "actual",
            "event": {"text": e.kind},
            "subject": self.ref("Patient", c.patient_id),
            "encounter": self.ref("Encounter", s.id),
            "date": e.onset_on.isoformat(),
            "seriousness": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                        "code": "serious" if e.serious else "non-serious",
                    }
                ]
            },
            "severity": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/adverse-event-severity",
                        "code": e.severity,
                    }
                ]
            },
            "outcome": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/adverse-event-outcome",
                        "code": "resolved" if e.resolved_on else "ongoing",
                    }
                ]
            },
            "resultingCondition": [self.ref(ADVERSE_CONDITION, e.id)],
            "suspectEntity": [{"instance": self.ref("Procedure", i.id)} for i in s.injections],
        }
        if e.recorded_on:
            body["recordedDate"] = e.recorded_on.isoformat()
        if not body["suspectEntity"]:
            del body["suspectEntity"]
        return self.entry("AdverseEvent", e.id, body)

    def adverse_condition(self, e: AdverseEvent, c: Course) -> dict:
        """The adverse event as the patient had it: onset, resolution and the note."""
        body: dict = {
            "clinicalStatus": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        "code": "resolved" if e.resolved_on else "active",
                    }
                ]
            },
            "code": {"text": f"adverse event after prolotherapy: {e.kind}"},
            "subject": self.ref("Patient", c.patient_id),
            "onsetDateTime": e.onset_on.isoformat(),
        }
        if e.resolved_on:
            body["abatementDateTime"] = e.resolved_on.isoformat()
        if e.note:
            body["note"] = [{"text": e.note}]
        return self.entry("Condition", e.id, body, key=ADVERSE_CONDITION)

    def flag(self, f: Flag, p: Patient) -> dict:
        """An allergy flag as AllergyIntolerance; any other as a Flag."""
        if f.kind.startswith("allergy:"):
            substance = f.kind.removeprefix("allergy:")
            body: dict = {
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                            "code": "active",
                        }
                    ]
                },
                "category": ["food" if substance in ("fish", "corn") else "medication"],
                "code": {"text": terms.ALLERGENS.get(substance, substance)},
                "patient": self.ref("Patient", p.id),
            }
            if f.note:
                body["note"] = [{"text": f.note}]
            return self.entry("AllergyIntolerance", f.id, body)
        text = safety.meaning(f.kind) + (f" ({f.note})" if f.note else "")
        return self.entry(
            "Flag",
            f.id,
            {
                "status": "active",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/flag-category",
                                "code": "clinical",
                            }
                        ]
                    }
                ],
                "code": {"text": text},
                "subject": self.ref("Patient", p.id),
            },
        )

    def consent(self, c: Course) -> dict:
        assert c.consent_on is not None
        return self.entry(
            "Consent",
            c.id,
            {
                "status": "active",
                "scope": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                            "code": "treatment",
                        }
                    ]
                },
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://loinc.org",
                                "code": "59284-0",
                                "display": "Consent Document",
                            }
                        ]
                    }
                ],
                "patient": self.ref("Patient", c.patient_id),
                "dateTime": c.consent_on.isoformat(),
                "policyRule": {"text": c.consent_form or "the practice's consent to prolotherapy"},
                "provision": {
                    "data": [{"meaning": "related", "reference": self.ref("EpisodeOfCare", c.id)}]
                },
            },
        )
