"""A course's progress, assembled from the record: sessions by week, outcomes, what is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from prolotrack.domain import follow_up
from prolotrack.domain.follow_up import FollowUp
from prolotrack.domain.instruments import PAIN, Instrument
from prolotrack.domain.models import Course, Score, Session
from prolotrack.domain.outcomes import Outcome, days_overdue, next_due, outcome, week


@dataclass
class Visit:
    """A row of the progress table: a session, or a follow-up day with scores only."""

    day: date
    week: int
    scores: dict[str, float]
    session: Session | None = None
    derived: set[str] = field(default_factory=set)  # scores derived from a form's answers


@dataclass
class CourseProgress:
    course: Course
    instruments: list[str]  # the columns: primary measure, then pain, then the rest
    visits: list[Visit]
    outcomes: list[Outcome]
    next_due: date | None
    days_overdue: int | None
    catalogue: dict[str, Instrument] = field(default_factory=dict)
    follow_ups: list[FollowUp] = field(default_factory=list)
    lost_to_follow_up: bool = False
    rehabilitation: list[dict] = field(default_factory=list)  # kind, from_on, to_on, note

    @property
    def sessions(self) -> list[Visit]:
        return [v for v in self.visits if v.session is not None]

    @property
    def other_visits(self) -> list[Visit]:
        """Days with scores but no session, outside every follow-up window (an intake, a
        call between sessions)."""
        return [v for v in self.visits if v.session is None and self.timepoint_of(v) is None]

    def timepoint_of(self, visit: Visit) -> FollowUp | None:
        """The follow-up whose window holds this day of scores without a session."""
        if visit.session is not None:
            return None
        return next((f for f in self.follow_ups if f.opens <= visit.day <= f.closes), None)


def _columns(course: Course, found: list[Score], measure: str | None) -> list[str]:
    if measure:
        return [measure]
    used = {s.instrument for s in found}
    first = [c for c in (course.measure, PAIN) if c in used or c == course.measure]
    return list(dict.fromkeys(first)) + sorted(used - set(first))


def _visits(course: Course, its_sessions: list[Session], found: list[Score]) -> list[Visit]:
    by_session = {
        s.id: Visit(s.given_on, week(course.started_on, s.given_on), {}, s) for s in its_sessions
    }
    by_day = {v.day: v for v in by_session.values()}
    for score in sorted(found, key=lambda s: (s.taken_on, s.id)):
        visit = by_session.get(score.session_id) or by_day.get(score.taken_on)
        if visit is None:
            visit = Visit(score.taken_on, week(course.started_on, score.taken_on), {})
            by_day[score.taken_on] = visit
        visit.scores[score.instrument] = score.value
        if score.derived:
            visit.derived.add(score.instrument)
    return sorted(by_day.values(), key=lambda v: v.day)


def assemble(
    course: Course,
    its_sessions: list[Session],
    its_scores: list[Score],
    catalogue: dict[str, Instrument],
    today: date,
    measure: str | None = None,
    timepoints: str = follow_up.NONE,
) -> CourseProgress:
    """The progress of one course from its records: no database needed. ``timepoints``: its
    follow-up timepoints, as stored."""
    found = [s for s in its_scores if measure in (None, s.instrument) and not s.voided_at]
    live = [s for s in its_sessions if not s.voided_at]
    columns = _columns(course, found, measure)
    due = next_due(course)
    follow_ups = follow_up.timepoints(course, its_scores, today, timepoints)
    judged = [o for code in columns if (o := outcome(catalogue[code], found))]
    if course.voided_at:  # entered in error: shown as it was, judged on nothing, due nothing
        due, follow_ups, judged = None, [], []
    return CourseProgress(
        course=course,
        instruments=columns,
        visits=_visits(course, live, found),
        outcomes=judged,
        next_due=due,
        days_overdue=days_overdue(due, today),
        catalogue=catalogue,
        follow_ups=follow_ups,
        lost_to_follow_up=follow_up.lost(follow_ups, today),
    )
