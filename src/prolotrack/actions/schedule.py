"""What is due: sessions and follow-ups."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from prolotrack.actions.courses import practice_follow_up
from prolotrack.domain import follow_up
from prolotrack.domain.dates import Interval
from prolotrack.storage import courses, scores

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.schedule import (
    DEFAULT_WINDOW,
    FOLLOW_UP,
    SESSION,
    Due,
    due_of,
    may_be_open,
    reach,
)


def due(db: Database, today: date, within: Interval = DEFAULT_WINDOW) -> list[Due]:
    """Sessions due from today to today + ``within`` or overdue, and follow-ups due or
    overdue (their window is open and holds no score of the course's measure yet)."""
    horizon = within.after(today)
    found = (due_of(c, today) for c in courses.due_by(db, horizon))
    sessions = [d for d in found if d is not None and d.due_on <= horizon]
    return sorted(
        sessions + follow_ups_due(db, today, horizon),
        key=lambda d: (d.due_on, d.course.id, d.kind != SESSION),
    )


def follow_ups_due(db: Database, today: date, horizon: date | None = None) -> list[Due]:
    """Follow-ups due or overdue today, and those whose window opens by ``horizon``."""
    practice = practice_follow_up(db)
    stored = {practice, *courses.follow_up_values(db)}
    longest = max((reach(text) for text in stored), default=0)
    candidates = [
        course
        for course in courses.finished_since(db, today - timedelta(days=longest))
        if may_be_open(course, course.follow_up or practice, today, horizon)
    ]
    # every window opens after the last session: the scores before it cannot fall inside one
    their_scores = scores.for_courses(db, [c.id for c in candidates], after_last_session=True)
    found = []
    for course in candidates:
        timepoints = course.follow_up or practice
        for f in follow_up.timepoints(course, their_scores[course.id], today, timepoints):
            if f.status in (follow_up.DUE, follow_up.OVERDUE):
                found.append(
                    Due(course, f.due, f.days_overdue(today), FOLLOW_UP, f.timepoint, f.window)
                )
            elif f.status == follow_up.UPCOMING and horizon and f.opens <= horizon:
                found.append(
                    Due(course, f.due, None, FOLLOW_UP, f.timepoint, f.window, upcoming=True)
                )
    return found
