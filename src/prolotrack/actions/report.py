"""Outcomes across the practice's courses, read a chunk of courses at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.dates import Interval
from prolotrack.domain import vocab
from prolotrack.domain.errors import NotFound
from prolotrack.domain.models import Course
from prolotrack.domain.outcomes import Outcome, outcome
from prolotrack.storage import courses, scores

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.report import GROUPS, NO_GROUP, OutcomeRow, at_timepoint, row_of

_CHUNK = 500  # courses whose scores are read at once: never every score of the practice together


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
    chosen = courses.listing(db, condition=condition, started=(since, until))
    groups: dict[tuple[str, str], list[tuple[Course, Outcome | None]]] = {}
    names: dict[str, str] = {}
    for course, found in progress(_with_scores(db, chosen, code, every=at is not None)):
        used = code or course.measure
        name = getattr(course, by) or NO_GROUP
        key = (name.lower(), used)
        names.setdefault(key[0], name)
        if at is not None:
            found = at_timepoint(course, found, at)
        groups.setdefault(key, []).append((course, outcome(catalogue[used], found)))
    return [
        row_of(names[group], catalogue[used], groups[(group, used)], at is not None)
        for group, used in sorted(groups)
    ]


def _with_scores(db: Database, chosen: list[Course], code: str | None, every: bool):
    """Each course with its scores, read a chunk of courses at a time: ``every`` one (a
    timepoint's window needs them), else the first and latest on the measure judged."""
    for start in range(0, len(chosen), _CHUNK):
        chunk = chosen[start : start + _CHUNK]
        ids = [c.id for c in chunk]
        by_course = scores.for_courses(db, ids) if every else scores.first_and_latest(db, ids, code)
        for course in chunk:
            yield course, by_course[course.id]
