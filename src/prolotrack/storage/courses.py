"""Queries on treatment courses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

from prolotrack.domain.models import Course, Patient, Score
from prolotrack.storage import rows, sql

if TYPE_CHECKING:
    from prolotrack.storage import Database


def _select(more: str = "") -> str:
    """Courses with their live sessions done and the date of the last (``more``: further
    columns, each with its comma)."""
    return f"""
    SELECT c.*,
        (SELECT count(*) FROM sessions s
          WHERE s.course_id = c.id AND s.voided_at IS NULL) AS sessions_done,
        (SELECT max(s.date) FROM sessions s
          WHERE s.course_id = c.id AND s.voided_at IS NULL) AS last_session_on{more}
    FROM courses c
"""


def start(db: Database, fields: dict, patient: Patient) -> Course:
    """Insert a course of ``patient`` and return it as stored (no session yet)."""
    return rows.course(rows.inserted(db, "courses", rows.stamped(fields)), patient)


def update(db: Database, course_id: int, fields: dict) -> None:
    rows.update(db, "courses", course_id, {**fields, "updated_at": rows.utc_now()})


def void(db: Database, course_id: int, reason: str) -> None:
    update(db, course_id, {"voided_at": rows.utc_now(), "void_reason": reason})


def first_session_on(db: Database, course_id: int) -> date | None:
    found = db.execute(
        "SELECT min(date) FROM sessions WHERE course_id = :course AND voided_at IS NULL",
        {"course": course_id},
    ).fetchone()[0]
    return date.fromisoformat(found) if found else None


def get(db: Database, course_id: int) -> Course | None:
    found = _owned(db.query(_with_owner("c.id = :id"), {"id": course_id}))
    return found[0] if found else None


def of_ids(db: Database, ids: list[int]) -> dict[int, Course]:
    """These courses by id, each with its patient."""
    return {c.id: c for c in _owned(rows.query_in(db, _with_owner("c.id IN ({ids})"), ids))}


def find(db: Database, patient_id: int, condition: str, started_on: date) -> Course | None:
    """The patient's course for this condition (any case) started on this date."""
    same = """c.patient_id = :patient AND lower(c.condition) = :condition
        AND c.started_on = :started ORDER BY c.id LIMIT 1"""
    found = _owned(
        db.query(
            _with_owner(same),
            {
                "patient": patient_id,
                "condition": sql.ascii_lower(condition),
                "started": started_on.isoformat(),
            },
        )
    )
    return found[0] if found else None


# The engine's date arithmetic, as a first sieve: a month from 31 January is 3 March for SQLite
# but 28 February for the domain, so the sieve lets through everything up to 3 days late and
# the domain computes the exact due date of the few that pass.
_SIEVE_DAYS = 3


def due_by(db: Database, horizon: date) -> list[Course]:
    """Active courses whose next session may fall on or before ``horizon`` (a superset: the
    exact rule is the domain's), each with its patient."""
    from datetime import timedelta

    active = "c.status = 'active' AND c.voided_at IS NULL"
    found = f"""SELECT * FROM ({_with_owner(active)}) c
        WHERE (c.planned_sessions IS NULL OR c.sessions_done < c.planned_sessions)
          AND CASE WHEN c.last_session_on IS NULL THEN c.started_on
                   ELSE {sql.after_interval(db, "c.last_session_on", "c.interval")} END <= :sieve
        ORDER BY c.started_on DESC, c.id"""
    sieve = horizon + timedelta(days=_SIEVE_DAYS) if horizon < date.max - timedelta(7) else horizon
    return _owned(db.query(found, {"sieve": sieve.isoformat()}))


def follow_up_values(db: Database) -> list[str]:
    """The distinct follow-up timepoints courses keep."""
    found = "SELECT DISTINCT follow_up FROM courses WHERE follow_up IS NOT NULL ORDER BY 1"
    return [r[0] for r in db.execute(found)]


def finished_since(db: Database, since: date) -> list[Course]:
    """Courses not voided, completed or with their planned sessions done, whose last live
    session is on or after ``since``: those that may have a follow-up window open; each with
    its patient, in one query."""
    recent = """c.voided_at IS NULL AND c.id IN
        (SELECT course_id FROM sessions WHERE date >= :since AND voided_at IS NULL)"""
    found = f"""SELECT * FROM ({_with_owner(recent)}) c WHERE c.last_session_on >= :since
        AND (c.status = 'completed' OR c.sessions_done >= c.planned_sessions)
        ORDER BY c.started_on DESC, c.id"""
    return _owned(db.query(found, {"since": since.isoformat()}))


def listing(
    db: Database,
    *,
    patient_id: int | None = None,
    status: str | None = None,
    started: tuple[date | None, date | None] = (None, None),
    closed: tuple[date | None, date | None] = (None, None),
    condition: str | None = None,
    ids: list[int] | None = None,
    voided: bool = False,
) -> list[Course]:
    """Courses, newest start first, each with its patient; those voided in error only when
    ``voided``.

    ``started`` and ``closed`` are (first day, last day) windows, either end open.
    """
    where, params = _where(
        db,
        patient_id=patient_id,
        status=status,
        started=started,
        closed=closed,
        condition=condition,
        ids=ids,
        voided=voided,
    )
    return _owned(db.query(f"{_with_owner(where)} ORDER BY c.started_on DESC, c.id", params))


