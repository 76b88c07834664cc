"""Starting, correcting, closing, reopening and voiding treatment courses."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from prolotrack.actions import lookup
from prolotrack.domain import follow_up, vocab
from prolotrack.domain.errors import InvalidInput, NotFound, Refused
from prolotrack.domain.models import Course, Patient
from prolotrack.storage import audit, courses, flags, scores, settings

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.courses import (
    DEFAULT_INTERVAL,
    DEFAULT_MEASURE,
    REHABILITATION,
    CourseChanges,
    CoursePlan,
    refuse_voided,
)


def check_measure(db: Database, code: str, catalogue: dict | None = None) -> str:
    """The instrument's code, if the practice has it (``catalogue``: its instruments by code,
    when read already)."""
    code = code.strip().lower()
    found = code in catalogue if catalogue is not None else scores.instrument(db, code) is not None
    if not found:
        known = ", ".join(i.code for i in scores.instruments(db))
        raise NotFound(f"unknown instrument {code!r} (known: {known})")
    return code


def start(
    db: Database, patient: Patient, plan: CoursePlan, today: date, catalogue: dict | None = None
) -> Course:
    if patient.archived_at:
        raise Refused(f"{patient.label} is archived; a course cannot be started for them")
    template = lookup.protocol(db, plan.protocol) if plan.protocol else None
    if template is not None:  # the template fills what was not given: explicit options win
        plan.interval = plan.interval or template.interval
        plan.planned_sessions = plan.planned_sessions or template.planned_sessions
        plan.measure = plan.measure or template.measure
        plan.follow_up = plan.follow_up or template.follow_up
    if plan.started_on > today:
        raise InvalidInput(
            f"a course cannot start after today ({plan.started_on.isoformat()} is after"
            f" {today.isoformat()}); start it on the day of its first session"
        )
    fields = {
        "patient_id": patient.id,
        "condition": vocab.text(plan.condition, "condition"),
        "region": vocab.text(plan.region, "region") if plan.region is not None else None,
        "side": vocab.side(plan.side) if plan.side is not None else None,
        "icd10": vocab.icd10(plan.icd10) if plan.icd10 is not None else None,
        "measure": check_measure(db, plan.measure or DEFAULT_MEASURE, catalogue),
        "interval": str(plan.interval or DEFAULT_INTERVAL),
        "planned_sessions": (
            vocab.planned_sessions(plan.planned_sessions)
            if plan.planned_sessions is not None
            else None
        ),
        "started_on": plan.started_on.isoformat(),
        "status": "active",
        "protocol": template.name if template else None,
        "follow_up": follow_up.normal(plan.follow_up or practice_follow_up(db)),
    }
    return courses.start(db, fields, patient)


def practice_follow_up(db: Database) -> str:
    """The practice's follow-up timepoints: the ``follow-up`` setting, else 3m,6m,12m."""
    return settings.get(db, "follow-up") or follow_up.DEFAULT


def timepoints_of(db: Database, course: Course) -> str:
    """The course's timepoints as stored; a course from before they were kept has the
    practice's."""
    return course.follow_up or practice_follow_up(db)


def close(
    db: Database, course: Course, status: str, closed_on: date, today: date, reason: str | None
) -> Course:
    """Mark a course completed or discontinued; it then takes no new session."""
    status = vocab.one_of(status, vocab.CLOSED_STATUSES, "status")
    refuse_voided(course)
    if not course.is_open:
        raise Refused(f"course {course.id} is already {course.status} (on {course.closed_on})")
    vocab.not_after(closed_on, today, "closing date")
    earliest = course.last_session_on or course.started_on
    if closed_on < earliest:
        raise InvalidInput(
            f"closing date {closed_on.isoformat()} is before the course's last session or start"
            f" ({earliest.isoformat()})"
        )
    courses.update(
        db,
        course.id,
        {
            "status": status,
            "closed_on": closed_on.isoformat(),
            "close_reason": vocab.note(reason, "reason"),
        },
    )
    return courses.get(db, course.id)


def reopen(db: Database, course: Course, reason: str) -> Course:
    """A course closed in error becomes active again."""
    refuse_voided(course)
    if course.status == "active":
        raise Refused(f"course {course.id} is active already; only a closed course is reopened")
    audit.because(db, vocab.reason(reason))
    courses.update(db, course.id, {"status": "active", "closed_on": None, "close_reason": None})
    return courses.get(db, course.id)


def void(db: Database, course: Course, reason: str) -> Course:
    """A course entered in error: it stays in the file, marked, out of every report."""
    refuse_voided(course)
    why = vocab.reason(reason)
    audit.because(db, why)
    courses.void(db, course.id, why)
    return courses.get(db, course.id)


def edit(db: Database, course: Course, changes: CourseChanges, reason: str, today: date) -> Course:
    """Correct a course's fields; the reason is kept in the audit log with the change."""
    refuse_voided(course)
    fields = _checked(db, course, changes, today)
    if not fields:
        raise InvalidInput(
            "nothing to change: give at least one of --condition, --region, --side, --icd10,"
            " --measure, --every, --sessions, --date, --protocol, --follow-up"
        )
    audit.because(db, vocab.reason(reason))
    courses.update(db, course.id, fields)
    return courses.get(db, course.id)


