"""Rows for the exports, streamed from the database one at a time.

Each function yields plain dicts straight off an SQLite cursor, so memory does not grow with
the number of rows. Rows are ordered by natural keys (dates, chart numbers, conditions), not by
ids, so that a file exported, imported into an empty database and exported again comes out the
same. Every row carries ``patient_id``, ``born`` and ``started_on`` for de-identification.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prolotrack.storage import Database


@dataclass
class Filters:
    """Which rows an export takes: a date window on the row's clinical date, one patient."""

    since: date | None = None
    until: date | None = None
    patient_id: int | None = None

    def on(self, date_column: str | None, patient_column: str = "p.id") -> tuple[str, list]:
        where: list[str] = []
        params: list = []
        if date_column and self.since:
            where.append(f"{date_column} >= ?")
            params.append(self.since.isoformat())
        if date_column and self.until:
            where.append(f"{date_column} <= ?")
            params.append(self.until.isoformat())
        if self.patient_id is not None:
            where.append(f"{patient_column} = ?")
            params.append(self.patient_id)
        return (" AND ".join(where) or "1 = 1"), params


_COURSE = """c.id AS course_id, c.condition, c.region, c.side AS course_side, c.icd10, c.measure,
    c.interval, c.planned_sessions, c.started_on, c.status, c.closed_on, c.close_reason"""
_PATIENT = "p.id AS patient_id, p.chart, p.name, p.born"
_LIVE_SESSIONS = (
    "(SELECT count(*) FROM sessions x WHERE x.course_id = c.id AND x.voided_at IS NULL)"
)


def patients(db: Database, filters: Filters) -> Rows:
    where, params = filters.on(None)
    return _rows(
        db,
        f"""SELECT {_PATIENT}, p.sex, p.phone, p.note, p.archived_at IS NOT NULL AS archived,
                (SELECT min(c.started_on) FROM courses c WHERE c.patient_id = p.id) AS started_on,
                (SELECT count(*) FROM courses c WHERE c.patient_id = p.id) AS courses
            FROM patients p WHERE {where}
            ORDER BY p.chart COLLATE NOCASE, p.name, p.id""",
        params,
    )


def courses(db: Database, filters: Filters) -> Rows:
    where, params = filters.on("c.started_on")
    return _rows(
        db,
        f"""SELECT {_PATIENT}, {_COURSE}, {_LIVE_SESSIONS} AS sessions_done
            FROM courses c JOIN patients p ON p.id = c.patient_id WHERE {where}
            ORDER BY c.started_on, p.chart COLLATE NOCASE, p.name, c.condition, c.id""",
        params,
    )


def sessions(db: Database, filters: Filters) -> Rows:
    where, params = filters.on("s.date")
    return _rows(
        db,
        f"""SELECT {_PATIENT}, {_COURSE}, s.id AS session_id, s.number AS session_number,
                s.date AS session_date, s.practitioner, s.anesthetic, s.guidance, s.note,
                (SELECT count(*) FROM injections i WHERE i.session_id = s.id) AS sites,
                (SELECT round(sum(i.volume_ml), 3) FROM injections i
                  WHERE i.session_id = s.id) AS volume_ml
            FROM sessions s JOIN courses c ON c.id = s.course_id
            JOIN patients p ON p.id = c.patient_id
            WHERE s.voided_at IS NULL AND {where}
            ORDER BY s.date, p.chart COLLATE NOCASE, p.name, c.started_on, c.condition""",
        params,
    )


def instruments_used(db: Database) -> list[str]:
    """Codes of the instruments scored at any session, in catalogue order."""
    return [
        r["code"]
        for r in db.query(
            """SELECT code FROM instruments WHERE code IN (
                   SELECT DISTINCT instrument FROM scores
                   WHERE session_id IS NOT NULL AND voided_at IS NULL)
               ORDER BY rowid"""
        )
    ]


def injections(db: Database, filters: Filters, instruments: list[str]) -> Rows:
    """One row per injection site, with its patient, course and session, and the session's
    score on each of ``instruments`` as a column named by the instrument's code (the latest,
    should a session have two of one instrument)."""
    return _rows(db, *_injections_query(filters, instruments))


def _injections_query(filters: Filters, instruments: list[str]) -> tuple[str, list]:
    where, params = filters.on("s.date")
    pivot = ", ".join(
        f"""max(CASE WHEN instrument = ? THEN value END) AS "{code}" """ for code in instruments
    )
    session_scores = (
        f"""LEFT JOIN (SELECT session_id, {pivot} FROM scores sc
                WHERE voided_at IS NULL AND session_id IS NOT NULL
                  AND id = (SELECT max(id) FROM scores x WHERE x.session_id = sc.session_id
                            AND x.instrument = sc.instrument AND x.voided_at IS NULL)
                GROUP BY session_id) AS v ON v.session_id = s.id"""
        if instruments
        else ""
    )
    score_columns = "".join(f', v."{code}"' for code in instruments)
    return (
        f"""SELECT {_PATIENT}, {_COURSE}, s.id AS session_id, s.date AS session_date,
                s.number AS session_number, s.practitioner, s.anesthetic, s.guidance,
                i.site, i.side, i.solution, i.volume_ml, i.points {score_columns}
            FROM injections i JOIN sessions s ON s.id = i.session_id
            JOIN courses c ON c.id = s.course_id JOIN patients p ON p.id = c.patient_id
            {session_scores}
            WHERE s.voided_at IS NULL AND {where}
            ORDER BY s.date, p.chart COLLATE NOCASE, p.name, c.started_on, c.condition,
                i.position""",
        [*instruments, *params],
    )


