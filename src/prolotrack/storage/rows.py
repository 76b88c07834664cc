"""Turning table rows into the domain's records, and the record-keeping clock."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from prolotrack.domain.dates import parse_interval
from prolotrack.domain.models import AdverseEvent, Course, Injection, Patient, Score, Session
from prolotrack.storage import sql

if TYPE_CHECKING:
    from prolotrack.storage import Database


_CHUNK = 500  # ids bound at once: well under either engine's limit on parameters


def keys(names: Iterator[str]) -> list[str]:
    """A row's column names as its dict's keys: a repeated name numbered ``_2``, ``_3``...,
    skipping a number another column has (sqlite-utils' rule, without importing it: a command
    on PostgreSQL does not need it)."""
    names = list(names)
    taken = set(names)
    if len(taken) == len(names):
        return names
    seen: set[str] = set()
    found = []
    for name in names:
        key, number = name, 2
        if name in seen:
            while key in seen or key in taken:
                key, number = f"{name}_{number}", number + 1
        seen.add(key)
        found.append(key)
    return found


def query_in(db: Database, statement: str, ids: list[int]) -> Iterator[dict]:
    """Rows of ``statement`` whose ``{ids}`` placeholder stands for ``IN (...)`` over ``ids``."""
    for start in range(0, len(ids), _CHUNK):
        listed, params = sql.ids(ids[start : start + _CHUNK])
        yield from db.query(statement.format(ids=listed), params)


@dataclass(frozen=True)
class Newest:
    """The id of the row of ``table`` this transaction inserted last, as a value of a row
    written after it: sent as SQL (``newest_id`` of a server's database), not waited for. A
    server answers an insert's id in a round trip; an import records 49,000 sessions, each
    with its sites and scores. ``insert`` and ``insert_all`` take it as any value."""

    table: str


def insert(db: Database, table: str, row: dict) -> int:
    """Insert one row (its keys are the columns) and return its new id."""
    return db.execute(_insert_sql(db, table, row) + " RETURNING id", row).fetchone()[0]


def insert_only(db: Database, table: str, row: dict) -> int | Newest:
    """Insert one row and say how the rows written after it name it: by its id where the
    engine has it at hand (SQLite's last row id), by ``Newest`` where it would take a round
    trip to learn (PostgreSQL)."""
    cursor = db.execute(_insert_sql(db, table, row), row)
    return cursor.lastrowid if db.dialect == sql.SQLITE else Newest(table)


def id_of(db: Database, row: int | Newest) -> int:
    """The id of a row ``insert_only`` inserted (on a server, asked of it)."""
    if isinstance(row, Newest):
        return db.execute(f"SELECT {db.newest_id(row.table)}").fetchone()[0]
    return row


def stamped(fields: dict) -> dict:
    """A new row's fields with the time it was made, as created and as last updated."""
    now = utc_now()
    return {**fields, "created_at": now, "updated_at": now}


def inserted(db: Database, table: str, row: dict) -> dict:
    """Insert one row and return it as stored, the columns left to their defaults filled in:
    one round trip to a server, where the insert and reading it back were two."""
    [stored] = db.query(_insert_sql(db, table, row) + " RETURNING *", row)
    return stored


def insert_all(db: Database, table: str, rows: list[dict]) -> None:
    """Insert rows that all have the same keys (and the same ``Newest`` values, if any), with
    one statement prepared once."""
    if rows:
        db.executemany(_insert_sql(db, table, rows[0]), rows)


def update(db: Database, table: str, row_id: int, fields: dict) -> None:
    """Set ``fields`` (its keys are the columns) on the row with that id."""
    assigned = ", ".join(f"{column} = :{column}" for column in fields)
    db.execute(f"UPDATE {table} SET {assigned} WHERE id = :_id", {**fields, "_id": row_id})


def _insert_sql(db: Database, table: str, row: dict) -> str:
    """The insert of ``row``'s columns, each a named parameter or, for a ``Newest`` value, its
    SQL (the parameter left unused in ``row``: both engines ignore a name not in the SQL)."""
    values = tuple(
        db.newest_id(value.table) if isinstance(value, Newest) else f":{column}"
        for column, value in row.items()
    )
    return _statement(table, tuple(row), values)


@functools.cache
def _statement(table: str, columns: tuple[str, ...], values: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(values)})"


def utc_now() -> str:
    """A record-keeping timestamp: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def patient(row: dict) -> Patient:
    return Patient(
        id=row["id"],
        name=row["name"],
        chart=row["chart"],
        born=_day(row["born"]),
        sex=row["sex"],
        phone=row["phone"],
        note=row["note"],
        archived_at=row["archived_at"],
        created_at=row["created_at"],
        weight_kg=row.get("weight_kg"),
    )


def course(row: dict, owner: Patient | None = None) -> Course:
    return Course(
        id=row["id"],
        patient_id=row["patient_id"],
        condition=row["condition"],
        started_on=date.fromisoformat(row["started_on"]),
        interval=parse_interval(row["interval"]),
        measure=row["measure"],
        status=row["status"],
        region=row["region"],
        side=row["side"],
        icd10=row["icd10"],
        planned_sessions=row["planned_sessions"],
        closed_on=_day(row["closed_on"]),
        close_reason=row["close_reason"],
        protocol=row.get("protocol"),
        follow_up=row.get("follow_up"),
        voided_at=row.get("voided_at"),
        void_reason=row.get("void_reason"),
        consent_on=_day(row.get("consent_on")),
        consent_form=row.get("consent_form"),
        created_at=row["created_at"],
        patient=owner,
        sessions_done=row.get("sessions_done") or 0,
        last_session_on=_day(row.get("last_session_on")),
        research_consent_on=_day(row.get("research_consent_on")),
        research_withdrawn_on=_day(row.get("research_withdrawn_on")),
    )


def session(row: dict) -> Session:
    return Session(
        id=row["id"],
        course_id=row["course_id"],
        number=row["number"],
        given_on=date.fromisoformat(row["date"]),
        practitioner=row["practitioner"],
        anesthetic=row["anesthetic"],
        guidance=row["guidance"],
        note=row["note"],
        voided_at=row["voided_at"],
        void_reason=row["void_reason"],
        created_at=row["created_at"],
        warnings=(row.get("warnings") or "").splitlines(),
    )


def injection(row: dict) -> Injection:
    return Injection(
        id=row["id"],
        session_id=row["session_id"],
        position=row["position"],
        site=row["site"],
        side=row["side"],
        solution=row["solution"],
        volume_ml=row["volume_ml"],
        points=row["points"],
        guidance=row["guidance"],
    )


def score(row: dict) -> Score:
    return Score(
        id=row["id"],
        course_id=row["course_id"],
        session_id=row["session_id"],
        instrument=row["instrument"],
        value=row["value"],
        taken_on=date.fromisoformat(row["date"]),
        voided_at=row["voided_at"],
        void_reason=row["void_reason"],
        answer_set_id=row.get("answer_set_id"),
    )


def adverse_event(row: dict) -> AdverseEvent:
    return AdverseEvent(
        id=row["id"],
        session_id=row["session_id"],
        kind=row["kind"],
        severity=row["severity"],
        onset_on=date.fromisoformat(row["onset"]),
        resolved_on=_day(row["resolved_on"]),
        note=row["note"],
        serious=bool(row.get("serious")),
        recorded_on=_day(row.get("recorded_on")),
        voided_at=row.get("voided_at"),
        void_reason=row.get("void_reason"),
    )