def _checked(db: Database, course: Course, c: CourseChanges, today: date) -> dict:
    fields: dict = {}
    if c.condition is not None:
        fields["condition"] = vocab.text(c.condition, "condition")
    if c.region is not None:
        fields["region"] = vocab.text(c.region, "region")
    if c.side is not None:
        fields["side"] = vocab.side(c.side)
    if c.icd10 is not None:
        fields["icd10"] = vocab.icd10(c.icd10)
    if c.measure is not None:
        fields["measure"] = check_measure(db, c.measure)
    if c.interval is not None:
        fields["interval"] = str(c.interval)
    if c.planned_sessions is not None:
        planned = vocab.planned_sessions(c.planned_sessions)
        if planned < course.sessions_done:
            raise InvalidInput(
                f"course {course.id} has {vocab.plural(course.sessions_done, 'session')} done:"
                f" planned sessions cannot be fewer ({planned} given)"
            )
        fields["planned_sessions"] = planned
    if c.started_on is not None:
        vocab.not_after(c.started_on, today, "start date")
        first = courses.first_session_on(db, course.id)
        if first is not None and c.started_on > first:
            raise InvalidInput(
                f"start date {c.started_on.isoformat()} is after the course's first session"
                f" ({first.isoformat()})"
            )
        fields["started_on"] = c.started_on.isoformat()
    if c.protocol is not None:
        fields["protocol"] = lookup.protocol(db, c.protocol).name
    if c.follow_up is not None:
        fields["follow_up"] = follow_up.normal(c.follow_up)
    return fields


def consent(db: Database, course: Course, on: date, form: str | None, today: date) -> Course:
    """Record the patient's consent to the course (the day it was given, the form used)."""
    refuse_voided(course)
    vocab.not_after(on, today, "consent date")
    courses.update(
        db, course.id, {"consent_on": on.isoformat(), "consent_form": vocab.note(form, "form")}
    )
    return courses.get(db, course.id)


def research_consent(db: Database, course: Course, on: date, today: date) -> Course:
    """The patient's consent to the course's pseudonymised outcomes going to research (a
    registry of clinics takes its rows from then on); given again after a withdrawal, it
    resumes."""
    refuse_voided(course)
    vocab.not_after(on, today, "consent date")
    if course.research_consent_on and not course.research_withdrawn_on:
        raise Refused(
            f"{course.label} has research consent already, since"
            f" {course.research_consent_on.isoformat()}"
        )
    courses.update(
        db,
        course.id,
        {"research_consent_on": on.isoformat(), "research_withdrawn_on": None},
    )
    return courses.get(db, course.id)


def withdraw_research(db: Database, course: Course, on: date, today: date) -> Course:
    """Consent to research withdrawn: no further row of the course goes to a registry."""
    refuse_voided(course)
    vocab.not_after(on, today, "withdrawal date")
    if not course.research_consent_on or course.research_withdrawn_on:
        raise Refused(f"{course.label} has no research consent to withdraw")
    if on < course.research_consent_on:
        raise InvalidInput(
            f"withdrawal date {on.isoformat()} is before the research consent of"
            f" {course.research_consent_on.isoformat()}"
        )
    courses.update(db, course.id, {"research_withdrawn_on": on.isoformat()})
    return courses.get(db, course.id)


def rehabilitation(
    db: Database,
    course: Course,
    kind: str,
    since: date | None,
    until: date | None,
    note: str | None,
) -> dict:
    """Record rehabilitation alongside the injections (exercise, physiotherapy, a brace...);
    ``--to`` alone ends the open entry of that kind rather than adding one."""
    refuse_voided(course)
    kind = vocab.one_of(kind, REHABILITATION, "rehabilitation")
    if since and until and until < since:
        raise InvalidInput(f"--to {until.isoformat()} is before --from {since.isoformat()}")
    open_entry = next(
        (
            r
            for r in flags.rehabilitation(db, course.id)
            if r["kind"] == kind and r["to_on"] is None
        ),
        None,
    )
    if until and not since and note is None and open_entry is not None:  # --to ends it
        if open_entry["from_on"] and until < open_entry["from_on"]:
            raise InvalidInput(
                f"--to {until.isoformat()} is before the {kind} begun on"
                f" {open_entry['from_on'].isoformat()}"
            )
        flags.end_rehabilitation(db, open_entry["id"], until)
        return next(r for r in flags.rehabilitation(db, course.id) if r["id"] == open_entry["id"])
    fields = {
        "kind": kind,
        "from_on": since.isoformat() if since else None,
        "to_on": until.isoformat() if until else None,
        "note": vocab.note(note),
    }
    made = flags.add_rehabilitation(db, course.id, fields)
    return next(r for r in flags.rehabilitation(db, course.id) if r["id"] == made)
