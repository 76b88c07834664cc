"""Finding the record a reference names: a patient, a course, a session, a protocol."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from prolotrack.domain.errors import Ambiguous, InvalidInput, NotFound, Refused
from prolotrack.domain.models import Course, Patient, Session
from prolotrack.domain.protocols import Protocol
from prolotrack.storage import courses, patients, protocols, sessions

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.lookup import MAX_ID, MAX_LISTED, SESSION_FORMS, check_id, record_id


def patient(db: Database, ref: str) -> Patient:
    """A PATIENT: a numeric id, a chart number, or a part of the name matching one patient."""
    text = unicodedata.normalize("NFC", " ".join(ref.split()))
    if not text:
        raise InvalidInput("patient reference is empty (give an id, a chart number or a name)")
    by_chart = patients.by_chart(db, text)
    digits = text.isascii() and text.isdigit()
    if digits and int(text) > MAX_ID and not by_chart:
        check_id(int(text), "patient")  # no chart of that number either: refused, named
    by_id = patients.get(db, int(text)) if digits and int(text) <= MAX_ID else None
    if by_chart and by_id and by_chart.id != by_id.id:
        raise Ambiguous(
            f"{text!r} is both the chart of {by_chart.label} and the id of {by_id.label};"
            " give the chart number or the name instead"
        )
    if by_chart or by_id:
        return by_chart or by_id
    matches = patients.name_contains(db, text, archived=False) or patients.name_contains(
        db, text, archived=True
    )
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no patient matches {text!r} (by id, chart number or name)")
    listed = "; ".join(p.label for p in matches[:MAX_LISTED])
    more = f" and {len(matches) - MAX_LISTED} more" if len(matches) > MAX_LISTED else ""
    raise Ambiguous(f"{text!r} matches {len(matches)} patients: {listed}{more}; be more precise")


def _numbered_session(db: Database, text: str) -> Session:
    course_ref, _, nth = text.rpartition("#")
    number = record_id(nth.strip(), "session number")
    if not course_ref.strip() or number is None or number < 1:
        raise InvalidInput(f"session {text!r} is not {SESSION_FORMS}")
    owner = course(db, course_ref.strip())
    found = sessions.numbered(db, owner.id, number)
    if found is None:
        held = owner.sessions_done
        raise NotFound(
            f"course {owner.id} ({owner.condition}) has no session {number}"
            f" (it has {held} session{'' if held == 1 else 's'})"
        )
    return sessions.get(db, found)


def course(db: Database, ref: str) -> Course:
    """A COURSE: a numeric course id, or a PATIENT with exactly one active course."""
    text = ref.strip()
    number = record_id(text, "course")
    if number is not None:
        found = courses.get(db, number)
        if found:
            return found
    try:
        owner = patient(db, text)
    except NotFound:
        raise NotFound(f"no course or patient matches {text!r}") from None
    active = courses.listing(db, patient_id=owner.id, status="active")
    if len(active) == 1:
        return active[0]
    if not active:
        raise NotFound(
            f"{owner.label} has no active course; give a course id"
            " (see 'prolotrack course list --patient ...')"
            " or start one with 'prolotrack course start'"
        )
    listed = "; ".join(f"{c.id}: {c.condition}" for c in active)
    raise Ambiguous(
        f"{owner.label} has {len(active)} active courses ({listed}); give the course id"
    )


def protocol(db: Database, name: str) -> Protocol:
    """A protocol by name: the practice's own, else the built-in of that name."""
    from prolotrack.domain.protocols import BUILTIN, check_name

    key = check_name(name)
    found = protocols.get(db, key) or next((p for p in BUILTIN if p.name == key), None)
    if found is None:
        known = sorted({p.name for p in BUILTIN} | {p.name for p in protocols.listing(db)})
        raise NotFound(f"no protocol {name!r} (known: {', '.join(known)})")
    return found


def session(db: Database, ref: str, *, include_voided: bool = False) -> Session:
    """A SESSION: its numeric id, as ``session list`` shows it, or ``COURSE#N``, the Nth live
    session of a course as ``progress`` numbers it; a voided one only to be shown."""
    text = ref.strip()
    if "#" in text:
        return _numbered_session(db, text)
    number = record_id(text, "session")
    if number is None:
        raise InvalidInput(f"session {ref!r} is not {SESSION_FORMS}")
    found = sessions.get(db, number)
    if found is None:
        raise NotFound(f"no session {text} (see 'prolotrack session list')")
    if found.voided_at and not include_voided:
        raise Refused(f"session {text} is void ({found.void_reason}); it takes no change")
    return found
