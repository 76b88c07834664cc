"""Logging a treatment session: its injection sites, its scores, its adverse events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain import scores, vocab
from prolotrack.domain.errors import InvalidInput, Refused
from prolotrack.domain.models import Course, Session
from prolotrack.domain.sites import SiteSpec, settle
from prolotrack.storage import sessions

if TYPE_CHECKING:
    from prolotrack.storage import Database


@dataclass
class SessionEntry:
    """What ``session log`` was given, read but not yet checked against the record."""

    given_on: date
    sites: list[SiteSpec]
    volume_ml: float | None = None
    solution: str | None = None
    side: str | None = None
    scores: list[tuple[str, float]] = field(default_factory=list)
    adverse: list[tuple[str, str]] = field(default_factory=list)
    anesthetic: str | None = None
    guidance: str | None = None
    practitioner: str | None = None
    note: str | None = None


def log(
    db: Database, course: Course, entry: SessionEntry, today: date, default_solution: str | None
) -> Session:
    """Record a session of an open course, numbered in date order among its sessions."""
    if not course.is_open:
        raise Refused(
            f"course {course.id} ({course.condition}) is {course.status} since"
            f" {course.closed_on}; it takes no new session"
        )
    vocab.not_after(entry.given_on, today, "session date")
    if entry.given_on < course.started_on:
        raise InvalidInput(
            f"session date {entry.given_on.isoformat()} is before course {course.id} started"
            f" ({course.started_on.isoformat()})"
        )
    clash = sessions.on_date(db, course.id, entry.given_on)
    if clash:
        raise Refused(
            f"course {course.id} already has session {clash.number} on"
            f" {entry.given_on.isoformat()} (id {clash.id})"
        )
    if not entry.sites:
        raise InvalidInput("a session needs at least one --site (SITE[:VOLUME[:SOLUTION[:SIDE]]])")
    guidance = vocab.one_of(entry.guidance, vocab.GUIDANCE, "guidance") if entry.guidance else None
    fallbacks = [
        SiteSpec("", entry.volume_ml, entry.solution, entry.side),
        SiteSpec("", None, default_solution, course.side),
    ]
    injections = [settle(spec, fallbacks) for spec in entry.sites]
    checked = scores.checked(db, entry.scores)
    session_id = sessions.insert(
        db,
        {
            "course_id": course.id,
            "date": entry.given_on.isoformat(),
            "practitioner": vocab.note(entry.practitioner),
            "anesthetic": vocab.note(entry.anesthetic),
            "guidance": guidance,
            "note": vocab.note(entry.note),
        },
        [
            {
                "site": i.site,
                "side": i.side,
                "solution": i.solution,
                "volume_ml": i.volume_ml,
                "points": i.points,
                "guidance": guidance,
            }
            for i in injections
        ],
    )
    session = sessions.get(db, session_id)
    if checked:
        scores.record(db, course, checked, entry.given_on, today, session)
    for kind, severity in entry.adverse:
        scores.add_adverse(db, session, kind, severity, entry.given_on, today)
    return sessions.get(db, session_id)
