"""Patients answering between visits: a link made for one form, the page it opens, the answers
it takes once, and the practitioner's review of what arrived (SPEC, third edition, "Patients
report between visits"; the rules in domain/form_links.py)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.actions import forms, settings
from prolotrack.actions.schedule import follow_ups_due
from prolotrack.domain import follow_up, vocab
from prolotrack.domain import form_links as rules
from prolotrack.domain.errors import InvalidInput, NotFound, Refused
from prolotrack.domain.form_catalogue import FORMS
from prolotrack.domain.form_links import Issued, Waiting
from prolotrack.domain.forms import Form
from prolotrack.domain.lookup import check_id
from prolotrack.domain.models import Course, FormLink, FormResponse
from prolotrack.storage import audit, courses
from prolotrack.storage import form_links as stored

if TYPE_CHECKING:
    from prolotrack.storage import Database


class LinkClosed(Refused):
    """A link that was used, has expired or was replaced: the page says which, and no more."""

    def __init__(self, state: str):
        self.state = state
        super().__init__(f"this link was {state}")


class LinkUnknown(NotFound):
    def __init__(self):
        super().__init__("no such link")


def base_url(db: Database) -> str:
    return settings.get(db, "form-url") or rules.DEFAULT_URL


def issue(
    db: Database,
    course: Course,
    chosen: Form,
    today: date,
    *,
    timepoint: str | None = None,
    expires: str = rules.DEFAULT_EXPIRES,
) -> Issued:
    """A new one-time link asking the course's patient for ``chosen``; a live link to the same
    form and timepoint of the course is withdrawn (one link per follow-up works at a time)."""
    if course.voided_at:
        raise Refused(f"course {course.id} was voided ({course.void_reason}); it takes no answers")
    point = str(follow_up.timepoint(timepoint)) if timepoint else None
    last_day = rules.expires_on(expires, today)
    token = secrets.token_urlsafe(rules.TOKEN_BYTES)
    stored.withdraw_live(db, course.id, chosen.code, point, today)
    link_id = stored.insert_link(
        db,
        {
            "course_id": course.id,
            "form": chosen.code,
            "timepoint": point,
            "token_hash": rules.token_hash(token),
            "expires_on": last_day.isoformat(),
        },
    )
    return Issued(
        stored.link(db, link_id), token, rules.url(base_url(db), token), course, course.patient
    )


@dataclass
class DueLinks:
    issued: list[Issued]
    pending: int  # follow-ups due that already have a live link or an answer waiting
    formless: dict[str, int]  # measure -> follow-ups due with no form that scores it


def issue_due(db: Database, today: date, expires: str = rules.DEFAULT_EXPIRES) -> DueLinks:
    """A link for every follow-up due or overdue today whose measure a form scores, unless one
    is live already or its answers wait for review."""
    rules.expires_on(expires, today)  # refused before anything is written
    due = follow_ups_due(db, today)
    pending = stored.pending_for(db, [d.course.id for d in due], today)
    issued, waiting, formless = [], 0, {}
    for d in due:
        if d.upcoming:
            continue
        chosen = rules.form_for(d.course.measure, FORMS)
        if chosen is None:
            formless[d.course.measure] = formless.get(d.course.measure, 0) + 1
            continue
        if (d.course.id, chosen.code, d.timepoint) in pending:
            waiting += 1
            continue
        course = courses.get(db, d.course.id)
        issued.append(issue(db, course, chosen, today, timepoint=d.timepoint, expires=expires))
    return DueLinks(issued, waiting, formless)


@dataclass
class Asked:
    """What a link's page shows: the patient's first name and the form, nothing else."""

    first_name: str
    form: Form
    wording: dict[str, tuple[str, str | None]]
    timepoint: str | None


def opened(db: Database, token: str, today: date) -> Asked:
    """The form a live link asks for; a link unknown, used, expired or replaced is refused."""
    link, course = _live(db, token, today)
    chosen = FORMS[link.form]
    return Asked(
        rules.first_name(course.patient.name),
        chosen,
        forms.wording(db, chosen),
        link.timepoint,
    )


def submit(db: Database, token: str, posted: dict[str, str], today: date) -> tuple[int, str]:
    """Take a link's answers once: checked and scorable by the form's rule, held as received
    (the patient, by the link, is who the audit names). Returns the response's id and the
    patient's first name, for the thank-you."""
    link, course = _live(db, token, today)
    chosen = FORMS[link.form]
    given = chosen.checked(posted)
    chosen.scored(given)  # refused, naming the rule, when too few answers score
    if not stored.use(db, link.id):
        raise LinkClosed(rules.USED)
    stored.as_patient(db)
    response_id = stored.insert_response(
        db,
        {
            "course_id": link.course_id,
            "link_id": link.id,
            "form": chosen.code,
            "form_version": chosen.version,
            "answered_on": today.isoformat(),
            "source": "link",
        },
        given,
    )
    return response_id, rules.first_name(course.patient.name)