def _with_owner(where: str) -> str:
    """Courses ``c`` that ``where`` keeps, with their sessions done, the last, and the
    patient's columns (each as ``owner_`` and its name)."""
    owner_columns = ", ".join(f"p.{c} AS owner_{c}" for c in _PATIENT_COLUMNS)
    return f"{_select(f', {owner_columns}')} JOIN patients p ON p.id = c.patient_id WHERE {where}"


def _owned(found: Iterator[dict]) -> list[Course]:
    """The courses of rows from ``_with_owner``, each with its patient."""
    return [
        rows.course(r, rows.patient({c: r[f"owner_{c}"] for c in _PATIENT_COLUMNS})) for r in found
    ]


def with_scores(
    db: Database,
    *,
    started: tuple[date | None, date | None] = (None, None),
    condition: str | None = None,
    every: bool = True,
    measure: str | None = None,
) -> Iterator[tuple[Course, list[Score]]]:
    """Each course not voided (without its patient) with its live scores in date order, a
    course at a time: ``every`` score, or else only the first and the latest on ``measure``
    (by default the course's own), all that its outcome at its latest score is judged on."""
    where, params = _where(db, started=started, condition=condition)
    if not every:
        yield from _with_ends(db, where, params, measure)
        return
    scored = ", ".join(f"s.{column} AS score_{column}" for column in _SCORE_COLUMNS)
    query = f"""{_select(f", {scored}")}
        LEFT JOIN scores s ON s.course_id = c.id AND s.voided_at IS NULL
        WHERE {where} ORDER BY c.id, s.date, s.id"""
    # a row for each of a course's scores, and one for a course without any
    for _, course_rows in groupby(db.query(query, params), key=itemgetter("id")):
        found = list(course_rows)
        yield (
            rows.course(found[0]),
            [score for r in found if (score := _score(r, "score")) is not None],
        )


def _with_ends(
    db: Database, where: str, params: dict, measure: str | None
) -> Iterator[tuple[Course, list[Score]]]:
    """A row for each course with its first and latest score on ``measure`` (or its own),
    found through the index on (course, date) in a few steps each."""
    judged_on = "c.measure"
    if measure:
        judged_on, params["measure"] = ":measure", measure
    on_measure = f"e.course_id = c.id AND e.voided_at IS NULL AND e.instrument = {judged_on}"
    ends = ", ".join(
        f"{end_}.{column} AS {end_}_{column}" for end_ in ("f", "l") for column in _SCORE_COLUMNS
    )
    query = f"""{_select(f", {ends}")}
        {sql.first_row(db, "scores", "f", on_measure, "e.date ASC, e.id ASC")}
        {sql.first_row(db, "scores", "l", on_measure, "e.date DESC, e.id DESC")}
        WHERE {where} ORDER BY c.id"""
    for row in db.query(query, params):
        first, latest = _score(row, "f"), _score(row, "l")
        found = [first] if first == latest else [first, latest]  # one score is both ends
        yield rows.course(row), [s for s in found if s is not None]


def _score(row: dict, prefix: str) -> Score | None:
    """The score whose columns in ``row`` are prefixed ``prefix_``, if there is one."""
    if row[f"{prefix}_id"] is None:
        return None
    return rows.score({c: row[f"{prefix}_{c}"] for c in _SCORE_COLUMNS})


_SCORE_COLUMNS = (
    "id",
    "course_id",
    "session_id",
    "instrument",
    "value",
    "date",
    "voided_at",
    "void_reason",
)


def _where(
    db: Database,
    *,
    patient_id: int | None = None,
    status: str | None = None,
    started: tuple[date | None, date | None] = (None, None),
    closed: tuple[date | None, date | None] = (None, None),
    condition: str | None = None,
    ids: list[int] | None = None,
    voided: bool = False,
) -> tuple[str, dict]:
    """The WHERE clause on courses ``c`` of ``listing``'s filters, and its parameters."""
    where, params = ["1 = 1" if voided else "c.voided_at IS NULL"], {}
    if patient_id is not None:
        where.append("c.patient_id = :patient")
        params["patient"] = patient_id
    if status:
        where.append("c.status = :status")
        params["status"] = status
    if condition:
        where.append(sql.contains(db, "lower(c.condition)", ":condition"))
        params["condition"] = sql.ascii_lower(condition)
    if ids is not None:
        listed, named = sql.ids(ids)
        where.append(f"c.id IN ({listed})")
        params.update(named)
    for column, (first, last) in (("started_on", started), ("closed_on", closed)):
        window, dates = sql.within(f"c.{column}", first, last)
        where.append(" AND ".join(window) or "1 = 1")
        params.update(dates)
    return " AND ".join(where), params


_PATIENT_COLUMNS = (
    "id",
    "name",
    "chart",
    "born",
    "sex",
    "phone",
    "note",
    "archived_at",
    "created_at",
    "weight_kg",
)
