"""A form filled in, as FHIR R4: its answers as a QuestionnaireResponse, and the form itself as a
Questionnaire (item ids and answer options, never wording); each score derived from the answers
is an Observation whose ``derivedFrom`` points to them (``domain/fhir.py``)."""

from __future__ import annotations

import uuid

from prolotrack.domain import fhir_terms as terms
from prolotrack.domain.fhir import Bundle
from prolotrack.domain.forms import Form
from prolotrack.domain.models import AnswerSet, Course


def questionnaire(bundle: Bundle, form: Form) -> dict:
    """A form's definition: its items and their answer options, with no wording (the
    clinic's licensed text stays in the clinic)."""
    canonical = f"{terms.FORM_SYSTEM}:{form.code}"
    resource = {
        "resourceType": "Questionnaire",
        "id": f"form-{form.code}",
        "url": canonical,
        "version": form.version,
        "title": form.name,
        "status": "active",
        "item": [
            {
                "linkId": item.id,
                "type": "choice",
                "answerOption": [{"valueInteger": v} for v in range(item.low, item.high + 1)],
            }
            for item in form.items
        ],
    }
    identity = uuid.uuid5(bundle.namespace, f"Questionnaire/{form.code}|{form.version}")
    return {"fullUrl": f"urn:uuid:{identity}", "resource": resource}


def response(bundle: Bundle, a: AnswerSet, c: Course) -> dict:
    """A form's answers as given: each item by its id, none where not answered; the form
    and its version as the questionnaire's canonical reference."""
    body: dict = {
        "questionnaire": f"{terms.FORM_SYSTEM}:{a.form}|{a.form_version}",
        "status": "completed",
        "subject": bundle.ref("Patient", c.patient_id),
        "authored": a.taken_on.isoformat(),
        "item": [
            {
                "linkId": item,
                **({"answer": [{"valueInteger": value}]} if value is not None else {}),
            }
            for item, value in a.answers.items()
        ],
    }
    if a.session_id:
        body["encounter"] = bundle.ref("Encounter", a.session_id)
    return bundle.entry("QuestionnaireResponse", a.id, body)
