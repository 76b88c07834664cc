"""De-identification for research exports (HIPAA Safe Harbor, clinical-reference.md section 6).

Each patient becomes a keyed pseudonym (HMAC-SHA256 with a random key kept in the database and
never exported, so a chart number cannot be guessed back from it); dates become the course's
start year and day offsets from the course start, so intervals survive; ages over 89 are 90+.
No free text leaves in one: a condition becomes its ICD-10 code, a region, a site and a
solution's agents are kept only as the catalogues name them, and anything else is ``other``.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from prolotrack.domain import solutions

OLDEST_SHOWN_AGE = 89


# An export meets the same patient, course and birth date row after row: each is worked out once.
@lru_cache(maxsize=1 << 16)
def _keyed(key: str, what: str, prefix: str) -> str:
    digest = hmac.new(bytes.fromhex(key), what.encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:12]}"


def patient_pseudonym(key: str, patient_id: int) -> str:
    """The same patient gets the same pseudonym in every export from the same file."""
    return _keyed(key, f"patient:{patient_id}", "P")


def course_pseudonym(key: str, course_id: int) -> str:
    return _keyed(key, f"course:{course_id}", "C")


@lru_cache(maxsize=1 << 16)
def age(born: date | None, on: date) -> int | str | None:
    """Age in whole years on a date (a number), with every age over 89 grouped as "90+" (text:
    a spreadsheet must not read it as 90)."""
    if born is None:
        return None
    years = relativedelta(on, born).years
    return "90+" if years > OLDEST_SHOWN_AGE else years


def day_offset(day: date | None, started_on: date) -> int | None:
    """Days from the course start: the only form a date takes in a de-identified export."""
    return None if day is None else (day - started_on).days


OTHER = "other"
# Regions of the body a course is given for: anything else typed as a region becomes "other".
REGIONS = (
    "knee",
    "hip",
    "ankle",
    "foot",
    "achilles",
    "shoulder",
    "elbow",
    "wrist",
    "hand",
    "finger",
    "thumb",
    "neck",
    "cervical spine",
    "thoracic spine",
    "low back",
    "lumbar spine",
    "back",
    "pelvis",
    "sacroiliac joint",
    "jaw",
    "rib",
)


def condition(icd10: str | None) -> str:
    """A course's condition in a de-identified export: its ICD-10 code, never the words typed
    (a name or a place can hide in them)."""
    return code_of(icd10) or OTHER


def code_of(icd10: str | None) -> str | None:
    """An ICD-10 code of the right shape; one recorded before the shape was checked this
    closely (free letters after the dot) is ``other``."""
    from prolotrack.domain import vocab
    from prolotrack.domain.errors import InvalidInput

    if icd10 is None:
        return None
    try:
        return vocab.icd10(icd10)
    except InvalidInput:
        return OTHER


def instrument(code: str | None) -> str | None:
    """An instrument of the built-in catalogue by its code; a practice's own is ``other``
    (its code is the practice's free text)."""
    from prolotrack.domain.instruments import CATALOGUE

    if code is None:
        return None
    return code if code in {i.code for i in CATALOGUE} else OTHER


def region(text: str | None) -> str | None:
    if text is None:
        return None
    folded = " ".join(text.lower().split())
    return folded if folded in REGIONS else OTHER


def site(text: str | None, known: dict[str, str]) -> str | None:
    """A site from the shipped catalogue (``known``: folded name -> name), else ``other``."""
    if text is None:
        return None
    return known.get(" ".join(text.lower().split()), OTHER)


def solution(text: str | None) -> str | None:
    """A solution or an anaesthetic as agents and concentrations (``dextrose 15% + lidocaine
    0.2%``); a part that is not a known agent becomes ``other``."""
    if text is None or not text.strip():
        return None
    parts = [str(c) if c.known else OTHER for c in solutions.components(text)]
    return " + ".join(dict.fromkeys(parts)) or None


def flags(text: str | None) -> str | None:
    """Safety flags by their catalogue kinds; a flag of the practice's own words is ``other``."""
    from prolotrack.domain.safety import FLAGS

    if not text:
        return None
    kinds = [k if k in FLAGS else OTHER for k in text.split("; ")]
    return "; ".join(dict.fromkeys(kinds))


def rehabilitation(text: str | None) -> str | None:
    """Rehabilitation by kind only (no dates, no notes)."""
    if not text:
        return None
    return "; ".join(dict.fromkeys(part.split(" ")[0] for part in text.split("; ")))
