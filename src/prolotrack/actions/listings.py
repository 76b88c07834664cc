"""What the commands that list and show read: each in the command's one transaction, for
render to lay out (the CLI reaches storage through actions alone); whole, but for a listing
that can grow without bound (every session), read a batch at a time as it is printed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.actions import lookup
from prolotrack.domain import vocab
from prolotrack.domain.models import AdverseEvent, Course, Flag, Patient, Score, Session
from prolotrack.domain.protocols import Protocol
from prolotrack.domain.signatures import Signature
from prolotrack.storage import courses as stored_courses
from prolotrack.storage import flags, patients, protocols, scores, sessions

if TYPE_CHECKING:
    from prolotrack.domain.instruments import Instrument
    from prolotrack.storage import Database


def instruments(db: Database) -> list[Instrument]:
    return scores.instruments(db)


def instrument(db: Database, code: str) -> Instrument | None:
    return scores.instrument(db, code)


def practice_protocols(db: Database) -> list[Protocol]:
    return protocols.listing(db)


def patient_list(db: Database, search: str | None, archived: bool) -> list[tuple[Patient, dict]]:
    return patients.listing(db, search=search, archived=archived)


@dataclass(frozen=True)
class PatientFile:
    patient: Patient
    courses: list[Course]
    flags: list[Flag]


def patient_file(db: Database, reference: str) -> PatientFile:
    found = lookup.patient(db, reference)
    return PatientFile(
        found, stored_courses.listing(db, patient_id=found.id), flags.of_patient(db, found.id)
    )


def course_list(db: Database, patient: str | None, status: str | None) -> list[Course]:
    """Courses, of one patient or all; ``status`` may be ``voided`` (those alone)."""
    owner = lookup.patient(db, patient) if patient else None
    wanted = vocab.one_of(status, (*vocab.COURSE_STATUSES, "voided"), "status") if status else None
    found = stored_courses.listing(
        db,
        patient_id=owner.id if owner else None,
        status=None if wanted == "voided" else wanted,
        voided=wanted == "voided",
    )
    return [c for c in found if c.voided_at] if wanted == "voided" else found


def course_file(db: Database, reference: str) -> tuple[Course, list[Session]]:
    found = lookup.course(db, reference)
    return found, sessions.listing(db, course_id=found.id)


def course_scores(
    db: Database, reference: str, instrument: str | None, include_voided: bool
) -> list[Score]:
    from prolotrack.actions.courses import check_measure

    found = lookup.course(db, reference)
    code = check_measure(db, instrument) if instrument else None
    return scores.for_course(db, found.id, code, include_voided)


_BATCH = 500  # sessions read at once by a listing read a batch at a time


def session_list(
    db: Database,
    *,
    patient: str | None,
    course: str | None,
    since: date | None,
    until: date | None,
    include_voided: bool,
) -> Callable[[], Iterator[tuple[Session, Course]]]:
    """What reads the sessions, oldest first, each with its course, a batch at a time each
    time it is called (the patient and the course are looked up now: a wrong one is refused
    before anything is shown)."""
    owner = lookup.patient(db, patient) if patient else None
    of_course = lookup.course(db, course) if course else None

    def read() -> Iterator[tuple[Session, Course]]:
        for batch in sessions.in_batches(
            db,
            patient_id=owner.id if owner else None,
            course_id=of_course.id if of_course else None,
            since=since,
            until=until,
            include_voided=include_voided,
            size=_BATCH,
        ):
            yield from with_courses(db, batch)

    return read


def unsigned_list(
    db: Database, today: date, older_than: int | None
) -> Callable[[], Iterator[tuple[Session, Course]]]:
    """What reads the sessions not yet signed (more than ``older_than`` days old, if given),
    oldest first, each with its course, a batch at a time each time it is called (a clinic that
    has never signed has every session unsigned)."""
    from prolotrack.actions import signing

    ids = signing.unsigned_ids(db, today, older_than)

    def read() -> Iterator[tuple[Session, Course]]:
        for start in range(0, len(ids), _BATCH):
            yield from with_courses(db, sessions.of_ids(db, ids[start : start + _BATCH]))

    return read


def with_courses(db: Database, found: list[Session]) -> list[tuple[Session, Course]]:
    """Each of these sessions with its course."""
    owners = stored_courses.of_ids(db, sorted({s.course_id for s in found}))
    return [(s, owners[s.course_id]) for s in found]


def session_file(db: Database, reference: str) -> tuple[Session, Course, list[Signature]]:
    """A session, its course, and its signatures and addenda."""
    from prolotrack.storage import signatures

    found = lookup.session(db, reference, include_voided=True)
    return found, _course(db, found.course_id), signatures.of_session(db, found.id)


def adverse_list(
    db: Database, *, open_only: bool, since: date | None, until: date | None
) -> tuple[list[AdverseEvent], dict[int, Session], dict[int, Course]]:
    """Adverse events by onset, with the session and course of each."""
    found = sessions.adverse_events(db, open_only=open_only, since=since, until=until)
    given = {e.session_id: _session(db, e.session_id) for e in found}
    return found, given, stored_courses.of_ids(db, sorted({s.course_id for s in given.values()}))


def course_of(db: Database, session: Session) -> Course:
    return _course(db, session.course_id)


def _course(db: Database, course_id: int) -> Course:
    found = stored_courses.get(db, course_id)
    assert found is not None  # a session's course is kept by its foreign key
    return found


def _session(db: Database, session_id: int) -> Session:
    found = sessions.get(db, session_id)
    assert found is not None  # an event's session is kept by its foreign key
    return found
