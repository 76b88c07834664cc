"""The practice's own outcomes table: for each condition (or ICD-10 code, region, protocol) and
measure, how courses went, at their latest score or at a follow-up timepoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import TYPE_CHECKING

from prolotrack.dates import Interval
from prolotrack.domain import follow_up, vocab
from prolotrack.domain.errors import NotFound
from prolotrack.domain.instruments import Instrument
from prolotrack.domain.models import Course, Score
from prolotrack.domain.outcomes import RESPONDER_TIERS, Outcome, evaluable, outcome
from prolotrack.storage import courses, scores

GROUPS = ("condition", "icd10", "region", "protocol")
NO_GROUP = "(none)"

if TYPE_CHECKING:
    from prolotrack.storage import Database


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
    missing: int | None = None  # at a timepoint: courses without a score in its window


def _share(count: int, of: int) -> float | None:
    return round(count / of * 100, 1) if of else None


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def _row(
    name: str, instrument: Instrument, group: list[tuple[Course, Outcome | None]], at: bool
) -> OutcomeRow:
    # a baseline and a score dated after it: two scores on one day show no change over time
    judged = [o for _, o in group if o is not None and evaluable(instrument, o)]
    with_mcid = [o for o in judged if o.mcid_reached is not None]
    pcts = [o.improvement_pct for o in judged if o.improvement_pct is not None]
    return OutcomeRow(
        group=name,
        measure=instrument.code,
        courses=len(group),
        completed=sum(c.status == "completed" for c, _ in group),
        evaluable=len(judged),
        median_sessions=_median([c.sessions_done for c, _ in group]),
        median_baseline=_median([o.baseline for o in judged]),
        median_latest=_median([o.latest for o in judged]),
        median_improvement_pct=_median(pcts),
        mcid_reached_pct=_share(sum(bool(o.mcid_reached) for o in with_mcid), len(with_mcid)),
        responders_pct={
            tier: _share(sum(o.responder == tier for o in judged), len(judged))
            for tier in RESPONDER_TIERS
        },
        missing=sum(o is None for _, o in group) if at else None,
    )


def outcomes(
    db: Database,
    *,
    condition: str | None = None,
    measure: str | None = None,
    since: date | None = None,
    until: date | None = None,
    at: Interval | None = None,
    by: str = "condition",
) -> list[OutcomeRow]:
    """One row per group (``by``: a condition as written, any case; an ICD-10 code, region or
    protocol) and measure, for courses started in ``since``..``until``; each course is judged
    on ``measure`` or else its primary measure, at its latest score or, with ``at``, at the
    score inside that follow-up timepoint's window."""
    by = vocab.one_of(by, GROUPS, "--by")
    catalogue = {i.code: i for i in scores.instruments(db)}
    code = measure.strip().lower() if measure else None
    if code is not None and code not in catalogue:
        raise NotFound(f"unknown instrument {code!r} (known: {', '.join(catalogue)})")
    chosen = courses.listing(db, condition=condition, started=(since, until))
    groups: dict[tuple[str, str], list[tuple[Course, Outcome | None]]] = {}
    names: dict[str, str] = {}
    for course, found in _with_scores(db, chosen):
        used = code or course.measure
        name = getattr(course, by) or NO_GROUP
        key = (name.lower(), used)
        names.setdefault(key[0], name)
        if at is not None:
            found = _at(course, found, at)
        groups.setdefault(key, []).append((course, outcome(catalogue[used], found)))
    return [
        _row(names[group], catalogue[used], groups[(group, used)], at is not None)
        for group, used in sorted(groups)
    ]


_CHUNK = 500  # courses whose scores are read at once: never every score of the practice together


def _with_scores(db: Database, chosen: list[Course]):
    """Each course with its scores, read a chunk of courses at a time."""
    for start in range(0, len(chosen), _CHUNK):
        chunk = chosen[start : start + _CHUNK]
        by_course = scores.for_courses(db, [c.id for c in chunk])
        for course in chunk:
            yield course, by_course[course.id]


def _at(course: Course, found: list[Score], point: Interval) -> list[Score]:
    """The scores that judge a course at a timepoint: those before its window (the first is
    the baseline) and those inside it (the last is the outcome); none without one inside."""
    if course.last_session_on is None:
        return []
    _, opens, closes = follow_up.window(course.last_session_on, point)
    live = [s for s in found if not s.voided_at]
    inside = {s.instrument for s in live if opens <= s.taken_on <= closes}
    return [s for s in live if s.instrument in inside and s.taken_on <= closes]
