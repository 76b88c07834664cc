"""Finding the record a reference names: a patient, a course, a session, a protocol.

The reading rules are in ``domain.lookup``; here they meet the record. A bare reference that
could name two different records is refused, naming both and how to name one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain.errors import Ambiguous, InvalidInput, NotFound, Refused
from prolotrack.domain.lookup import (
    MAX_ID,
    MAX_LISTED,
    SESSION_FORMS,
    Reference,
    check_id,
    id_of,
    read,
    record_id,
)
from prolotrack.domain.models import Course, Patient, Session
from prolotrack.domain.protocols import Protocol
from prolotrack.storage import courses, patients, protocols, sessions

if TYPE_CHECKING:
    from prolotrack.storage import Database

__all__ = [
    "course",
    "course_of_session",
    "course_or_patient",
    "patient",
    "protocol",
    "record_id",
    "session",
]


def patient(db: Database, ref: str) -> Patient:
    """A PATIENT: a numeric id, a chart number, or a part of the name matching one patient."""
    return _patient(db, read(ref, "patient"))


def course(db: Database, ref: str) -> Course:
    """A COURSE: a numeric course id, or a PATIENT with exactly one active course."""
    return _course(db, read(ref, "course"))


def course_or_patient(db: Database, ref: str) -> Course | Patient:
    """COURSE|PATIENT (``progress``): a course id gives that course, anything else a patient."""
    r = read(ref, "course or patient")
    if r.kind == "course":
        return _course(db, r)
    if r.kind == "session":
        raise InvalidInput(f"{r} names a session; give a course or a patient")
    if r.kind or not r.digits:
        return _owner(db, r)
    by_id = _course_by_number(db, r)
    by_chart = patients.by_chart(db, r.text)
    if by_id and by_chart:
        raise Ambiguous(_clash(r, _course_label(by_id), f"the chart of {by_chart.label}", "course"))
    if by_id or by_chart:
        return by_id or by_chart
    raise NotFound(f"no course or patient matches {r.text!r} {_read_as(r, 'course')}")


def _owner(db: Database, r: Reference) -> Patient:
    """The patient a COURSE reference names, where it is not a course id."""
    try:
        return _patient(db, r)
    except NotFound:
        if r.kind:
            raise
        raise NotFound(f"no course or patient matches {r.text!r}") from None


def _patient(db: Database, r: Reference) -> Patient:
    if r.kind == "patient":
        found = patients.get(db, id_of(r, "patient"))
        if found is None:
            raise NotFound(f"no patient has the id {r.text} (see 'prolotrack patient list')")
        return found
    if r.kind in ("course", "session"):
        raise InvalidInput(f"{r} names a {r.kind}; give a patient (an id, a chart or a name)")
    by_chart = patients.by_chart(db, r.text)
    if r.kind == "chart":
        if by_chart is None:
            raise NotFound(f"no patient has the chart {r.text!r}")
        return by_chart
    if r.digits:  # an id or a chart, never a part of a name
        number = r.number
        if number is not None and number > MAX_ID and not by_chart:
            check_id(number, "patient")  # no chart of that number either: refused, named
        by_id = patients.get(db, number) if number is not None and number <= MAX_ID else None
        if by_chart and by_id and by_chart.id != by_id.id:
            raise Ambiguous(
                _clash(r, f"the id of {by_id.label}", f"the chart of {by_chart.label}", "patient")
            )
        if by_chart or by_id:
            return by_chart or by_id
        raise NotFound(f"no patient matches {r.text!r} {_read_as(r, 'patient')}")
    if by_chart:
        return by_chart
    matches = patients.name_contains(db, r.text, archived=False) or patients.name_contains(
        db, r.text, archived=True
    )
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no patient matches {r.text!r} (by id, chart number or name)")
    listed = "; ".join(p.label for p in matches[:MAX_LISTED])
    more = f" and {len(matches) - MAX_LISTED} more" if len(matches) > MAX_LISTED else ""
    raise Ambiguous(f"{r.text!r} matches {len(matches)} patients: {listed}{more}; be more precise")


def _course(db: Database, r: Reference) -> Course:
    if r.kind == "course":
        found = courses.get(db, id_of(r, "course"))
        if found is None:
            raise NotFound(f"no course has the id {r.text} (see 'prolotrack course list')")
        return found
    if r.kind == "session":
        raise InvalidInput(f"{r} names a session; give a course (an id, or a patient's chart)")
    if r.kind or not r.digits:
        return _only_active(db, _owner(db, r))
    by_id = _course_by_number(db, r)
    by_chart = patients.by_chart(db, r.text)
    if by_id and by_chart:
        try:
            same = _only_active(db, by_chart).id == by_id.id
        except (NotFound, Ambiguous):
            same = False
        if not same:
            raise Ambiguous(
                _clash(r, _course_label(by_id), f"the chart of {by_chart.label}", "course")
            )
    if by_id:
        return by_id
    if by_chart:
        return _only_active(db, by_chart)
    raise NotFound(f"no course or patient matches {r.text!r} {_read_as(r, 'course')}")


def _course_by_number(db: Database, r: Reference) -> Course | None:
    number = r.number
    if number is None:
        return None
    if number > MAX_ID:
        if patients.by_chart(db, r.text):
            return None
        check_id(number, "course")
    return courses.get(db, number)


def _only_active(db: Database, owner: Patient) -> Course:
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


def _course_label(found: Course) -> str:
    who = found.patient.label if found.patient else f"patient {found.patient_id}"
    return f"course {found.id} ({found.condition}) of {who}"


def _clash(r: Reference, first: str, second: str, kind: str) -> str:
    return (
        f"{r.text!r} is both {first} and {second}; write {kind}:{r.text} for the first"
        f" or chart:{r.text} for the second"
    )


def _read_as(r: Reference, kind: str) -> str:
    if r.number is None:
        return "(a number with a leading zero is read as a chart, never an id)"
    return f"(as a {kind} id or a chart)"


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
    r = read(ref, "session")
    if "#" in r.text:
        return _numbered_session(db, r)
    if r.kind == "session":
        number = id_of(r, "session")
    elif r.kind is None and r.number is not None:
        number = check_id(r.number, "session")
    else:
        raise InvalidInput(f"session {str(r)!r} is not {SESSION_FORMS}")
    found = sessions.get(db, number)
    if found is None:
        raise NotFound(f"no session {number} (see 'prolotrack session list')")
    if found.voided_at and not include_voided:
        raise Refused(f"session {number} is void ({found.void_reason}); it takes no change")
    return found


def _numbered_session(db: Database, r: Reference) -> Session:
    course_text, _, nth = r.text.rpartition("#")
    number = record_id(nth.strip(), "session number")
    if r.kind == "session" or not course_text.strip() or number is None or number < 1:
        raise InvalidInput(f"session {str(r)!r} is not {SESSION_FORMS}")
    owner = _course(db, Reference(course_text.strip(), r.kind))
    found = sessions.numbered(db, owner.id, number)
    if found is None:
        held = owner.sessions_done
        raise NotFound(
            f"course {owner.id} ({owner.condition}) has no session {number}"
            f" (it has {held} session{'' if held == 1 else 's'})"
        )
    return sessions.get(db, found)


def course_of_session(db: Database, session_id: int) -> Course:
    """The course (with its patient) a session belongs to: what a confirmation names."""
    found = sessions.get(db, session_id)
    assert found is not None
    return courses.get(db, found.course_id)
