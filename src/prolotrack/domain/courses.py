"""Starting and closing treatment courses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prolotrack.domain.dates import Interval
from prolotrack.domain.errors import Refused
from prolotrack.domain.models import Course

DEFAULT_MEASURE = "nrs"
DEFAULT_INTERVAL = Interval(4, "w")


@dataclass
class CoursePlan:
    """What ``course start`` was given; ``None`` means the default."""

    condition: str
    started_on: date
    region: str | None = None
    side: str | None = None
    icd10: str | None = None
    measure: str | None = None
    interval: Interval | None = None
    planned_sessions: int | None = None
    protocol: str | None = None
    follow_up: str | None = None


def refuse_voided(course: Course) -> None:
    if course.voided_at:
        raise Refused(
            f"course {course.id} was voided ({course.void_reason}); it stays in the file but"
            " takes no change"
        )


@dataclass
class CourseChanges:
    """What ``course edit`` was given; ``None`` leaves a field as it is."""

    condition: str | None = None
    region: str | None = None
    side: str | None = None
    icd10: str | None = None
    measure: str | None = None
    interval: Interval | None = None
    planned_sessions: int | None = None
    started_on: date | None = None
    protocol: str | None = None
    follow_up: str | None = None


REHABILITATION = (
    "exercise",
    "physiotherapy",
    "brace",
    "activity-modification",
    "nsaid-avoidance",
    "other",
)
