"""Follow-up after the last injection: a course's timepoints, their windows and statuses.

Pure calculations, tested without a database. The rules are SPEC's "Follow-up after the last
injection":

- timepoints (``3m,6m,12m``) are counted from the course's last live session;
- a timepoint T's window runs from T x 0.75 to T x 1.25 after it, counted in days: T is the
  calendar interval (3 months from 15 January is 15 April, 90 days), and the window's ends are
  that many days x 0.75 and x 1.25, rounded to the nearest day (half a day up);
- before the window it is ``upcoming``; in it, ``due`` up to T and ``overdue`` after; ``done``
  once a live score of the course's measure is dated inside it; ``missed`` when it closed
  without one;
- timepoints are shown once the course is completed or its planned sessions are done;
- a course whose closed windows were all missed (at least one) is lost to follow-up.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from prolotrack.domain.dates import Interval, parse_interval
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.models import Course, Score

DEFAULT = "3m,6m,12m"
NONE = "none"
OPENS, CLOSES = 0.75, 1.25
UPCOMING, DUE, OVERDUE, DONE, MISSED = "upcoming", "due", "overdue", "done", "missed"
MAX_TIMEPOINTS = 12


@functools.lru_cache(maxsize=64)  # a practice has a handful of these texts; due reads thousands
def parse(text: str) -> tuple[Interval, ...]:
    """Read ``3m,6m,12m`` (or ``none``) into timepoints, in order, each once."""
    words = [w.strip() for w in text.replace(";", ",").split(",") if w.strip()]
    if [w.lower() for w in words] == [NONE]:
        return ()
    if not words:
        raise InvalidInput(f"no follow-up timepoints in {text!r} (use e.g. 3m,6m,12m, or none)")
    found: dict[int, Interval] = {}
    for word in words:
        try:
            point = parse_interval(word)
        except InvalidInput:
            raise InvalidInput(
                f"follow-up timepoint {word!r} is not an interval (use e.g. 6w, 3m, 1y;"
                " several as 3m,6m,12m; or none)"
            ) from None
        found.setdefault(_days(point, date(2001, 1, 1)), point)
    if len(found) > MAX_TIMEPOINTS:
        raise InvalidInput(f"at most {MAX_TIMEPOINTS} follow-up timepoints, not {len(found)}")
    return tuple(found[k] for k in sorted(found))


def timepoint(text: str) -> Interval:
    """One timepoint, as ``--at 6m`` gives it."""
    found = parse(text)
    if len(found) != 1:
        raise InvalidInput(f"give one follow-up timepoint, e.g. 6m (not {text!r})")
    return found[0]


def normal(text: str) -> str:
    """The timepoints as stored: ``3m,6m,12m``, or ``none``."""
    points = parse(text)
    return ",".join(str(p) for p in points) if points else NONE


def length(point: Interval) -> int:
    """How long a timepoint is, in days from a fixed day: to sort timepoints."""
    return _days(point, date(2001, 1, 1))


def _days(point: Interval, start: date) -> int:
    return (point.after(start) - start).days


def _scaled(start: date, days: int, factor: float) -> date:
    return start + timedelta(days=math.floor(days * factor + 0.5))


@dataclass(frozen=True)
class FollowUp:
    timepoint: str  # as typed and stored: "3m"
    due: date
    opens: date
    closes: date
    status: str
    scores: dict[str, float] = field(default_factory=dict)  # the scores inside the window

    @property
    def window(self) -> tuple[date, date]:
        return (self.opens, self.closes)

    def days_overdue(self, today: date) -> int | None:
        return (today - self.due).days if today > self.due else None


@functools.lru_cache(maxsize=8192)  # due reads a thousand courses that end on a few hundred days
def window(last_session: date, point: Interval) -> tuple[date, date, date]:
    """The due date of a timepoint and the first and last day of its window."""
    due = point.after(last_session)
    days = (due - last_session).days
    return due, _scaled(last_session, days, OPENS), _scaled(last_session, days, CLOSES)


def shown(course: Course) -> bool:
    """Timepoints are shown once the course is completed or its planned sessions are done."""
    if course.voided_at or course.last_session_on is None:
        return False
    if course.status == "completed":
        return True
    return course.planned_sessions is not None and course.sessions_done >= course.planned_sessions


def timepoints(course: Course, scores: list[Score], today: date, stored: str) -> list[FollowUp]:
    """The course's follow-ups as they stand on ``today``; ``stored`` is its timepoints."""
    if not shown(course):
        return []
    last = course.last_session_on
    assert last is not None
    live = sorted((s for s in scores if not s.voided_at), key=lambda s: (s.taken_on, s.id))
    found = []
    for point in parse(stored):
        due, opens, closes = window(last, point)
        inside = [s for s in live if opens <= s.taken_on <= closes]
        measured = any(s.instrument == course.measure for s in inside)
        found.append(
            FollowUp(
                timepoint=str(point),
                due=due,
                opens=opens,
                closes=closes,
                status=_status(today, due, opens, closes, measured),
                scores={s.instrument: s.value for s in inside},
            )
        )
    return found


def _status(today: date, due: date, opens: date, closes: date, measured: bool) -> str:
    if measured:
        return DONE
    if today < opens:
        return UPCOMING
    if today <= due:
        return DUE
    if today <= closes:
        return OVERDUE
    return MISSED


def lost(follow_ups: list[FollowUp], today: date) -> bool:
    """Lost to follow-up: every window that has closed was missed, and at least one has."""
    closed = [f for f in follow_ups if f.closes < today]
    return bool(closed) and all(f.status == MISSED for f in closed)
