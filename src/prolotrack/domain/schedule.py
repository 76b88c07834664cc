"""What is due: sessions of active courses, and follow-ups after the last session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prolotrack.domain import follow_up
from prolotrack.domain.dates import Interval
from prolotrack.domain.models import Course
from prolotrack.domain.outcomes import days_overdue, next_due

DEFAULT_WINDOW = Interval(7, "d")
SESSION, FOLLOW_UP = "session", "follow-up"


@dataclass(frozen=True)
class Due:
    course: Course
    due_on: date
    days_overdue: int | None  # None: not yet due
    kind: str = SESSION
    timepoint: str | None = None  # "3m" for a follow-up
    window: tuple[date, date] | None = None  # a follow-up's
    upcoming: bool = False  # a follow-up whose window opens within the horizon asked about

    @property
    def overdue(self) -> bool:
        return (self.days_overdue or 0) > 0

    @property
    def status(self) -> str:
        if self.upcoming:
            return follow_up.UPCOMING
        return "overdue" if self.overdue else "due"


def due_of(course: Course, today: date) -> Due | None:
    due_on = next_due(course)
    if due_on is None:
        return None
    return Due(course, due_on, days_overdue(due_on, today))


def reach(text: str) -> int:
    """How many days after the last session the latest window of these timepoints closes,
    at most (a month counted as 31 days)."""
    try:
        points = follow_up.parse(text)
    except ValueError:
        return 0
    days = {"d": 1, "w": 7, "m": 31, "y": 366}
    return max((int(p.count * days[p.unit] * follow_up.CLOSES) + 1 for p in points), default=0)


def may_be_open(course: Course, timepoints: str, today: date, horizon: date | None = None) -> bool:
    """Whether a window of the course's timepoints holds today, or opens by ``horizon``
    (before reading its scores)."""
    if not follow_up.shown(course) or course.last_session_on is None:
        return False
    last = course.last_session_on
    return any(
        opens <= (horizon or today) and today <= closes
        for _, opens, closes in (follow_up.window(last, p) for p in follow_up.parse(timepoints))
    )
