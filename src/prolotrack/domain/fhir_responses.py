"""FHIR R4 QuestionnaireResponse resources from another tool, read into a form's answers: the
patient by chart (an identifier), the form by its canonical or code, each answer by its item's
``linkId``. Pure reading and checking; the record is matched in ``actions/form_import.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from prolotrack.domain import fhir_terms as terms
from prolotrack.domain.errors import InvalidInput, NotFound
from prolotrack.domain.forms import Form

TAKEN = ("completed", "amended")  # a response still in progress is not an answer


@dataclass
class ReadResponse:
    entry: int  # 1-based: the Bundle's entry, or 1 for a lone resource
    chart: str
    form: Form
    answered_on: date
    answers: dict[str, int | None]
    external_id: str | None


def entries(document: object) -> Iterator[tuple[int, dict]]:
    """(entry number, resource) of each QuestionnaireResponse in one resource or a Bundle;
    a Bundle's other resources (its patients, questionnaires) are context, not entries."""
    if not isinstance(document, dict) or "resourceType" not in document:
        raise InvalidInput("is not a FHIR resource (no resourceType)")
    kind = document["resourceType"]
    if kind == "QuestionnaireResponse":
        yield 1, document
        return
    if kind != "Bundle":
        raise InvalidInput(f"is a {kind}, not a QuestionnaireResponse or a Bundle of them")
    for n, entry in enumerate(document.get("entry") or [], start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "QuestionnaireResponse":
            yield n, resource


def patients_by_reference(document: object) -> dict[str, dict]:
    """A Bundle's Patient resources by the references that can name them (fullUrl, Type/id)."""
    found: dict[str, dict] = {}
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        for entry in document.get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
                if entry.get("fullUrl"):
                    found[entry["fullUrl"]] = resource
                if resource.get("id"):
                    found[f"Patient/{resource['id']}"] = resource
    return found


def read(
    n: int, resource: dict, forms: Mapping[str, Form], patients: Mapping[str, dict], today: date
) -> ReadResponse:
    """One response's chart, form, date and answers, each checked; the first problem refuses
    it (InvalidInput naming it)."""
    status = resource.get("status")
    if status not in TAKEN:
        raise InvalidInput(f"status {status!r}: only a completed response is taken")
    chosen = _form(resource.get("questionnaire"), forms)
    chart = _chart(resource.get("subject"), patients)
    answered_on = _authored(resource.get("authored"), today)
    given: dict[str, object] = {}
    for item in _items(resource.get("item") or []):
        link_id = str(item.get("linkId") or "")
        it = chosen.item(link_id) if link_id else None
        if it is None:
            raise InvalidInput("an item has no linkId")
        if it.id in given:
            raise InvalidInput(f"item {it.id} is answered twice")
        given[it.id] = _value(chosen, it.id, item.get("answer") or [])
    answers = chosen.checked(given)
    chosen.scored(answers)  # refused, naming the rule, when too few answers score
    return ReadResponse(n, chart, chosen, answered_on, answers, resource.get("id"))


def _form(canonical: object, forms: Mapping[str, Form]) -> Form:
    """``urn:prolotrack:form:odi|2.1a``, ``http://.../Questionnaire/odi`` or ``odi``."""
    if not isinstance(canonical, str) or not canonical.strip():
        raise InvalidInput("no questionnaire: which form it answers is not said")
    url = canonical.strip().split("|", 1)[0]
    prefix = f"{terms.FORM_SYSTEM}:"
    code = url[len(prefix) :] if url.startswith(prefix) else url.rstrip("/").rsplit("/", 1)[-1]
    found = forms.get(code.lower())
    if found is None:
        raise NotFound(
            f"questionnaire {canonical!r} is not a form prolotrack scores"
            f" (known: {', '.join(forms)})"
        )
    return found


def _chart(subject: object, patients: Mapping[str, dict]) -> str:
    if not isinstance(subject, dict):
        raise InvalidInput("no subject: whose answers they are is not said")
    identifiers = [subject["identifier"]] if isinstance(subject.get("identifier"), dict) else []
    patient = patients.get(str(subject.get("reference") or ""))
    if patient:
        identifiers += [i for i in patient.get("identifier") or [] if isinstance(i, dict)]
    charts = [i for i in identifiers if i.get("value")]
    ours = [i for i in charts if i.get("system") == terms.CHART_SYSTEM]
    if not (ours or charts):
        raise InvalidInput(
            "the subject has no identifier to match a patient's chart by (subject.identifier,"
            " or a Patient in the Bundle with one)"
        )
    return str((ours or charts)[0]["value"]).strip()


def _authored(text: object, today: date) -> date:
    try:
        day = date.fromisoformat(str(text)[:10])
    except ValueError:
        raise InvalidInput(f"authored {text!r} is not a date (YYYY-MM-DD...)") from None
    if day > today:
        raise InvalidInput(f"authored {day.isoformat()} is after today")
    return day


def _items(items: list) -> Iterator[dict]:
    """Every answered question, groups opened."""
    for item in items:
        if not isinstance(item, dict):
            continue
        if item.get("item"):
            yield from _items(item["item"])
        if "answer" in item or not item.get("item"):
            yield item


def _value(chosen: Form, item: str, answers: list) -> object:
    if not answers:
        return None
    if len(answers) > 1:
        raise InvalidInput(f"item {item} has {len(answers)} answers; one is taken")
    answer = answers[0] if isinstance(answers[0], dict) else {}
    for key in ("valueInteger", "valueDecimal", "valueString"):
        if key in answer:
            value = answer[key]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return value
    coding = answer.get("valueCoding")
    if isinstance(coding, dict) and "code" in coding:
        return coding["code"]
    raise InvalidInput(
        f"item {item}: answer {answer!r} is not a number (valueInteger, or valueCoding with a"
        " numeric code)"
    )
