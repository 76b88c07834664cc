"""Signing sessions, co-signing them, adding addenda, and finding those still unsigned."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from prolotrack.actions import settings
from prolotrack.domain import signatures as signing
from prolotrack.domain import vocab
from prolotrack.domain.errors import InvalidInput, Refused
from prolotrack.domain.models import Session
from prolotrack.domain.signatures import Signature
from prolotrack.storage import audit, rows, sessions, signatures

if TYPE_CHECKING:
    from prolotrack.storage import Database


def label(s: Session) -> str:
    return f"session {s.course_id}#{s.number}"


def signer(db: Database) -> str:
    """Who signs: the practitioner setting, which a signature cannot do without."""
    return settings.practitioner(db, "a signature needs the signer's name")


def sign(db: Database, chosen: list[Session], meaning: str) -> list[Signature]:
    """Sign each session, after checking every one (all or none)."""
    meaning = vocab.one_of(meaning, signing.MEANINGS, "meaning")
    name = signer(db)
    if not chosen:
        raise InvalidInput("no session to sign")
    held = signatures.of_sessions(db, [s.id for s in chosen])
    for s in chosen:
        if s.voided_at:
            raise Refused(f"{label(s)} was voided ({s.void_reason}); it takes no signature")
        done = [g for g in held[s.id] if g.kind == signing.SIGN]
        if done:
            raise Refused(f"{label(s)} is already signed ({done[0].shown})")
    return [_write(db, s.id, signing.SIGN, name, meaning) for s in chosen]


def cosign(db: Database, session: Session, meaning: str) -> Signature:
    meaning = vocab.one_of(meaning, signing.MEANINGS, "meaning")
    name = signer(db)
    held = signatures.of_session(db, session.id)
    signed = [g for g in held if g.kind == signing.SIGN]
    if not signed:
        raise Refused(f"{label(session)} is not signed yet: it is co-signed after its signature")
    if any(g.signer == name for g in held if g.kind in (signing.SIGN, signing.COSIGN)):
        raise Refused(f"{label(session)} already carries {name}'s signature: another co-signs")
    return _write(db, session.id, signing.COSIGN, name, meaning)


def addendum(db: Database, session: Session, note: str) -> Signature:
    """An addendum: dated, attributed, signed by its writer; it adds to the session and
    changes nothing that was signed."""
    text = vocab.note(note, "addendum")
    if not text:
        raise InvalidInput("an addendum needs its text (--note TEXT)")
    name = signer(db)
    if session.voided_at:
        raise Refused(f"{label(session)} was voided ({session.void_reason}); it takes no addendum")
    at = rows.utc_now()
    signed = signatures.content_hash(db, session.id)
    fields = {
        "session_id": session.id,
        "kind": signing.ADDENDUM,
        "signer": name,
        "account": audit.actor(db),
        "signed_at": at,
        "meaning": "addendum",
        "content_hash": signing.addendum_hash(signed, text, name, at),
        "note": text,
    }
    return _read(db, signatures.insert(db, fields), session.id)


def refuse_if_signed(db: Database, session: Session, what: str) -> None:
    reference = f"{session.course_id}#{session.number}"
    signing.refuse_change(reference, signatures.of_session(db, session.id), what)


def refuse_if_day_signed(db: Database, course_id: int, day: date, what: str) -> None:
    """A score of a signed session's day is part of what was signed."""
    found = signatures.signed_on(db, course_id, day)
    if found is not None:
        session = sessions.get(db, found[0])
        signing.refuse_change(f"{session.course_id}#{session.number}", found[1], what)


def unsigned(db: Database, today: date, older_than: int | None = None) -> list[Session]:
    """Live sessions without a signature (more than ``older_than`` days old, if given)."""
    return [sessions.get(db, i) for i in unsigned_ids(db, today, older_than)]


def unsigned_ids(db: Database, today: date, older_than: int | None = None) -> list[int]:
    """The ids of ``unsigned``'s sessions, oldest first."""
    before = today - timedelta(days=older_than) if older_than is not None else None
    return signatures.unsigned(db, before)


def _write(db: Database, session_id: int, kind: str, name: str, meaning: str) -> Signature:
    fields = {
        "session_id": session_id,
        "kind": kind,
        "signer": name,
        "account": audit.actor(db),
        "signed_at": rows.utc_now(),
        "meaning": meaning,
        "content_hash": signatures.content_hash(db, session_id),
    }
    return _read(db, signatures.insert(db, fields), session_id)


def _read(db: Database, signature_id: int, session_id: int) -> Signature:
    return next(g for g in signatures.of_session(db, session_id) if g.id == signature_id)
