"""Recording, restating and voiding scores; recording and resolving adverse events."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from prolotrack.actions import signing
from prolotrack.actions.course_facts import CourseFacts
from prolotrack.domain import lookup, vocab
from prolotrack.domain.errors import InvalidInput, NotFound, Refused
from prolotrack.domain.models import AdverseEvent, Course, Score, Session
from prolotrack.storage import answers, audit, scores, sessions

if TYPE_CHECKING:
    from prolotrack.domain.instruments import Instrument
    from prolotrack.storage import Database
from prolotrack.domain.scores import INTAKE_DAYS, severity_of


def checked(
    db: Database,
    assignments: list[tuple[str, float]],
    catalogue: dict[str, Instrument] | None = None,
) -> list[tuple[str, float]]:
    """Each score's instrument known, its value in range, and each instrument once (the
    instruments named read once, unless the caller read the practice's ``catalogue``)."""
    if not assignments:
        return assignments
    if catalogue is None:
        named = scores.instruments(db, (code for code, _ in assignments))
        catalogue = {i.code: i for i in named}
    seen: set[str] = set()
    for code, value in assignments:
        instrument = catalogue.get(code.lower())
        if instrument is None:
            known = ", ".join(i.code for i in scores.instruments(db))
            raise NotFound(f"unknown instrument {code!r} (known: {known})")
        instrument.check(value)
        if code in seen:
            raise InvalidInput(f"{code} is scored twice; give each instrument once")
        seen.add(code)
    return assignments


def record(
    db: Database,
    course: Course,
    assignments: list[tuple[str, float]],
    taken_on: date,
    today: date,
    session: Session | None = None,
) -> list[Score]:
    """Record scores for a course on a date, optionally tied to one of its sessions."""
    if not assignments:
        raise InvalidInput("no score given (use INSTRUMENT=VALUE, e.g. nrs=4)")
    refuse(db, course, checked(db, assignments), taken_on, today, session)
    return scores.by_ids(
        db, written(db, course, assignments, taken_on, session.id if session else None)
    )


def refuse(
    db: Database,
    course: Course,
    assignments: list[tuple[str, float]],
    taken_on: date,
    today: date,
    session: Session | None = None,
    facts: CourseFacts | None = None,
) -> None:
    """Every reason not to record these (checked) scores, before anything is written
    (``facts``: what is known of the course already)."""
    vocab.not_after(taken_on, today, "score date")
    if course.voided_at:
        raise Refused(f"course {course.id} was voided ({course.void_reason}); it takes no score")
    intake = course.started_on - timedelta(days=INTAKE_DAYS)
    if taken_on < intake:
        raise InvalidInput(
            f"score date {taken_on.isoformat()} is more than {INTAKE_DAYS} days before the"
            f" course started ({course.started_on.isoformat()}); an intake score may be dated"
            f" from {intake.isoformat()}"
        )
    facts = facts or CourseFacts(db, course)
    given = facts.on(taken_on)
    if given is not None and given.signed:  # read whole, to say who signed it
        what = f"a score dated {taken_on.isoformat()}"
        signing.refuse_if_day_signed(db, course.id, taken_on, what)
    if session is not None and session.course_id != course.id:
        raise Refused(
            f"session {session.id} belongs to course {session.course_id}, not {course.id}"
        )
    clashing = [code for code, _ in assignments if (code, taken_on) in facts.scored]
    if clashing:  # read whole, to say which score it is
        code = clashing[0]
        first = scores.live_on(db, course.id, [code], taken_on)[code]
        raise Refused(
            f"course {course.id} already has a {code} score on {taken_on.isoformat()}"
            f" (score {first.id}: {code}={first.value:g}); one a day: to replace it, void it"
            f" first (prolotrack score void {first.id} --reason TEXT)"
        )


def written(
    db: Database,
    course: Course,
    assignments: list[tuple[str, float]],
    taken_on: date,
    session_id: int | None,
) -> list[int]:
    """Write scores that passed ``checked`` and ``refuse``; their ids."""
    return [scores.insert(db, row) for row in _rows(course, assignments, taken_on, session_id)]


def written_together(
    db: Database, course: Course, assignments: list[tuple[str, float]], taken_on: date, session_id
) -> None:
    """``written`` in one statement, without their ids (a session's scores, read with it)."""
    scores.insert_all(db, _rows(course, assignments, taken_on, session_id))


def _rows(course: Course, assignments: list[tuple[str, float]], taken_on: date, session_id):
    return [
        {
            "course_id": course.id,
            "session_id": session_id,
            "instrument": code,
            "value": value,
            "date": taken_on.isoformat(),
        }
        for code, value in assignments
    ]


def refuse_restated(
    db: Database,
    course: Course,
    session: Session,
    assignments: list[tuple[str, float]],
    day: date,
    today: date,
) -> None:
    """Every reason not to restate a session's scores, before anything is written."""
    vocab.not_after(day, today, "score date")
    current = {s.instrument for s in session.scores}
    added = [(code, value) for code, value in assignments if code not in current]
    if added:
        refuse(db, course, added, day, today, session)


def restate(
    db: Database,
    course: Course,
    session: Session,
    assignments: list[tuple[str, float]],
    day: date,
    today: date,
) -> None:
    """Amend a session's scores (``assignments`` as ``checked`` and ``refuse_restated`` passed
    them): a new value replaces the one on the same instrument, a new instrument is added, and
    every score follows the session to its (new) date."""
    current = {s.instrument: s for s in session.scores}
    added = [(code, value) for code, value in assignments if code not in current]
    for code, value in assignments:
        if code in current:
            scores.update(db, current[code].id, {"value": value, "date": day.isoformat()})
    written(db, course, added, day, session.id)
    for code, score in current.items():
        if score.taken_on != day and code not in dict(assignments):
            scores.update(db, score.id, {"date": day.isoformat()})


