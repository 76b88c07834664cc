"""The practice's own outcomes table: for each condition (or ICD-10 code, region, protocol) and
measure, how courses went, at their latest score or at a follow-up timepoint."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import NamedTuple

from prolotrack.domain import follow_up
from prolotrack.domain.dates import Interval
from prolotrack.domain.instruments import Instrument
from prolotrack.domain.models import Course, Score
from prolotrack.domain.outcomes import RESPONDER_TIERS, Outcome, evaluable

GROUPS = ("condition", "icd10", "region", "protocol")
NO_GROUP = "(none)"


@dataclass(frozen=True)
class OutcomeRow:
    group: str  # the condition, ICD-10 code, region or protocol
    measure: str
    courses: int
    completed: int
    evaluable: int  # courses with a baseline and at least one later score
    median_sessions: float | None
    median_baseline: float | None
    median_latest: float | None
    median_improvement_pct: float | None
    mcid_reached_pct: float | None
    responders_pct: dict[str, float | None]
    missing: int | None = None  # at a timepoint: courses whose window closed without a score
    not_yet_due: int | None = None  # at a timepoint: its window still to come or still open


class Judged(NamedTuple):
    """What the table keeps of one course: a practice's thousands of courses are not held."""

    completed: bool
    sessions: int
    outcome: Outcome | None
    pending: bool = False  # at a timepoint: no score yet, and its window has not closed


def judged(course: Course, found: Outcome | None, pending: bool = False) -> Judged:
    return Judged(course.status == "completed", course.sessions_done, found, pending)


def _share(count: int, of: int) -> float | None:
    return round(count / of * 100, 1) if of else None


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def row_of(name: str, instrument: Instrument, group: list[Judged], at: bool) -> OutcomeRow:
    # a baseline and a score dated after it: two scores on one day show no change over time
    evaluated = [j.outcome for j in group if evaluable(instrument, j.outcome)]
    with_mcid = [o for o in evaluated if o.reached is not None]
    pcts = [o.improvement_pct for o in evaluated if o.improvement_pct is not None]
    tiers = Counter(o.responder for o in evaluated)
    return OutcomeRow(
        group=name,
        measure=instrument.code,
        courses=len(group),
        completed=sum(j.completed for j in group),
        evaluable=len(evaluated),
        median_sessions=_median([j.sessions for j in group]),
        median_baseline=_median([o.baseline for o in evaluated if o.baseline is not None]),
        median_latest=_median([o.latest for o in evaluated]),
        median_improvement_pct=_median(pcts),
        mcid_reached_pct=_share(sum(bool(o.reached) for o in with_mcid), len(with_mcid)),
        responders_pct={tier: _share(tiers[tier], len(evaluated)) for tier in RESPONDER_TIERS},
        missing=sum(j.outcome is None and not j.pending for j in group) if at else None,
        not_yet_due=sum(j.pending for j in group) if at else None,
    )


def window_closed(course: Course, point: Interval, today: date) -> bool:
    """Whether the course's window for the timepoint closed before today; a course whose
    follow-ups have not begun (still in treatment) has no window yet."""
    if not follow_up.shown(course):
        return False
    assert course.last_session_on is not None
    return follow_up.window(course.last_session_on, point)[2] < today


def at_timepoint(course: Course, found: list[Score], point: Interval) -> list[Score]:
    """The scores that judge a course at a timepoint: those before its window (the first is
    the baseline) and those inside it (the last is the outcome); none without one inside."""
    if course.last_session_on is None:
        return []
    _, opens, closes = follow_up.window(course.last_session_on, point)
    live = [s for s in found if not s.voided_at]
    inside = {s.instrument for s in live if opens <= s.taken_on <= closes}
    return [s for s in live if s.instrument in inside and s.taken_on <= closes]
