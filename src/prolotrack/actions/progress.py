"""A course's progress, read from the record."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.actions import lookup
from prolotrack.actions.courses import timepoints_of
from prolotrack.domain.errors import NotFound, Refused
from prolotrack.domain.models import AdverseEvent, Course, Flag
from prolotrack.storage import courses, flags, scores, sessions, signatures

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.progress import CourseProgress, assemble


def of_course(
    db: Database, course: Course, today: date, measure: str | None = None
) -> CourseProgress:
    """The progress of one course, narrowed to one instrument when ``measure`` is given."""
    catalogue = {i.code: i for i in scores.instruments(db)}
    if measure is not None and measure not in catalogue:
        raise NotFound(f"unknown instrument {measure!r} (known: {', '.join(catalogue)})")
    its_sessions = sessions.listing(db, course_id=course.id)
    its_scores = scores.for_course(db, course.id)
    timepoints = timepoints_of(db, course)
    found = assemble(course, its_sessions, its_scores, catalogue, today, measure, timepoints)
    found.rehabilitation = flags.rehabilitation(db, course.id)
    return found


def of_reference(db: Database, ref: str, today: date, measure: str | None) -> list[CourseProgress]:
    """COURSE|PATIENT: a course id gives that course; a patient gives each of their courses."""
    found = lookup.course_or_patient(db, ref)
    if isinstance(found, Course):
        chosen = [found]
    else:
        chosen = courses.listing(db, patient_id=found.id)
        if not chosen:
            raise NotFound(f"{found.label} has no course yet")
        chosen.sort(key=lambda c: (c.status != "active", c.started_on, c.id))
    code = measure.strip().lower() if measure else None
    return [of_course(db, c, today, code) for c in chosen]


def for_report(
    db: Database, ref: str, today: date
) -> tuple[list[CourseProgress], dict[int, list[AdverseEvent]], list[Flag]]:
    """What a take-home report shows of COURSE|PATIENT: each course's progress, its adverse
    events (by course id) and the patient's safety flags. A voided course is refused."""
    found = of_reference(db, ref, today, None)
    for p in found:
        if p.course.voided_at:
            raise Refused(
                f"course {p.course.id} was voided ({p.course.void_reason}); a voided course"
                " is out of every report"
            )
    adverse = {}
    for p in found:
        by_session = sessions.adverse_events_of_course(db, p.course.id, live_sessions=True)
        adverse[p.course.id] = [e for v in p.sessions for e in by_session.get(v.session.id, [])]
        signed = signatures.of_sessions(db, [v.session.id for v in p.sessions])
        for v in p.sessions:
            v.session.signatures = signed[v.session.id]
    return found, adverse, flags.of_patient(db, found[0].course.patient_id) if found else []


def export_rows(db: Database, course_ids: Iterable[int], today: date) -> Iterator[dict]:
    """A row per course and instrument scored: the outcome figures, for ``export progress``."""
    for course_id in course_ids:
        found = of_course(db, courses.get(db, course_id), today)
        c = found.course
        for o in found.outcomes:
            yield {
                "patient_id": c.patient_id,
                "course_id": c.id,
                "chart": c.patient.chart if c.patient else None,
                "name": c.patient.name if c.patient else None,
                "condition": c.condition,
                "icd10": c.icd10,
                "instrument": o.instrument,
                "baseline": o.baseline,
                "latest": o.latest,
                "change": o.change,
                "improvement": o.improvement,
                "improvement_pct": o.improvement_pct,
                "mcid": o.mcid,
                "mcid_reached": o.mcid_reached,
                "responder": o.responder,
                "sessions_done": c.sessions_done,
                "planned_sessions": c.planned_sessions,
                "next_due": found.next_due,
                "follow_ups": "; ".join(f"{f.timepoint} {f.status}" for f in found.follow_ups),
                "lost_to_follow_up": found.lost_to_follow_up,
            }
