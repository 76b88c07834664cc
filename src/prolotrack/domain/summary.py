"""The daily summary: what was given, what went wrong, what started, ended and is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from prolotrack.domain import schedule, solutions
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.instruments import PAIN
from prolotrack.domain.models import AdverseEvent, Course, Session
from prolotrack.storage import courses, scores, sessions

if TYPE_CHECKING:
    from prolotrack.storage import Database

MAX_DAYS = 366


@dataclass(frozen=True)
class Given:
    """A session given in the period, with its course and the pain score taken at it."""

    session: Session
    course: Course
    pain: float | None


@dataclass
class Summary:
    first_day: date
    last_day: date
    given: list[Given]
    adverse: list[tuple[AdverseEvent, Given]]
    started: list[Course]
    closed: list[Course]
    due: list[schedule.Due]

    @property
    def patients(self) -> int:
        return len({g.course.patient_id for g in self.given})

    @property
    def injections(self) -> int:
        return sum(len(g.session.injections) for g in self.given)

    @property
    def ml_by_solution(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for g in self.given:
            for i in g.session.injections:
                totals[i.solution] = round(totals.get(i.solution, 0) + i.volume_ml, 3)
        return dict(sorted(totals.items()))

    @property
    def agents_mg(self) -> dict[str, float]:
        """Milligrams of each agent given over the period (dextrose, each anaesthetic...)."""
        return solutions.totals(
            (i.solution, i.volume_ml) for g in self.given for i in g.session.injections
        )

    @property
    def total_ml(self) -> float:
        return round(sum(self.ml_by_solution.values()), 3)

    @property
    def is_empty(self) -> bool:
        return not (self.given or self.adverse or self.started or self.closed or self.due)


def week_of(day: date, week_start: str) -> tuple[date, date]:
    """The first and last day of the week holding ``day`` (weeks start on ``week_start``)."""
    start = 0 if week_start == "monday" else 6
    first = day - timedelta(days=(day.weekday() - start) % 7)
    return first, first + timedelta(days=6)


def summarise(db: Database, last_day: date, days: int = 1, today: date | None = None) -> Summary:
    """The ``days`` days ending on ``last_day``; due and overdue as of ``last_day``, or of
    ``today`` when the period ends after it (a week not yet over is not overdue from its end)."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"--days {days} is out of range (from 1 to {MAX_DAYS})")
    first_day = last_day - timedelta(days=days - 1)
    found = sessions.listing(db, since=first_day, until=last_day)
    owners = {cid: courses.get(db, cid) for cid in {s.course_id for s in found}}
    taken = scores.for_sessions(db, [s.id for s in found])
    given = []
    for s in found:
        pain = next((sc.value for sc in taken[s.id] if sc.instrument == PAIN), None)
        given.append(Given(s, owners[s.course_id], pain))
    adverse = []
    for event in sessions.adverse_events_recorded(db, first_day, last_day):
        session = sessions.get(db, event.session_id)
        course = owners.get(session.course_id) or courses.get(db, session.course_id)
        adverse.append((event, Given(session, course, None)))
    return Summary(
        first_day=first_day,
        last_day=last_day,
        given=given,
        adverse=adverse,
        started=sorted(courses.listing(db, started=(first_day, last_day)), key=lambda c: c.id),
        closed=sorted(courses.listing(db, closed=(first_day, last_day)), key=lambda c: c.id),
        due=schedule.due(db, min(last_day, today or last_day)),
    )
