"""De-identification for research exports (HIPAA Safe Harbor, clinical-reference.md section 6).

Each patient becomes a keyed pseudonym (HMAC-SHA256 with a random key kept in the database and
never exported, so a chart number cannot be guessed back from it); dates become the course's
start year and day offsets from the course start, so intervals survive; ages over 89 are 90+.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from dateutil.relativedelta import relativedelta

OLDEST_SHOWN_AGE = 89


def _keyed(key: str, what: str, prefix: str) -> str:
    digest = hmac.new(bytes.fromhex(key), what.encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:12]}"


def patient_pseudonym(key: str, patient_id: int) -> str:
    """The same patient gets the same pseudonym in every export from the same file."""
    return _keyed(key, f"patient:{patient_id}", "P")


def course_pseudonym(key: str, course_id: int) -> str:
    return _keyed(key, f"course:{course_id}", "C")


def age(born: date | None, on: date) -> str | None:
    """Age in whole years on a date, with every age over 89 grouped as 90+."""
    if born is None:
        return None
    years = relativedelta(on, born).years
    return "90+" if years > OLDEST_SHOWN_AGE else str(years)


def day_offset(day: date | None, started_on: date) -> int | None:
    """Days from the course start: the only form a date takes in a de-identified export."""
    return None if day is None else (day - started_on).days
