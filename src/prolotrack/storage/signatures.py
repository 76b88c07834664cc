"""Queries on signatures: writing one, reading a session's, what a signature covers as the
session stands now, and the sessions still unsigned."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain import signatures as signing
from prolotrack.domain.signatures import Signature
from prolotrack.storage import rows

if TYPE_CHECKING:
    from prolotrack.storage import Database


def insert(db: Database, fields: dict) -> int:
    return rows.insert(db, "signatures", fields)


def of_sessions(db: Database, session_ids: list[int]) -> dict[int, list[Signature]]:
    """Each session's signatures, co-signatures and addenda, oldest first."""
    found: dict[int, list[Signature]] = {sid: [] for sid in session_ids}
    for r in rows.query_in(
        db, "SELECT * FROM signatures WHERE session_id IN ({ids}) ORDER BY id", session_ids
    ):
        found[r["session_id"]].append(_signature(r))
    return found


def of_session(db: Database, session_id: int) -> list[Signature]:
    return of_sessions(db, [session_id])[session_id]


def signed_on(db: Database, course_id: int, day: date) -> tuple[int, list[Signature]] | None:
    """The course's live session of that day and its signatures, if it was signed."""
    found = list(
        db.query(
            "SELECT s.id FROM sessions s WHERE s.course_id = :course AND s.date = :day"
            " AND s.voided_at IS NULL AND EXISTS (SELECT 1 FROM signatures g"
            " WHERE g.session_id = s.id AND g.kind = 'sign')",
            {"course": course_id, "day": day.isoformat()},
        )
    )
    if not found:
        return None
    session_id = found[0]["id"]
    return session_id, of_session(db, session_id)


def content_hash(db: Database, session_id: int) -> str:
    """The hash of the session's content as it stands now (``domain/signatures.py``)."""
    session = next(iter(db.query("SELECT * FROM sessions WHERE id = :id", {"id": session_id})))
    sites = list(
        db.query(
            "SELECT * FROM injections WHERE session_id = :id ORDER BY position", {"id": session_id}
        )
    )
    scores = list(
        db.query(
            "SELECT * FROM scores WHERE course_id = :course AND date = :day ORDER BY id",
            {"course": session["course_id"], "day": session["date"]},
        )
    )
    return signing.content_hash(session, sites, scores)


def unsigned(db: Database, before: date | None = None) -> list[int]:
    """Live sessions without a signature (dated before ``before``), oldest first."""
    where = " AND s.date < :before" if before else ""
    return [
        r["id"]
        for r in db.query(
            "SELECT s.id FROM sessions s WHERE s.voided_at IS NULL AND NOT EXISTS"
            " (SELECT 1 FROM signatures g WHERE g.session_id = s.id AND g.kind = 'sign')"
            f"{where} ORDER BY s.date, s.id",
            {"before": before.isoformat() if before else None},
        )
    ]


def in_use(db: Database) -> bool:
    """Whether the clinic signs: a signature is recorded."""
    return next(iter(db.query("SELECT 1 AS found FROM signatures LIMIT 1")), None) is not None


def mismatched(db: Database) -> list[str]:
    """Every signature (and co-signature) whose session no longer hashes as it was signed."""
    if "signatures" not in db.table_names():
        return []  # a server of an earlier version, read as it stands
    found = []
    for r in db.query(
        "SELECT g.*, s.course_id, s.number FROM signatures g"
        " JOIN sessions s ON s.id = g.session_id WHERE g.kind != 'addendum'"
        " AND s.voided_at IS NULL ORDER BY g.id"  # a void takes its scores: its own reason
    ):
        if content_hash(db, r["session_id"]) != r["content_hash"]:
            found.append(
                f"signature: session {r['course_id']}#{r['number']} (id {r['session_id']}) is not"
                f" as {r['signer']} {'co-signed' if r['kind'] == 'cosign' else 'signed'} it at"
                f" {r['signed_at']}: its content was changed after it was signed"
            )
    return found


def _signature(r: dict) -> Signature:
    return Signature(
        id=r["id"],
        session_id=r["session_id"],
        kind=r["kind"],
        signer=r["signer"],
        account=r["account"],
        signed_at=r["signed_at"],
        meaning=r["meaning"],
        content_hash=r["content_hash"],
        note=r["note"],
    )
