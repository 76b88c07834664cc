"""The daily summary: what was given, what went wrong, what started, ended and is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from prolotrack.domain import schedule
from prolotrack.domain.models import AdverseEvent, Course, FormResponse, Session, totals_of

MAX_DAYS = 366


@dataclass(frozen=True)
class Given:
    """A session given in the period, with its course and the pain score taken at it."""

    session: Session
    course: Course
    pain: float | None


@dataclass
class Summary:
    first_day: date
    last_day: date
    given: list[Given]
    adverse: list[tuple[AdverseEvent, Given]]
    started: list[Course]
    closed: list[Course]
    due: list[schedule.Due]
    # Sessions unsigned past the sign-within setting's days: None where the clinic does not
    # sign (no signature yet, and the setting not set), so that its summary does not list them.
    unsigned: list[Given] | None = None
    sign_within: int = 3
    # Patients' answers received (by link or import), not yet accepted or rejected.
    waiting: list[tuple[FormResponse, Course]] = field(default_factory=list)

    @property
    def responses_waiting(self) -> int:
        return len(self.waiting)

    @property
    def patients(self) -> int:
        return len({g.course.patient_id for g in self.given})

    @property
    def injections(self) -> int:
        return sum(len(g.session.injections) for g in self.given)

    @property
    def ml_by_solution(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for g in self.given:
            for i in g.session.injections:
                totals[i.solution] = round(totals.get(i.solution, 0) + i.volume_ml, 3)
        return dict(sorted(totals.items()))

    @property
    def agents_mg(self) -> dict[str, float]:
        """Milligrams of each agent given over the period (dextrose, each anaesthetic...)."""
        return totals_of([g.session for g in self.given])

    @property
    def total_ml(self) -> float:
        return round(sum(self.ml_by_solution.values()), 3)

    @property
    def is_empty(self) -> bool:
        return not (
            self.given
            or self.adverse
            or self.started
            or self.closed
            or self.due
            or self.unsigned
            or self.waiting
        )


def week_of(day: date, week_start: str) -> tuple[date, date]:
    """The first and last day of the week holding ``day`` (weeks start on ``week_start``)."""
    start = 0 if week_start == "monday" else 6
    first = day - timedelta(days=(day.weekday() - start) % 7)
    return first, first + timedelta(days=6)
