"""Which courses are due for their next session, and which are overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.dates import Interval
from prolotrack.domain.models import Course
from prolotrack.domain.outcomes import days_overdue, next_due
from prolotrack.storage import courses

if TYPE_CHECKING:
    from prolotrack.storage import Database

DEFAULT_WINDOW = Interval(7, "d")


@dataclass(frozen=True)
class Due:
    course: Course
    due_on: date
    days_overdue: int | None  # None: not yet due

    @property
    def overdue(self) -> bool:
        return (self.days_overdue or 0) > 0


def due_of(course: Course, today: date) -> Due | None:
    due_on = next_due(course)
    if due_on is None:
        return None
    return Due(course, due_on, days_overdue(due_on, today))


def due(db: Database, today: date, within: Interval = DEFAULT_WINDOW) -> list[Due]:
    """Active courses whose next session is past, or falls from today to today + ``within``."""
    horizon = within.after(today)
    found = (due_of(c, today) for c in courses.due_by(db, horizon))
    return sorted(
        (d for d in found if d is not None and d.due_on <= horizon),
        key=lambda d: (d.due_on, d.course.id),
    )
