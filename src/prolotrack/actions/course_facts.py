"""What the checks of a new session or score read of its course, read once: its live sessions
by day (which of them are signed), the days its instruments were scored, its patient's flags
and its adverse events. Each part is read when it is first asked for and then kept; ``logged``
adds a session just recorded. An import that records many sessions of one course reads its
course once, not once a session: on PostgreSQL each of those reads is a round trip to the
server. An import also reads the practice's instruments once for every course (``catalogue``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from prolotrack.domain.instruments import Instrument
from prolotrack.domain.models import AdverseEvent, Course, Flag
from prolotrack.storage import flags, scores, sessions

if TYPE_CHECKING:
    from prolotrack.storage import Database


@dataclass
class Given:
    """A live session of the course, as its checks see it; ``id`` None: recorded by this
    command, its id not read back."""

    id: int | None
    number: int
    signed: bool


class CourseFacts:
    def __init__(
        self, db: Database, course: Course, catalogue: dict[str, Instrument] | None = None
    ):
        self.db, self.course = db, course
        self.catalogue = catalogue  # the practice's instruments by code, if read already

    @classmethod
    def started(
        cls,
        db: Database,
        course: Course,
        catalogue: dict[str, Instrument] | None = None,
        *,
        new_patient: bool = False,
    ) -> CourseFacts:
        """A course this command has just started: it has no sessions, scores or adverse
        events yet, nor flags when its patient was just added too; known without asking."""
        facts = cls(db, course, catalogue)
        facts.sessions, facts.scored, facts.adverse_events = {}, set(), []
        if new_patient:
            facts.flags = []
        return facts

    @cached_property
    def sessions(self) -> dict[date, Given]:
        """The course's live sessions by day (a course has one a day)."""
        return {
            day: Given(i, n, signed) for i, n, day, signed in sessions.days(self.db, self.course.id)
        }

    @cached_property
    def scored(self) -> set[tuple[str, date]]:
        """The instrument and day of each of the course's live scores."""
        return scores.scored_days(self.db, self.course.id)

    @cached_property
    def flags(self) -> list[Flag]:
        return flags.of_patient(self.db, self.course.patient_id)

    @cached_property
    def adverse_events(self) -> list[AdverseEvent]:
        found = sessions.adverse_events_of_course(self.db, self.course.id, live_sessions=True)
        return [event for events in found.values() for event in events]

    def on(self, day: date) -> Given | None:
        """The live session of that day, if the course has one."""
        return self.sessions.get(day)

    def place(self, day: date) -> tuple[int, bool]:
        """The number a new session on ``day`` takes among the course's sessions (in date
        order), and whether later ones move up by one to make room."""
        before = sum(1 for other in self.sessions if other < day)
        return before + 1, any(other > day for other in self.sessions)

    def logged(
        self,
        day: date,
        *,
        scored: Iterable[str] = (),
        adverse_events: bool = False,
    ) -> None:
        """A session just recorded on ``day`` (the later ones moved up by one, as stored),
        with scores of the instruments ``scored``; ``adverse_events``: with some, read again
        when next asked for."""
        if adverse_events:
            self.__dict__.pop("adverse_events", None)
        if "scored" in self.__dict__:
            self.scored.update((code, day) for code in scored)
        if "sessions" in self.__dict__:  # if not read yet, it will be read as it now stands
            for later_day, later in self.sessions.items():
                if later_day > day:
                    later.number += 1
            number, _ = self.place(day)
            self.sessions[day] = Given(None, number, signed=False)
