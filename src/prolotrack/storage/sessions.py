"""Queries on sessions, their injection sites and adverse events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING

from prolotrack.domain.models import AdverseEvent, Session
from prolotrack.storage import rows, sql

if TYPE_CHECKING:
    from prolotrack.storage import Database


def insert(
    db: Database, fields: dict, injections: list[dict], *, moves_later: bool
) -> int | rows.Newest:
    """Record a session (its ``number`` among the course's sessions in ``fields``) and its
    sites; ``moves_later``: it is back-dated, and the later sessions move up by one. The new
    session as the rows written after it name it (its scores, adverse events): on a server,
    its id is not waited for (``rows.id_of``)."""
    if moves_later:  # two passes, because the numbers are unique within a course at every step
        params = {"course": fields["course_id"], "day": fields["date"]}
        db.execute(
            "UPDATE sessions SET number = -(number + 1)"
            " WHERE course_id = :course AND voided_at IS NULL AND date > :day",
            params,
        )
        db.execute(
            "UPDATE sessions SET number = -number"
            " WHERE course_id = :course AND voided_at IS NULL AND number < 0",
            params,
        )
    session = rows.insert_only(db, "sessions", rows.stamped(fields))
    _insert_sites(db, session, injections)
    return session


def renumber(db: Database, course_id: int) -> None:
    """Number the course's sessions 1..n in date order (voided ones do not count).

    Two passes, because the numbers are unique within a course at every step.
    """
    live = "course_id = :course AND voided_at IS NULL"
    db.execute(f"UPDATE sessions SET number = -id WHERE {live}", {"course": course_id})
    db.execute(
        f"""UPDATE sessions SET number = (
                SELECT count(*) FROM sessions other
                WHERE other.course_id = sessions.course_id AND other.voided_at IS NULL
                  AND other.date <= sessions.date)
            WHERE {live}""",
        {"course": course_id},
    )


def update(db: Database, session_id: int, fields: dict) -> None:
    rows.update(db, "sessions", session_id, {**fields, "updated_at": rows.utc_now()})


def replace_injections(db: Database, session_id: int, injections: list[dict]) -> None:
    """The session's sites as given now (the old ones stay in the audit log)."""
    db.execute("DELETE FROM injections WHERE session_id = :session", {"session": session_id})
    _insert_sites(db, session_id, injections)


def _insert_sites(db: Database, session_id: int | rows.Newest, injections: list[dict]) -> None:
    rows.insert_all(
        db,
        "injections",
        [
            {**site, "session_id": session_id, "position": position}
            for position, site in enumerate(injections, start=1)
        ],
    )


def set_guidance(db: Database, session_id: int, guidance: str | None) -> None:
    db.execute(
        "UPDATE injections SET guidance = :guidance WHERE session_id = :session",
        {"guidance": guidance, "session": session_id},
    )


def void(db: Database, session_id: int, reason: str) -> None:
    """Mark a session and its scores void: kept in the file, out of every list and report."""
    now = rows.utc_now()
    update(db, session_id, {"voided_at": now, "void_reason": reason})
    db.execute(
        "UPDATE scores SET voided_at = :now, void_reason = :reason"
        " WHERE session_id = :session AND voided_at IS NULL",
        {"now": now, "reason": f"session {session_id} voided: {reason}", "session": session_id},
    )


def on_date(db: Database, course_id: int, day: date) -> Session | None:
    found = list(
        db.query(
            "SELECT * FROM sessions"
            " WHERE course_id = :course AND date = :day AND voided_at IS NULL",
            {"course": course_id, "day": day.isoformat()},
        )
    )
    return rows.session(found[0]) if found else None


def days(db: Database, course_id: int) -> list[tuple[int, int, date, bool]]:
    """The course's live sessions: each one's id, number, day and whether it is signed."""
    return [
        (r[0], r[1], date.fromisoformat(r[2]), bool(r[3]))
        for r in db.execute(
            "SELECT s.id, s.number, s.date, EXISTS (SELECT 1 FROM signatures g"
            " WHERE g.session_id = s.id AND g.kind = 'sign')"
            " FROM sessions s WHERE s.course_id = :course AND s.voided_at IS NULL",
            {"course": course_id},
        )
    ]


def numbered(db: Database, course_id: int, number: int) -> int | None:
    """The id of a course's live session of that number (as ``progress`` shows it)."""
    found = db.execute(
        "SELECT id FROM sessions"
        " WHERE course_id = :course AND number = :number AND voided_at IS NULL",
        {"course": course_id, "number": number},
    ).fetchone()
    return found[0] if found else None


def get(db: Database, session_id: int) -> Session | None:
    """A session with its injection sites, scores and adverse events."""
    found = list(db.query("SELECT * FROM sessions WHERE id = :id", {"id": session_id}))
    if not found:
        return None
    session = rows.session(found[0])
    _attach_injections(db, [session])
    session.scores = [
        rows.score(r)
        for r in db.query(
            "SELECT * FROM scores WHERE session_id = :session AND voided_at IS NULL"
            " ORDER BY instrument",
            {"session": session_id},
        )
    ]
    session.adverse_events = [
        rows.adverse_event(r)
        for r in db.query(
            "SELECT * FROM adverse_events WHERE session_id = :session AND voided_at IS NULL"
            " ORDER BY onset, id",
            {"session": session_id},
        )
    ]
    return session


def listing(db: Database, **filters) -> list[Session]:
    """Sessions (not voided, unless asked) with their injection sites, oldest first (the
    filters of ``in_batches``)."""
    return [s for batch in in_batches(db, **filters) for s in batch]


def in_batches(
    db: Database,
    *,
    patient_id: int | None = None,
    course_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    include_voided: bool = False,
    size: int = 500,
) -> Iterator[list[Session]]:
    """Sessions (not voided, unless asked) with their injection sites, oldest first, ``size``
    at a time (memory stays that of a batch): of one patient, one course, between two days."""
    where, params = ["1 = 1" if include_voided else "s.voided_at IS NULL"], {}
    if course_id is None and not include_voided:  # nor those of a course voided in error
        where.append("c.voided_at IS NULL")
    if patient_id is not None:
        where.append("c.patient_id = :patient")
        params["patient"] = patient_id
    if course_id is not None:
        where.append("s.course_id = :course")
        params["course"] = course_id
    window, dates = sql.within("s.date", since, until)
    where, params = where + window, {**params, **dates}
    found = f"""SELECT s.* FROM sessions s JOIN courses c ON c.id = s.course_id
              WHERE {" AND ".join(where)} ORDER BY s.date, s.course_id, s.id"""
    found_rows = db.query(found, params)
    while batch := [rows.session(r) for r in islice(found_rows, size)]:
        _attach_injections(db, batch)
        yield batch


def of_ids(db: Database, ids: list[int]) -> list[Session]:
    """These sessions, in this order, with their injection sites."""
    found = "SELECT * FROM sessions WHERE id IN ({ids})"
    by_id = {r["id"]: rows.session(r) for r in rows.query_in(db, found, ids)}
    chosen = [by_id[i] for i in ids if i in by_id]
    _attach_injections(db, chosen)
    return chosen


def _attach_injections(db: Database, sessions: list[Session]) -> None:
    by_id = {s.id: s for s in sessions}
    found = "SELECT * FROM injections WHERE session_id IN ({ids}) ORDER BY session_id, position"
    for r in rows.query_in(db, found, list(by_id)):
        by_id[r["session_id"]].injections.append(rows.injection(r))


def add_adverse_event(db: Database, fields: dict) -> int:
    return rows.insert(db, "adverse_events", {**fields, "created_at": rows.utc_now()})


def adverse_events_of_course(
    db: Database, course_id: int, *, live_sessions: bool = False
) -> dict[int, list[AdverseEvent]]:
    """A course's adverse events (not voided) by session id, in one query; ``live_sessions``:
    only those of sessions not voided (found through the course's index of its live sessions,
    where all of them take a scan of the adverse events: 2 ms a course at ten years)."""
    found: dict[int, list[AdverseEvent]] = {}
    live = "AND s.voided_at IS NULL" if live_sessions else ""
    for r in db.query(
        f"""SELECT a.* FROM adverse_events a JOIN sessions s ON s.id = a.session_id
           WHERE s.course_id = :course {live} AND a.voided_at IS NULL ORDER BY a.onset, a.id""",
        {"course": course_id},
    ):
        found.setdefault(r["session_id"], []).append(rows.adverse_event(r))
    return found


def get_adverse_event(db: Database, event_id: int) -> AdverseEvent | None:
    """The adverse event, voided or not."""
    found = list(db.query("SELECT * FROM adverse_events WHERE id = :id", {"id": event_id}))
    return rows.adverse_event(found[0]) if found else None


def adverse_events_recorded(db: Database, first: date, last: date) -> list[AdverseEvent]:
    """Adverse events (not voided) recorded on the days ``first`` to ``last`` (of live
    sessions)."""
    return [
        rows.adverse_event(r)
        for r in db.query(
            """SELECT a.* FROM adverse_events a JOIN sessions s ON s.id = a.session_id
               JOIN courses c ON c.id = s.course_id
               WHERE a.recorded_on BETWEEN :first AND :last AND s.voided_at IS NULL
                 AND c.voided_at IS NULL AND a.voided_at IS NULL
               ORDER BY a.recorded_on, a.onset, a.id""",
            {"first": first.isoformat(), "last": last.isoformat()},
        )
    ]


def adverse_events(
    db: Database, *, open_only: bool = False, since: date | None = None, until: date | None = None
) -> list[AdverseEvent]:
    """Adverse events (not voided) of live sessions, by onset: still open ones only, or those
    whose onset falls in ``since``..``until``."""
    where = ["a.voided_at IS NULL", "s.voided_at IS NULL", "c.voided_at IS NULL"]
    if open_only:
        where.append("a.resolved_on IS NULL")
    window, dates = sql.within("a.onset", since, until)
    found = f"""SELECT a.* FROM adverse_events a JOIN sessions s ON s.id = a.session_id
              JOIN courses c ON c.id = s.course_id
              WHERE {" AND ".join(where + window)} ORDER BY a.onset, a.id"""
    return [rows.adverse_event(r) for r in db.query(found, dates)]


def update_adverse_event(db: Database, event_id: int, fields: dict) -> None:
    rows.update(db, "adverse_events", event_id, fields)


def void_adverse_event(db: Database, event_id: int, reason: str) -> None:
    fields = {"voided_at": rows.utc_now(), "void_reason": reason}
    rows.update(db, "adverse_events", event_id, fields)


def resolve_adverse_event(db: Database, event_id: int, day: date) -> None:
    rows.update(db, "adverse_events", event_id, {"resolved_on": day.isoformat()})
