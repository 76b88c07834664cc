"""Rows for the exports, streamed from the database one at a time.

Each function yields rows straight off the database's cursor, so memory does not grow with
the number of rows. Rows are ordered by natural keys (dates, chart numbers, conditions), not by
ids, so that a file exported, imported into an empty database and exported again comes out the
same. Every row carries ``patient_id``, ``born`` and ``started_on`` for de-identification.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain.errors import DatabaseUnusable
from prolotrack.domain.extracts import SiteCells
from prolotrack.storage import sql

if TYPE_CHECKING:
    from prolotrack.storage import Database


@dataclass
class Filters:
    """Which rows an export takes: a date window on the row's clinical date, one patient."""

    since: date | None = None
    until: date | None = None
    patient_id: int | None = None

    def on(
        self, date_column: str | None, patient_column: str = "p.id", course: str | None = "c"
    ) -> tuple[str, dict]:
        """The WHERE clause: a course voided in error (alias ``course``) is in no export."""
        where: list[str] = [f"{course}.voided_at IS NULL"] if course else []
        params: dict = {}
        if date_column:
            window, params = sql.within(date_column, self.since, self.until)
            where += window
        if self.patient_id is not None:
            where.append(f"{patient_column} = :patient")
            params["patient"] = self.patient_id
        return (" AND ".join(where) or "1 = 1"), params


_COURSE = """c.id AS course_id, c.condition, c.region, c.side AS course_side, c.icd10, c.measure,
    c.interval, c.planned_sessions, c.started_on, c.status, c.closed_on, c.close_reason"""
_PATIENT = "p.id AS patient_id, p.chart, p.name, p.born"
_LIVE_SESSIONS = (
    "(SELECT count(*) FROM sessions x WHERE x.course_id = c.id AND x.voided_at IS NULL)"
)


def _rehabilitation(db: Database) -> str:
    text = "r.kind || coalesce(' from ' || r.from_on, '') || coalesce(' to ' || r.to_on, '')"
    return sql.joined(db, text, "'; '", "r.id")


def _given(db: Database) -> str:
    """Each site's solution and volume, for the totals of what was given: the characters 31
    and 30 between them (render.exports reads them back)."""
    unit, record = ("char(31)", "char(30)") if db.dialect == sql.SQLITE else ("chr(31)", "chr(30)")
    return sql.joined(db, f"i.solution || {unit} || i.volume_ml", record, "i.position")


def _rounded(db: Database, expression: str) -> str:
    """A sum of volumes to 0.001 mL, a REAL either way (PostgreSQL rounds numerics only)."""
    if db.dialect == sql.SQLITE:
        return f"round({expression}, 3)"
    return f"CAST(round(CAST({expression} AS numeric), 3) AS double precision)"


def patients(db: Database, filters: Filters) -> Rows:
    where, params = filters.on(None, course=None)
    return _rows(
        db,
        f"""SELECT {_PATIENT}, p.sex, p.phone, p.note,
                CASE WHEN p.archived_at IS NULL THEN 0 ELSE 1 END AS archived,
                p.weight_kg, (SELECT {sql.joined(db, "f.kind", "'; '", "f.kind")}
                  FROM patient_flags f WHERE f.patient_id = p.id) AS flags,
                (SELECT min(c.started_on) FROM courses c
                  WHERE c.patient_id = p.id AND c.voided_at IS NULL) AS started_on,
                (SELECT count(*) FROM courses c
                  WHERE c.patient_id = p.id AND c.voided_at IS NULL) AS courses
            FROM patients p WHERE {where}
            ORDER BY {sql.nocase(db, "p.chart")}, p.name, p.id""",
        params,
    )


def courses(db: Database, filters: Filters) -> Rows:
    where, params = filters.on("c.started_on")
    return _rows(
        db,
        f"""SELECT {_PATIENT}, {_COURSE}, {_LIVE_SESSIONS} AS sessions_done, c.follow_up,
                c.consent_on, c.consent_form, (SELECT {_rehabilitation(db)}
                  FROM rehabilitation r WHERE r.course_id = c.id) AS rehabilitation
            FROM courses c JOIN patients p ON p.id = c.patient_id WHERE {where}
            ORDER BY c.started_on, {sql.nocase(db, "p.chart")}, p.name, c.condition, c.id""",
        params,
    )


