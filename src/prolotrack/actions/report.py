"""Outcomes across the practice's courses, read a course at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.dates import Interval
from prolotrack.domain import vocab
from prolotrack.domain.errors import NotFound
from prolotrack.domain.outcomes import outcome
from prolotrack.domain.report import (
    GROUPS,
    NO_GROUP,
    Judged,
    OutcomeRow,
    at_timepoint,
    judged,
    row_of,
)
from prolotrack.storage import courses, scores

if TYPE_CHECKING:
    from prolotrack.storage import Database


def outcomes(
    db: Database,
    *,
    condition: str | None = None,
    measure: str | None = None,
    since: date | None = None,
    until: date | None = None,
    at: Interval | None = None,
    by: str = "condition",
    progress: Callable[[Iterable], Iterable] = iter,
) -> list[OutcomeRow]:
    """One row per group (``by``: a condition as written, any case; an ICD-10 code, region or
    protocol) and measure, for courses started in ``since``..``until``; each course is judged
    on ``measure`` or else its primary measure, at its latest score or, with ``at``, at the
    score inside that follow-up timepoint's window. The courses go through ``progress``."""
    by = vocab.one_of(by, GROUPS, "--by")
    catalogue = {i.code: i for i in scores.instruments(db)}
    code = measure.strip().lower() if measure else None
    if code is not None and code not in catalogue:
        raise NotFound(f"unknown instrument {code!r} (known: {', '.join(catalogue)})")
    chosen = courses.with_scores(
        db, condition=condition, started=(since, until), every=at is not None, measure=code
    )
    groups: dict[tuple[str, str], list[Judged]] = {}
    names: dict[str, str] = {}
    for course, found in progress(chosen):
        used = code or course.measure
        name = getattr(course, by) or NO_GROUP
        key = (name.lower(), used)
        names.setdefault(key[0], name)
        if at is not None:
            found = at_timepoint(course, found, at)
        groups.setdefault(key, []).append(judged(course, outcome(catalogue[used], found)))
    return [
        row_of(names[group], catalogue[used], groups[(group, used)], at is not None)
        for group, used in sorted(groups)
    ]