# The plain injections CSV is the one export that reaches hundreds of thousands of rows, so
# SQLite itself prepares its cells: free text that a spreadsheet would run as a formula gets a
# leading quote (the rule of render.delimited.cell), whole REAL numbers become integers, and a
# last column says whether the row holds a carriage return (such a row is written all quoted).
_FREE_TEXT = ("p.chart", "p.name", "c.condition", "c.region", "s.practitioner", "s.anesthetic",
              "i.site", "i.solution")  # fmt: skip
_QUOTE = "''''"  # an SQL string holding one quote


def _protected(column: str) -> str:
    first = f"substr(ltrim({column}, {_QUOTE}), 1, 1)"
    return (f"CASE WHEN {first} IN ('=', '+', '-', '@', char(9), char(13))"
            f" THEN {_QUOTE} || {column} ELSE {column} END")  # fmt: skip


def _whole(column: str) -> str:
    return (f"CASE WHEN {column} = CAST({column} AS INTEGER)"
            f" THEN CAST({column} AS INTEGER) ELSE {column} END")  # fmt: skip


def injections_csv(db: Database, filters: Filters, instruments: list[str]) -> Rows:
    """The cells of the plain ``export injections`` CSV, ready to write, with a carriage-return
    flag last; the columns are render.exports' plain injections columns, in order."""
    base_sql, params = _injections_query(filters, instruments)  # the same joins and order
    p = {c: _protected(c) for c in _FREE_TEXT}
    columns = {
        "chart": p["p.chart"], "name": p["p.name"], "condition": p["c.condition"],
        "region": p["c.region"], "course_side": "c.side", "started_on": "c.started_on",
        "measure": "c.measure", "interval": "c.interval",
        "planned_sessions": "c.planned_sessions", "session_date": "s.date",
        "session_number": "s.number", "practitioner": p["s.practitioner"],
        "anesthetic": p["s.anesthetic"], "guidance": "s.guidance", "site": p["i.site"],
        "side": "i.side", "solution": p["i.solution"], "volume_ml": _whole("i.volume_ml"),
        "points": "i.points", **{code: _whole(f'v."{code}"') for code in instruments},
    }  # fmt: skip
    flag = " || ".join(f"coalesce({c}, '')" for c in _FREE_TEXT)
    select = ", ".join(f'{expr} AS "{name}"' for name, expr in columns.items())
    _, _, tail = base_sql.partition("FROM injections i")
    sql = f"SELECT {select}, instr({flag}, char(13)) > 0 AS has_cr FROM injections i{tail}"
    return Rows(db.execute(sql, params), sql, params)


def scores(db: Database, filters: Filters) -> Rows:
    where, params = filters.on("sc.date")
    return _rows(
        db,
        f"""SELECT {_PATIENT}, {_COURSE}, sc.id AS score_id, sc.instrument, sc.value,
                sc.date AS score_date, s.number AS session_number
            FROM scores sc JOIN courses c ON c.id = sc.course_id
            JOIN patients p ON p.id = c.patient_id
            LEFT JOIN sessions s ON s.id = sc.session_id
            WHERE sc.voided_at IS NULL AND {where}
            ORDER BY sc.date, p.chart COLLATE NOCASE, p.name, c.started_on, c.condition,
                sc.instrument""",
        params,
    )


class Rows:
    """Rows straight off an SQLite cursor, as tuples, with the names of their columns."""

    def __init__(self, cursor, sql: str = "", params: list | None = None):
        self.cursor = cursor
        self.columns = [d[0] for d in cursor.description]
        self.sql, self.params = sql, params or []

    def __iter__(self):
        return iter(self.cursor)

    def dicts(self) -> Iterator[dict]:
        names = self.columns
        return (dict(zip(names, row, strict=True)) for row in self.cursor)


def _rows(db: Database, sql: str, params: list) -> Rows:
    return Rows(db.execute(sql, params), sql, params)


def course_ids(db: Database, filters: Filters) -> Iterator[int]:
    where, params = filters.on("c.started_on")
    for r in db.query(
        f"""SELECT c.id FROM courses c JOIN patients p ON p.id = c.patient_id WHERE {where}
            ORDER BY c.started_on, p.chart COLLATE NOCASE, p.name, c.condition, c.id""",
        params,
    ):
        yield r["id"]


def secret(db: Database, name: str) -> str:
    return db.execute("SELECT value FROM secrets WHERE name = ?", [name]).fetchone()[0]
