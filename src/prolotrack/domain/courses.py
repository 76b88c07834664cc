"""Starting and closing treatment courses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.dates import Interval
from prolotrack.domain import lookup, vocab
from prolotrack.domain.errors import InvalidInput, NotFound, Refused
from prolotrack.domain.models import Course, Patient
from prolotrack.storage import courses, scores

if TYPE_CHECKING:
    from prolotrack.storage import Database

DEFAULT_MEASURE = "nrs"
DEFAULT_INTERVAL = Interval(4, "w")


@dataclass
class CoursePlan:
    """What ``course start`` was given; ``None`` means the default."""

    condition: str
    started_on: date
    region: str | None = None
    side: str | None = None
    icd10: str | None = None
    measure: str | None = None
    interval: Interval | None = None
    planned_sessions: int | None = None
    protocol: str | None = None


def check_measure(db: Database, code: str) -> str:
    code = code.strip().lower()
    if scores.instrument(db, code) is None:
        known = ", ".join(i.code for i in scores.instruments(db))
        raise NotFound(f"unknown instrument {code!r} (known: {known})")
    return code


def start(db: Database, patient: Patient, plan: CoursePlan, today: date) -> Course:
    if patient.archived_at:
        raise Refused(f"{patient.label} is archived; a course cannot be started for them")
    template = lookup.protocol(db, plan.protocol) if plan.protocol else None
    if template is not None:  # the template fills what was not given: explicit options win
        plan.interval = plan.interval or template.interval
        plan.planned_sessions = plan.planned_sessions or template.planned_sessions
        plan.measure = plan.measure or template.measure
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
        "measure": check_measure(db, plan.measure or DEFAULT_MEASURE),
        "interval": str(plan.interval or DEFAULT_INTERVAL),
        "planned_sessions": (
            vocab.planned_sessions(plan.planned_sessions)
            if plan.planned_sessions is not None
            else None
        ),
        "started_on": plan.started_on.isoformat(),
        "status": "active",
        "protocol": template.name if template else None,
    }
    return courses.get(db, courses.insert(db, fields))


def close(
    db: Database, course: Course, status: str, closed_on: date, today: date, reason: str | None
) -> Course:
    """Mark a course completed or discontinued; it then takes no new session."""
    status = vocab.one_of(status, vocab.CLOSED_STATUSES, "status")
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
