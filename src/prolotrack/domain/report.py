"""The practice's own outcomes table: for each condition and measure, how courses went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import TYPE_CHECKING

from prolotrack.domain.errors import NotFound
from prolotrack.domain.models import Course
from prolotrack.domain.outcomes import RESPONDER_TIERS, Outcome, outcome
from prolotrack.storage import courses, scores

if TYPE_CHECKING:
    from prolotrack.storage import Database


@dataclass(frozen=True)
class OutcomeRow:
    condition: str
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


def _share(count: int, of: int) -> float | None:
    return round(count / of * 100, 1) if of else None


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def _row(condition: str, measure: str, group: list[tuple[Course, Outcome | None]]) -> OutcomeRow:
    # a baseline and a score dated after it: two scores on one day show no change over time
    evaluable = [o for _, o in group if o is not None and o.latest_on > o.baseline_on]
    with_mcid = [o for o in evaluable if o.mcid_reached is not None]
    pcts = [o.improvement_pct for o in evaluable if o.improvement_pct is not None]
    return OutcomeRow(
        condition=condition,
        measure=measure,
        courses=len(group),
        completed=sum(c.status == "completed" for c, _ in group),
        evaluable=len(evaluable),
        median_sessions=_median([c.sessions_done for c, _ in group]),
        median_baseline=_median([o.baseline for o in evaluable]),
        median_latest=_median([o.latest for o in evaluable]),
        median_improvement_pct=_median(pcts),
        mcid_reached_pct=_share(sum(bool(o.mcid_reached) for o in with_mcid), len(with_mcid)),
        responders_pct={
            tier: _share(sum(o.responder == tier for o in evaluable), len(evaluable))
            for tier in RESPONDER_TIERS
        },
    )


def outcomes(
    db: Database,
    *,
    condition: str | None = None,
    measure: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[OutcomeRow]:
    """One row per condition (as written, any case) and measure, for courses started in
    ``since``..``until``; each course is judged on ``measure`` or else its primary measure."""
    catalogue = {i.code: i for i in scores.instruments(db)}
    code = measure.strip().lower() if measure else None
    if code is not None and code not in catalogue:
        raise NotFound(f"unknown instrument {code!r} (known: {', '.join(catalogue)})")
    chosen = courses.listing(db, condition=condition, started=(since, until))
    by_course = scores.for_courses(db, [c.id for c in chosen])
    groups: dict[tuple[str, str], list[tuple[Course, Outcome | None]]] = {}
    names: dict[str, str] = {}
    for course in chosen:
        used = code or course.measure
        key = (course.condition.lower(), used)
        names.setdefault(key[0], course.condition)
        groups.setdefault(key, []).append((course, outcome(catalogue[used], by_course[course.id])))
    return [_row(names[cond], used, groups[(cond, used)]) for cond, used in sorted(groups)]
