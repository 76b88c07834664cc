"""Queries on scores and on the instrument catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain.instruments import Instrument
from prolotrack.domain.models import Score
from prolotrack.storage import rows, sql

if TYPE_CHECKING:
    from prolotrack.storage import Database


def insert(db: Database, fields: dict) -> int:
    return rows.insert(db, "scores", {**fields, "created_at": rows.utc_now()})


def insert_all(db: Database, found: list[dict]) -> None:
    """Scores that all have the same fields, written together."""
    now = rows.utc_now()
    rows.insert_all(db, "scores", [{**fields, "created_at": now} for fields in found])


def get(db: Database, score_id: int) -> Score | None:
    found = list(db.query("SELECT * FROM scores WHERE id = :id", {"id": score_id}))
    return rows.score(found[0]) if found else None


def live_on(
    db: Database, course_id: int, instruments: Iterable[str], day: date
) -> dict[str, Score]:
    """The course's live score of each of these instruments on that date, if it has one (by
    instrument; the first recorded), in one query."""
    listed, params = sql.ids(instruments, "code")
    found: dict[str, Score] = {}
    if not params:
        return found
    for r in db.query(
        f"SELECT * FROM scores WHERE course_id = :course AND instrument IN ({listed})"
        " AND date = :day AND voided_at IS NULL ORDER BY id",
        {**params, "course": course_id, "day": day.isoformat()},
    ):
        found.setdefault(r["instrument"], rows.score(r))
    return found


def scored_days(db: Database, course_id: int) -> set[tuple[str, date]]:
    """The instrument and day of each of the course's live scores."""
    found = db.execute(
        "SELECT instrument, date FROM scores WHERE course_id = :course AND voided_at IS NULL",
        {"course": course_id},
    )
    return {(code, date.fromisoformat(day)) for code, day in found}


def update(db: Database, score_id: int, fields: dict) -> None:
    rows.update(db, "scores", score_id, fields)


def void(db: Database, score_id: int, reason: str) -> None:
    update(db, score_id, {"voided_at": rows.utc_now(), "void_reason": reason})


def for_course(
    db: Database, course_id: int, instrument: str | None = None, include_voided: bool = False
) -> list[Score]:
    """The course's scores (not voided, unless asked), by date then instrument."""
    found = "SELECT * FROM scores WHERE course_id = :course"
    found += "" if include_voided else " AND voided_at IS NULL"
    if instrument:
        found += " AND instrument = :instrument"
    params = {"course": course_id, "instrument": instrument}
    return [rows.score(r) for r in db.query(found + " ORDER BY date, instrument, id", params)]


def for_courses(
    db: Database, course_ids: list[int], *, after_last_session: bool = False
) -> dict[int, list[Score]]:
    """The scores (not voided) of each of these courses, by date then instrument;
    ``after_last_session``: only those taken after the course's last live session (all that a
    follow-up window can hold, a sixth of them at ten years)."""
    found: dict[int, list[Score]] = {cid: [] for cid in course_ids}
    if after_last_session:  # each course's last session found once, then a range of its index
        sql = """SELECT s.* FROM (SELECT course_id, max(date) AS last FROM sessions
                   WHERE course_id IN ({ids}) AND voided_at IS NULL GROUP BY course_id) l
                 JOIN scores s ON s.course_id = l.course_id AND s.date > l.last
                 WHERE s.voided_at IS NULL ORDER BY s.course_id, s.date, s.instrument, s.id"""
    else:
        sql = """SELECT * FROM scores WHERE course_id IN ({ids}) AND voided_at IS NULL
                 ORDER BY course_id, date, instrument, id"""
    for r in rows.query_in(db, sql, course_ids):
        found[r["course_id"]].append(rows.score(r))
    return found


def by_ids(db: Database, score_ids: list[int]) -> list[Score]:
    """Those scores, by date then instrument."""
    found = "SELECT * FROM scores WHERE id IN ({ids})"
    return sorted(
        (rows.score(r) for r in rows.query_in(db, found, score_ids)),
        key=lambda s: (s.taken_on, s.instrument, s.id),
    )


def for_sessions(db: Database, session_ids: list[int]) -> dict[int, list[Score]]:
    """The scores (not voided) taken at each of these sessions."""
    found: dict[int, list[Score]] = {sid: [] for sid in session_ids}
    sql = (
        "SELECT * FROM scores WHERE session_id IN ({ids}) AND voided_at IS NULL"
        " ORDER BY session_id, instrument"
    )
    for r in rows.query_in(db, sql, session_ids):
        found[r["session_id"]].append(rows.score(r))
    return found


def _instrument(row: dict) -> Instrument:
    return Instrument(
        code=row["code"],
        name=row["name"],
        minimum=row["minimum"],
        maximum=row["maximum"],
        better=row["better"],
        mcid=row["mcid"],
        mcid_unit=row["mcid_unit"],
        source=row["source"],
        builtin=bool(row["builtin"]),
        whole_points=bool(row.get("whole_points")),
        responder_at=row.get("responder_at"),
    )


def _instrument_row(i: Instrument) -> dict:
    return {
        "code": i.code,
        "name": i.name,
        "minimum": i.minimum,
        "maximum": i.maximum,
        "better": i.better,
        "mcid": i.mcid,
        "mcid_unit": i.mcid_unit,
        "source": i.source,
        "builtin": int(i.builtin),
        "whole_points": int(i.whole_points),
        "responder_at": i.responder_at,
    }


def insert_instrument(db: Database, instrument: Instrument) -> None:
    rows.insert_all(db, "instruments", [_instrument_row(instrument)])


def update_instrument(db: Database, instrument: Instrument) -> None:
    row = _instrument_row(instrument)
    assigned = ", ".join(f"{column} = :{column}" for column in row if column != "code")
    db.execute(f"UPDATE instruments SET {assigned} WHERE code = :code", row)


def instruments(db: Database, codes: Iterable[str] | None = None) -> list[Instrument]:
    """The practice's instruments in the order they were added; with ``codes``, only those
    (a session reads the two or three it scores, not the whole catalogue)."""
    if codes is None:
        return [_instrument(r) for r in db.query("SELECT * FROM instruments ORDER BY rowid")]
    listed, params = sql.ids({c.lower() for c in codes}, "code")
    found = db.query(f"SELECT * FROM instruments WHERE code IN ({listed}) ORDER BY rowid", params)
    return [_instrument(r) for r in found]


def instrument(db: Database, code: str) -> Instrument | None:
    found = list(db.query("SELECT * FROM instruments WHERE code = :code", {"code": code.lower()}))
    return _instrument(found[0]) if found else None
