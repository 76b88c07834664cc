"""Outcomes across the practice's courses, read a course at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.actions.courses import practice_follow_up
from prolotrack.domain import follow_up, vocab
from prolotrack.domain.dates import Interval
from prolotrack.domain.errors import NotFound
from prolotrack.domain.instruments import CATALOGUE
from prolotrack.domain.outcomes import outcome
from prolotrack.domain.outcomes_report import (
    GROUPS,
    NO_GROUP,
    Judged,
    OutcomeRow,
    at_timepoint,
    judged,
    row_of,
    window_closed,
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
    today: date | None = None,
    by: str = "condition",
    progress: Callable[[Iterable], Iterable] = iter,
) -> list[OutcomeRow]:
    """One row per group (``by``: a condition as written, any case; an ICD-10 code, region or
    protocol) and measure, for courses started in ``since``..``until``; each course is judged
    on ``measure`` or else its primary measure, at its latest score or, with ``at``, at the
    score inside that follow-up timepoint's window. The courses go through ``progress``.

    At a timepoint, a course counts as missing only once its window closed (before ``today``)
    without a score; one whose window is still to come or open is not yet due, and a course
    without that timepoint is left out. No course with it at all is refused, naming those in
    use."""
    by = vocab.one_of(by, GROUPS, "--by")
    pooled = getattr(db, "registry", False)  # a registry of clinics (storage/registry.py)
    instruments = CATALOGUE if pooled else scores.instruments(db)
    catalogue = {i.code: i for i in instruments}
    code = measure.strip().lower() if measure else None
    if code is not None and code not in catalogue:
        raise NotFound(f"unknown instrument {code!r} (known: {', '.join(catalogue)})")
    if pooled:
        from prolotrack.storage import registry

        chosen = registry.with_scores(db, condition=condition, started=(since, until))
    else:
        chosen = courses.with_scores(
            db, condition=condition, started=(since, until), every=at is not None, measure=code
        )
    groups: dict[tuple[str, str], list[Judged]] = {}
    names: dict[str, str] = {}
    practice = follow_up.DEFAULT if pooled else practice_follow_up(db)
    in_use: dict[str, Interval] = {}
    for course, found in progress(chosen):
        used = code or course.measure
        name = getattr(course, by) or NO_GROUP
        key = (name.lower(), used)
        pending = False
        if at is not None:
            points = follow_up.parse(course.follow_up or practice)
            in_use.update((str(p), p) for p in points)
            if at not in points:
                continue
            found = at_timepoint(course, found, at)
            pending = not found and not window_closed(course, at, today or date.today())
        names.setdefault(key[0], name)
        groups.setdefault(key, []).append(
            judged(course, outcome(catalogue[used], found), pending=pending)
        )
    if at is not None and in_use and not groups:
        listed = ", ".join(str(p) for p in sorted(in_use.values(), key=follow_up.length))
        raise NotFound(f"no course has a {at} follow-up timepoint (those in use: {listed})")
    return [
        row_of(names[group], catalogue[used], groups[(group, used)], at is not None)
        for group, used in sorted(groups)
    ]
