"""Logging, amending and voiding a treatment session."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from prolotrack.actions import lookup, scores, signing
from prolotrack.actions.course_facts import CourseFacts
from prolotrack.domain import safety, vocab
from prolotrack.domain.errors import InvalidInput, Refused
from prolotrack.domain.models import Course, Session
from prolotrack.domain.protocols import Protocol, given_over, merge
from prolotrack.domain.sites import SiteSpec, settle
from prolotrack.domain.sites import anaesthetic as anaesthetic_of
from prolotrack.storage import audit, rows, sessions

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.sessions import BOTH_SIDES, SessionChanges, SessionEntry


def _protocol(db: Database, entry: SessionEntry, course: Course) -> Protocol | None:
    """The protocol a session follows (``--protocol``, or the course's for a session given
    without sites), read once."""
    name = entry.template_for(course)
    return lookup.protocol(db, name) if name else None


def _sites(
    entry: SessionEntry,
    course: Course,
    protocol: Protocol | None,
    default_solution: str | None,
    guidance: str | None,
) -> list[dict]:
    """Each site (the protocol's, merged with the --site options) settled from the options,
    the course's side and the default solution."""
    specs = entry.sites
    if protocol:  # what the user typed wins over the protocol: never dropped for its values
        template = given_over(protocol, entry.volume_ml, entry.solution)
        specs = merge(template, entry.sites, entry.side or course.side).sites
    if not specs:
        raise InvalidInput(
            "a session needs at least one --site (SITE[:VOLUME[:SOLUTION[:SIDE]]]) or a --protocol"
        )
    fallbacks = [
        SiteSpec("", entry.volume_ml, entry.solution, entry.side),
        SiteSpec("", None, default_solution, course.side),
    ]
    return [
        {
            "site": i.site,
            "side": side,
            "solution": i.solution,
            "volume_ml": i.volume_ml,
            "points": i.points,
            "guidance": guidance,
        }
        for i in (settle(spec, fallbacks) for spec in specs)
        for side in (BOTH_SIDES if i.side == "bilateral" else (i.side,))
    ]


def _warnings(
    facts: CourseFacts, protocol: Protocol | None, injections: list[dict], anaesthetic
) -> list[str]:
    """The warnings a session is logged with: flags, doses, the protocol's cap, consent."""
    course = facts.course
    cap = protocol.max_ml if protocol else None
    template = protocol.name if protocol else None
    assert course.patient is not None
    given = [(i["solution"], i["volume_ml"]) for i in injections]
    return safety.open_serious(facts.adverse_events) + safety.warnings(
        course.patient, course, facts.flags, given, anaesthetic, cap, template
    )


def _check_date(facts: CourseFacts, day: date, today: date, session_id=None) -> None:
    course = facts.course
    vocab.not_after(day, today, "session date")
    if day < course.started_on:
        raise InvalidInput(
            f"session date {day.isoformat()} is before course {course.id} started"
            f" ({course.started_on.isoformat()})"
        )
    clash = facts.on(day)
    if clash and clash.id != session_id:
        raise Refused(
            f"course {course.id} already has session {clash.number} on"
            f" {day.isoformat()} (id {clash.id})"
        )


def log(
    db: Database, course: Course, entry: SessionEntry, today: date, default_solution: str | None
) -> Session:
    """Record a session (``record``), then read it back as recorded."""
    session = record(db, course, entry, today, default_solution)
    found = sessions.get(db, rows.id_of(db, session))
    assert found is not None
    return found


def record(
    db: Database,
    course: Course,
    entry: SessionEntry,
    today: date,
    default_solution: str | None,
    facts: CourseFacts | None = None,
) -> int | rows.Newest:
    """Record a session of an open course, numbered in date order among its sessions: every
    refusal first (each thing read once), then one write of the session, its sites, scores and
    adverse events, which name the session without waiting for its id (on a server, a round
    trip). The session as ``sessions.insert`` gives it. ``facts``: what is known of the
    course already (an import keeps them from one session of a course to the next); kept up
    to date."""
    facts = facts or CourseFacts(db, course)
    if course.voided_at:
        raise Refused(f"course {course.id} was voided ({course.void_reason}); it takes no session")
    if not course.is_open:
        raise Refused(
            f"course {course.id} ({course.condition}) is {course.status} since"
            f" {course.closed_on}; it takes no new session"
        )
    _check_date(facts, entry.given_on, today)
    guidance = vocab.one_of(entry.guidance, vocab.GUIDANCE, "guidance") if entry.guidance else None
    protocol = _protocol(db, entry, course)
    injections = _sites(entry, course, protocol, default_solution, guidance)
    checked = scores.checked(db, entry.scores, facts.catalogue)
    if checked:
        scores.refuse(db, course, checked, entry.given_on, today, facts=facts)
    adverse = [
        scores.adverse_fields(kind, severity, entry.given_on, today)
        for kind, severity in entry.adverse
    ]
    anaesthetic = anaesthetic_of(entry.anesthetic)
    known = _warnings(facts, protocol, injections, anaesthetic)
    number, moves_later = facts.place(entry.given_on)
    session = sessions.insert(
        db,
        {
            "course_id": course.id,
            "date": entry.given_on.isoformat(),
            "number": number,
            "practitioner": vocab.note(entry.practitioner, "practitioner"),
            "anesthetic": anaesthetic,
            "guidance": guidance,
            "note": vocab.note(entry.note),
            "warnings": "\n".join(known) or None,
        },
        injections,
        moves_later=moves_later,
    )
    scores.written_together(db, course, checked, entry.given_on, session)
    for fields in adverse:  # all begin on the session's day: in order
        sessions.add_adverse_event(db, {**fields, "session_id": session})
    scored = [code for code, _ in checked]
    facts.logged(entry.given_on, scored=scored, adverse_events=bool(adverse))
    return session


def amend(
    db: Database,
    session: Session,
    course: Course,
    changes: SessionChanges,
    reason: str,
    today: date,
    default_solution: str | None,
) -> Session:
    """Correct a session; the values before and after, and the reason, go to the audit log.
    A signed session is not amended: an addendum adds to it."""
    signing.refuse_if_signed(db, session, "an amendment")
    audit.because(db, vocab.reason(reason))
    if changes.is_empty():
        raise InvalidInput("nothing to amend: give the fields to change (see --help)")
    new_sites = bool(changes.sites) or changes.protocol is not None
    if not new_sites and any(
        v is not None for v in (changes.volume_ml, changes.solution, changes.side)
    ):
        raise InvalidInput(
            "--volume, --solution and --side apply to the --site options or --protocol given"
        )
    fields: dict = {}
    day = changes.given_on or session.given_on
    if changes.given_on is not None and changes.given_on != session.given_on:
        _check_date(CourseFacts(db, course), changes.given_on, today, session.id)
        for event in session.adverse_events:
            if event.onset_on < changes.given_on:
                raise Refused(
                    f"adverse event {event.id} ({event.kind}) began on {event.onset_on}, before"
                    f" {changes.given_on}: a session cannot come after its adverse event"
                    " (correct the event's onset, or the date)"
                )
        fields["date"] = changes.given_on.isoformat()
    if changes.anesthetic is not None:
        fields["anesthetic"] = anaesthetic_of(changes.anesthetic)
    for name in ("practitioner", "note"):
        if getattr(changes, name) is not None:
            fields[name] = vocab.note(getattr(changes, name), name)
    guidance = session.guidance
    if changes.guidance is not None:
        guidance = fields["guidance"] = vocab.one_of(changes.guidance, vocab.GUIDANCE, "guidance")
    checked = scores.checked(db, changes.scores)
    injections = None
    if new_sites:
        entry = SessionEntry(
            day,
            changes.sites,
            changes.volume_ml,
            changes.solution,
            changes.side,
            protocol=changes.protocol,
        )
        injections = _sites(entry, course, _protocol(db, entry, course), default_solution, guidance)
    scores.refuse_restated(db, course, session, checked, day, today)
    adverse = [
        scores.adverse_fields(kind, severity, day, today) for kind, severity in changes.adverse
    ]
    if fields:
        sessions.update(db, session.id, fields)
    if injections is not None:
        sessions.replace_injections(db, session.id, injections)
    elif changes.guidance is not None:
        sessions.set_guidance(db, session.id, guidance)
    scores.restate(db, course, session, checked, day, today)
    for event in adverse:
        sessions.add_adverse_event(db, {**event, "session_id": session.id})
    if "date" in fields:
        sessions.renumber(db, course.id)
    return sessions.get(db, session.id)


def void(db: Database, session: Session, reason: str) -> None:
    """Void a session and its scores: they stay in the file, marked, out of every report."""
    why = vocab.reason(reason)
    audit.because(db, why)
    sessions.void(db, session.id, why)
    sessions.renumber(db, session.course_id)