def sessions(db: Database, filters: Filters) -> Rows:
    where, params = filters.on("s.date")
    return _rows(
        db,
        f"""SELECT {_PATIENT}, {_COURSE}, s.id AS session_id, s.number AS session_number,
                s.date AS session_date, s.practitioner, s.anesthetic, s.guidance, s.note,
                s.warnings, (SELECT count(*) FROM injections i WHERE i.session_id = s.id) AS sites,
                (SELECT {_rounded(db, "sum(i.volume_ml)")} FROM injections i
                  WHERE i.session_id = s.id) AS volume_ml,
                (SELECT {_given(db)} FROM injections i WHERE i.session_id = s.id) AS given,
                {_signed("sign", "signed_by", "signed_at", "meaning")},
                {_signed("cosign", "cosigned_by", "cosigned_at", "cosign_meaning")},
                (SELECT count(*) FROM signatures g WHERE g.session_id = s.id
                  AND g.kind = 'addendum') AS addenda
            FROM sessions s JOIN courses c ON c.id = s.course_id
            JOIN patients p ON p.id = c.patient_id
            WHERE s.voided_at IS NULL AND {where}
            ORDER BY s.date, {sql.nocase(db, "p.chart")}, p.name, c.started_on, c.condition""",
        params,
    )


def _signed(kind: str, by: str, at: str, meaning: str) -> str:
    """The first signature of that kind of each session: who, when (UTC), what it means."""
    first = (
        f"FROM signatures g WHERE g.session_id = s.id AND g.kind = '{kind}' ORDER BY g.id LIMIT 1"
    )
    return (
        f"(SELECT g.signer {first}) AS {by}, (SELECT g.signed_at {first}) AS {at},"
        f" (SELECT g.meaning {first}) AS {meaning}"
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
    _number_sessions(db, filters, instruments)
    scores = "".join(f", v.score_{n} AS {_name(code)}" for n, code in enumerate(instruments))
    return _rows(
        db,
        f"""SELECT {", ".join(f"e.{c}" for c in _SESSION_COLUMNS)},
                i.site, i.side, i.solution, i.volume_ml, i.points {scores}
            FROM export_sessions e JOIN injections i ON i.session_id = e.session_id
            LEFT JOIN export_scores v ON v.session_id = e.session_id
            ORDER BY e.k, i.position""",
        [],
    )


_SESSION_COLUMNS = (
    "patient_id", "chart", "name", "born", "course_id", "condition", "region", "course_side",
    "icd10", "measure", "interval", "planned_sessions", "started_on", "status", "closed_on",
    "close_reason", "session_id", "session_date", "session_number", "practitioner",
    "anesthetic", "guidance",
)  # fmt: skip
_WHOLE_NUMBERS = {"patient_id", "course_id", "planned_sessions", "session_id", "session_number"}


def _typed(column: str) -> str:
    """A column of the temporary tables, with a type both engines read alike."""
    return f"{column} {'bigint' if column in _WHOLE_NUMBERS else 'text'}"


def _number_sessions(db: Database, filters: Filters, instruments: list[str]) -> None:
    """Fill ``export_sessions``: the sessions an injections export takes, numbered ``k``
    in the export's order, with their patients and courses; and ``export_scores``: each
    of those sessions' latest live score on each of ``instruments`` (``score_0`` ...).

    The export then reads each session's sites through the (session_id, position) index in
    ``k`` order, so SQLite sorts the tens of thousands of sessions, never the hundreds of
    thousands of sites, and works out each session's scores once, not once per site."""
    where, params = filters.on("s.date")
    for table in ("export_sessions", "export_scores"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    columns = ", ".join(_typed(c) for c in _SESSION_COLUMNS)
    db.execute(f"CREATE TEMP TABLE export_sessions (k INTEGER PRIMARY KEY, {columns})")
    db.execute(
        f"""INSERT INTO export_sessions
            SELECT row_number() OVER (ORDER BY s.date, {sql.nocase(db, "p.chart")}, p.name,
                    c.started_on, c.condition, s.number),
                {_PATIENT}, {_COURSE}, s.id, s.date, s.number, s.practitioner, s.anesthetic,
                s.guidance
            FROM sessions s JOIN courses c ON c.id = s.course_id
            JOIN patients p ON p.id = c.patient_id
            WHERE s.voided_at IS NULL AND {where}""",
        params,
    )
    scores = [f"score_{n}" for n in range(len(instruments))]
    columns = ", ".join(
        ["session_id INTEGER PRIMARY KEY", *(f"{s} double precision" for s in scores)]
    )
    db.execute(f"CREATE TEMP TABLE export_scores ({columns})")
    if instruments:
        pivot = ", ".join(
            f"max(CASE WHEN instrument = :i{n} THEN value END)" for n in range(len(instruments))
        )
        # The inner query numbers each session's scores of one instrument, latest first.
        db.execute(
            f"""INSERT INTO export_scores
                SELECT session_id, {pivot} FROM (
                    SELECT sc.session_id, sc.instrument, sc.value, row_number() OVER (
                        PARTITION BY sc.session_id, sc.instrument ORDER BY sc.id DESC) AS latest
                    FROM export_sessions e JOIN scores sc ON sc.session_id = e.session_id
                    WHERE sc.voided_at IS NULL) AS found
                WHERE latest = 1 GROUP BY session_id""",
            {f"i{n}": code for n, code in enumerate(instruments)},
        )


def _name(code: str) -> str:
    """An instrument's code as an SQL column name."""
    return '"' + code.replace('"', '""') + '"'


def injections_csv(db: Database, filters: Filters, instruments: list[str]) -> SiteCells:
    """The ``export injections`` CSV's sessions and sites, each session's values read once."""
    _number_sessions(db, filters, instruments)
    values = [
        *(f"e.{c}" for c in _SESSION_COLUMNS),
        *(f"v.score_{n} AS {_name(c)}" for n, c in enumerate(instruments)),
    ]
    sessions = _rows(
        db,
        f"""SELECT {", ".join(values)},
                (SELECT count(*) FROM injections i WHERE i.session_id = e.session_id) AS sites
            FROM export_sessions e
            LEFT JOIN export_scores v ON v.session_id = e.session_id ORDER BY e.k""",
        {},
    )
    sites = _rows(
        db,
        """SELECT i.site, i.side, i.solution, i.volume_ml, i.points
            FROM export_sessions e JOIN injections i ON i.session_id = e.session_id
            ORDER BY e.k, i.position""",
        {},
    )
    return SiteCells(iter(sessions), iter(sites), sessions.columns[:-1])


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
            ORDER BY sc.date, {sql.nocase(db, "p.chart")}, p.name, c.started_on, c.condition,
                sc.instrument""",
        params,
    )


def answers(db: Database, filters: Filters) -> Rows:
    """One row an answer of each live answer set (a form filled in), in the form's order."""
    where, params = filters.on("a.date")
    return _rows(
        db,
        f"""SELECT {_PATIENT}, {_COURSE}, a.id AS answer_set_id, a.form, a.form_version,
                a.scoring_version, a.date AS answer_date, s.number AS session_number,
                n.position, n.item, n.value
            FROM answers n JOIN answer_sets a ON a.id = n.answer_set_id
            JOIN courses c ON c.id = a.course_id JOIN patients p ON p.id = c.patient_id
            LEFT JOIN sessions s ON s.id = a.session_id
            WHERE a.voided_at IS NULL AND {where}
            ORDER BY a.date, {sql.nocase(db, "p.chart")}, p.name, c.started_on, a.id, n.position""",
        params,
    )


def adverse(db: Database, filters: Filters) -> Rows:
    where, params = filters.on("a.onset")
    return _rows(
        db,
        f"""SELECT {_PATIENT}, {_COURSE}, a.id AS adverse_event_id, s.id AS session_id,
                s.number AS session_number, s.date AS session_date, a.kind, a.severity,
                a.serious, a.onset, a.resolved_on, a.recorded_on, a.note
            FROM adverse_events a JOIN sessions s ON s.id = a.session_id
            JOIN courses c ON c.id = s.course_id JOIN patients p ON p.id = c.patient_id
            WHERE a.voided_at IS NULL AND s.voided_at IS NULL AND {where}
            ORDER BY a.onset, {sql.nocase(db, "p.chart")}, p.name, c.started_on, a.id""",
        params,
    )


class Rows:
    """Rows straight off the database's cursor, as tuples, with the names of their columns."""

    def __init__(self, cursor, query: str = "", params: dict | None = None):
        self.cursor = cursor
        self.columns = [d[0] for d in cursor.description]
        self.sql, self.params = query, params or {}

    def __iter__(self):
        return iter(self.cursor)

    def dicts(self) -> Iterator[dict]:
        names = self.columns
        return (dict(zip(names, row, strict=True)) for row in self.cursor)


def _rows(db: Database, query: str, params: dict) -> Rows:
    return Rows(db.stream(query, params), query, params)


def course_ids(db: Database, filters: Filters) -> Iterator[int]:
    where, params = filters.on("c.started_on")
    for r in db.query(
        f"""SELECT c.id FROM courses c JOIN patients p ON p.id = c.patient_id WHERE {where}
            ORDER BY c.started_on, {sql.nocase(db, "p.chart")}, p.name, c.condition, c.id""",
        params,
    ):
        yield r["id"]


def secret(db: Database, name: str) -> str:
    found = db.execute("SELECT value FROM secrets WHERE name = :name", {"name": name}).fetchone()
    if found is None:
        raise DatabaseUnusable(
            f"the {_SECRETS.get(name, name)} is missing from the database: it was removed"
            " outside prolotrack. Run 'prolotrack db check', and restore a backup"
        )
    return found[0]


_SECRETS = {"pseudonym-key": "key of this file's pseudonyms"}