def void(db: Database, score_id: int, reason: str) -> Score:
    """Void a score: kept in the file, marked, out of every list and report."""
    text = vocab.reason(reason)
    score = scores.get(db, lookup.check_id(score_id, "score"))
    if score is None:
        raise NotFound(f"no score {score_id} (see 'prolotrack score list COURSE')")
    if score.voided_at:
        raise Refused(f"score {score_id} is already void ({score.void_reason})")
    signing.refuse_if_day_signed(db, score.course_id, score.taken_on, f"voiding score {score_id}")
    audit.because(db, text)
    if score.derived:  # derived from a form's answers: the answers and all they gave go
        answers.void(db, score.answer_set_id, text)
    else:
        scores.void(db, score_id, text)
    return scores.get(db, score_id)


def add_adverse(
    db: Database,
    session: Session,
    kind: str,
    severity: str | None,
    onset: date,
    today: date,
    note: str | None = None,
    serious: bool = False,
) -> AdverseEvent:
    """Record an adverse event after a session, on the day it is recorded (``today``): the
    daily summary reports it that day, whatever its onset."""
    fields = adverse_fields(kind, severity, onset, today, note, serious)
    if onset < session.given_on:
        raise InvalidInput(
            f"onset {onset.isoformat()} is before session {session.id}"
            f" ({session.given_on.isoformat()}); an adverse event follows its session"
        )
    event_id = sessions.add_adverse_event(db, {**fields, "session_id": session.id})
    return sessions.get_adverse_event(db, event_id)


def adverse_fields(
    kind: str,
    severity: str | None,
    onset: date,
    today: date,
    note: str | None = None,
    serious: bool = False,
) -> dict:
    """An adverse event's fields, checked (its session's are added when it is written)."""
    kind = vocab.one_of(kind, vocab.ADVERSE_KINDS, "adverse event kind")
    severity = severity_of(kind, severity, serious=serious)
    vocab.not_after(onset, today, "onset date")
    return {
        "kind": kind,
        "severity": severity,
        "onset": onset.isoformat(),
        "note": vocab.note(note),
        "serious": int(serious or kind in vocab.SERIOUS_KINDS),
        "recorded_on": today.isoformat(),
    }


def amend_adverse(db: Database, event_id: int, reason: str, today: date, **given) -> AdverseEvent:
    """Correct an adverse event recorded wrongly: its kind, severity, seriousness, onset or
    note; the values before and after, and the reason, go to the audit log."""
    why = vocab.reason(reason)
    event = _live_adverse(db, event_id)
    if all(v is None for v in given.values()):
        raise InvalidInput(
            "nothing to amend: give --kind, --severity, --serious/--not-serious, --onset or --note"
        )
    kind = (
        vocab.one_of(given["kind"], vocab.ADVERSE_KINDS, "adverse event kind")
        if given["kind"] is not None
        else event.kind
    )
    # marked serious by hand stays so; serious only by its old kind follows the new kind
    kept = event.serious and event.kind not in vocab.SERIOUS_KINDS
    serious = given["serious"] if given["serious"] is not None else kept
    severity = severity_of(kind, given["severity"] or event.severity, serious=serious)
    onset = given["onset"] or event.onset_on
    session = sessions.get(db, event.session_id)
    vocab.not_after(onset, today, "onset date")
    if onset < session.given_on:
        raise InvalidInput(
            f"onset {onset.isoformat()} is before session {session.id}"
            f" ({session.given_on.isoformat()}); an adverse event follows its session"
        )
    if event.resolved_on and onset > event.resolved_on:
        raise InvalidInput(
            f"onset {onset.isoformat()} is after the event was resolved ({event.resolved_on})"
        )
    fields = {
        "kind": kind,
        "severity": severity,
        "onset": onset.isoformat(),
        "serious": int(serious or kind in vocab.SERIOUS_KINDS),
    }
    if given["note"] is not None:
        fields["note"] = vocab.note(given["note"])
    audit.because(db, why)
    sessions.update_adverse_event(db, event.id, fields)
    return sessions.get_adverse_event(db, event.id)


def void_adverse(db: Database, event_id: int, reason: str) -> AdverseEvent:
    """Void an adverse event recorded in error: kept in the file with the reason, out of every
    list, report and export."""
    why = vocab.reason(reason)
    event = _live_adverse(db, event_id)
    audit.because(db, why)
    sessions.void_adverse_event(db, event.id, why)
    return sessions.get_adverse_event(db, event.id)


def _live_adverse(db: Database, event_id: int) -> AdverseEvent:
    event = sessions.get_adverse_event(db, lookup.check_id(event_id, "adverse event"))
    if event is None:
        raise NotFound(f"no adverse event {event_id} (see 'prolotrack adverse list')")
    if event.voided_at:
        raise Refused(f"adverse event {event_id} is void ({event.void_reason})")
    return event


def resolve_adverse(db: Database, event_id: int, day: date, today: date) -> AdverseEvent:
    event = _live_adverse(db, event_id)
    if event.resolved_on:
        raise Refused(f"adverse event {event_id} was already resolved on {event.resolved_on}")
    vocab.not_after(day, today, "resolution date")
    if day < event.onset_on:
        raise InvalidInput(
            f"resolution date {day.isoformat()} is before the onset ({event.onset_on.isoformat()})"
        )
    sessions.resolve_adverse_event(db, event_id, day)
    return sessions.get_adverse_event(db, event_id)
