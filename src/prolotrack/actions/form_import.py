"""``form import``: QuestionnaireResponses from another tool, received for review like a link's
answers. Every entry is read and matched before anything is written; one problem anywhere
refuses the whole file, with a line per problem."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from prolotrack.domain import fhir_responses
from prolotrack.domain.errors import InvalidInput, NotFound, ProlotrackError
from prolotrack.domain.form_catalogue import FORMS
from prolotrack.domain.forms import Form
from prolotrack.domain.importer import ImportRefused
from prolotrack.domain.models import Course
from prolotrack.storage import answers, courses, patients, scores
from prolotrack.storage import form_links as stored

if TYPE_CHECKING:
    from prolotrack.storage import Database

LARGEST = 64 * 1024 * 1024  # bytes: responses of a whole clinic's year, and then some


def import_file(db: Database, path: Path, today: date) -> list[int]:
    """Receive each response in the file; returns their numbers."""
    document = _document(path)
    try:
        found = list(fhir_responses.entries(document))
    except InvalidInput as error:
        raise InvalidInput(f"{path} {error}") from None
    if not found:
        raise InvalidInput(f"{path} holds no QuestionnaireResponse")
    known = fhir_responses.patients_by_reference(document)
    problems, ready, seen = [], [], set()
    for n, resource in found:
        try:
            r = fhir_responses.read(n, resource, FORMS, known, today)
            course = _course(db, r.chart, r.form.code, r.form.derives, r.answered_on)
            key = (course.id, r.form.code, r.answered_on)
            if key in seen:
                raise InvalidInput(f"answers {r.form.code} of {r.answered_on} twice in this file")
            _refuse_twice(db, course, r.form, r.answered_on)
            seen.add(key)
            ready.append((r, course))
        except ProlotrackError as error:
            problems.append(f"{path}: entry {n}: {error}")
    if problems:
        raise ImportRefused(str(path), problems)
    return [
        stored.insert_response(
            db,
            {
                "course_id": course.id,
                "form": r.form.code,
                "form_version": r.form.version,
                "answered_on": r.answered_on.isoformat(),
                "source": "import",
                "external_id": r.external_id,
            },
            r.answers,
        )
        for r, course in ready
    ]


def _document(path: Path) -> object:
    try:
        if path.stat().st_size > LARGEST:
            raise InvalidInput(f"{path} is larger than {LARGEST // (1024 * 1024)} MiB")
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise NotFound(f"no file {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read {path} as UTF-8 text: {error}") from None
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{path} is not JSON: {error.msg} at line {error.lineno}") from None


def _course(db: Database, chart: str, form: str, derives: tuple, day: date) -> Course:
    """The patient's course the answers belong to: the one started by that day, or, of
    several, the one whose measure the form scores; never a guess between two."""
    owner = patients.by_chart(db, chart)
    if owner is None:
        raise NotFound(f"no patient with chart {chart!r}")
    started = [c for c in courses.listing(db, patient_id=owner.id) if c.started_on <= day]
    if len(started) > 1:
        started = [c for c in started if c.measure in derives] or started
    if not started:
        raise NotFound(f"{owner.label} has no course started by {day.isoformat()}")
    if len(started) > 1:
        listed = ", ".join(str(c.id) for c in started)
        raise InvalidInput(
            f"{owner.label} has courses {listed} that {form} could belong to; prolotrack does"
            " not guess (type these answers with 'score add COURSE --form')"
        )
    return started[0]


def _refuse_twice(db: Database, course: Course, chosen: Form, day: date) -> None:
    """Answers the course has of that day already: as a set, typed, or waiting."""
    form = chosen.code
    if any(a.form == form and a.taken_on == day for a in answers.for_course(db, course.id)):
        raise InvalidInput(f"course {course.id} already has {form} answers on {day.isoformat()}")
    already = scores.live_on(db, course.id, chosen.derives, day)
    for code in chosen.derives:
        if code in already:
            raise InvalidInput(
                f"course {course.id} already has a {code} score on {day.isoformat()}"
            )
    waiting = stored.received_on(db, course.id, form, day)
    if waiting is not None:
        raise InvalidInput(
            f"course {course.id} has {form} answers of {day.isoformat()} waiting already"
            f" (response {waiting})"
        )