def _live(db: Database, token: str, today: date) -> tuple[FormLink, Course]:
    """The link a token opens, and its course, if it still works (a link of a course voided
    since is withdrawn with it)."""
    link = stored.by_token_hash(db, rules.token_hash(token)) if rules.well_formed(token) else None
    if link is None:
        raise LinkUnknown()
    course = courses.get(db, link.course_id)
    state = rules.state(link, today)
    if state == rules.LIVE and course.voided_at:
        state = rules.WITHDRAWN
    if state != rules.LIVE:
        raise LinkClosed(state)
    return link, course


def inbox(db: Database) -> list[Waiting]:
    """Each response waiting for review, oldest first, with what it would score."""
    found = []
    for r in stored.waiting(db):
        course = courses.get(db, r.course_id)
        link = stored.link(db, r.link_id) if r.link_id else None
        try:
            scored = forms.derive(db, FORMS[r.form], r.answers)
            values, why = scored.values, None
        except (InvalidInput, NotFound) as error:
            values, why = {}, str(error)
        found.append(Waiting(r, course, course.patient, link.timepoint if link else None,
                             values, why))  # fmt: skip
    return found


def waiting_count(db: Database) -> int:
    return stored.count_waiting(db)


def _received(db: Database, response_id: int) -> FormResponse:
    found = stored.response(db, check_id(response_id, "response"))
    if found is None:
        raise NotFound(f"no response {response_id} (see 'prolotrack form inbox')")
    if found.status != vocab.RECEIVED:
        raise Refused(
            f"response {found.id} was {found.status} on {found.reviewed_at[:10]}"
            f" by {found.reviewed_by}"
        )
    return found


def _reviewer(db: Database) -> str:
    """Who reviews: the practitioner setting, which the audit names."""
    return settings.practitioner(db, "reviewing a patient's answers needs the practitioner's name")


def accept(db: Database, response_id: int, today: date) -> tuple[FormResponse, forms.Filled]:
    """A response counts: its answers become an answer set with its scores, as if typed on the
    day they were given (refused as a typed score would be: a second that day, a signed day)."""
    response = _received(db, response_id)
    by = _reviewer(db)
    course = courses.get(db, response.course_id)
    filled = forms.record(db, course, FORMS[response.form], response.answers,
                          response.answered_on, today)  # fmt: skip
    stored.review(db, response.id, vocab.ACCEPTED, by, None, filled.answer_set.id)
    return stored.response(db, response.id), filled


def reject(db: Database, response_id: int, reason: str) -> FormResponse:
    """A response kept out of every score, with the reason."""
    reason = vocab.note(reason, "--reason") or ""
    if not reason:
        raise InvalidInput("--reason is needed: why the response does not count")
    response = _received(db, response_id)
    by = _reviewer(db)
    audit.because(db, reason)
    stored.review(db, response.id, vocab.REJECTED, by, reason, None)
    return stored.response(db, response.id)
