"""The closed lists of the record (sides, guidance, severities...) and checks on single values."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from prolotrack.domain.errors import InvalidInput

SEXES = ("F", "M", "X")
SIDES = ("left", "right", "bilateral", "midline")
GUIDANCE = ("landmark", "ultrasound", "fluoroscopy", "ct")
SEVERITIES = ("mild", "moderate", "severe")
COURSE_STATUSES = ("active", "completed", "discontinued")
CLOSED_STATUSES = ("completed", "discontinued")
# A form's answers that arrived from a patient's link or another tool's file, and its review.
RESPONSE_SOURCES = ("link", "import")
RECEIVED, ACCEPTED, REJECTED = "received", "accepted", "rejected"
RESPONSE_STATUSES = (RECEIVED, ACCEPTED, REJECTED)
ADVERSE_KINDS = (
    "flare",
    "stiffness",
    "bruising",
    "vasovagal",
    "infection",
    "allergy",
    "bleeding",
    "nerve-irritation",
    "nerve-injury",
    "spinal-headache",
    "pneumothorax",
    "other",
)

# Kinds that are never assumed mild: the severity must be said (SPEC, second edition).
SERIOUS_KINDS = (
    "infection",
    "pneumothorax",
    "nerve-injury",
    "spinal-headache",
    "allergy",
    "bleeding",
)

MAX_VOLUME_ML = 50.0
MAX_PLANNED_SESSIONS = 100

_SIDE_ABBREVIATIONS = {"l": "left", "r": "right", "b": "bilateral", "m": "midline"}
# ICD-10 shape: a letter, two characters (ICD-10-CM has codes such as M1A and C4A, so the
# third may be a letter), then an optional dot and up to four more characters.
# A category (letter, digit, digit or letter), then after the dot up to three digits (ICD-10-CM's
# placeholder X among them) and, as the seventh character, one digit or letter: M17.11, S52.521A,
# T36.0X1A. Never a run of free letters, which could carry words into a de-identified export.
_ICD10 = re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9X]{1,3}|[0-9X]{3}[0-9A-Z])?$")


def one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    """Return ``value`` normalised to lower case if it is in ``allowed``, else refuse it."""
    normal = value.strip().lower()
    if normal not in allowed:
        raise InvalidInput(f"{what} {value!r} is not one of: {', '.join(allowed)}")
    return normal


def side(value: str) -> str:
    normal = value.strip().lower()
    return one_of(_SIDE_ABBREVIATIONS.get(normal, normal), SIDES, "side")


def sex(value: str) -> str:
    normal = value.strip().upper()
    if normal not in SEXES:
        raise InvalidInput(f"sex {value!r} is not one of: {', '.join(SEXES)}")
    return normal


def icd10(value: str) -> str:
    """Check the shape of an ICD-10 code (not its meaning) and write it as ``M17.11``."""
    match = _ICD10.match(value.strip().upper())
    if not match:
        raise InvalidInput(
            f"ICD-10 code {value!r} is not of the shape letter, two characters, optional dot,"
            " up to three digits (X as a placeholder) and a seventh character (e.g. M17.11,"
            " M54.50, S52.521A)"
        )
    head, tail = match.groups()
    return f"{head}.{tail}" if tail else head


def volume(value: float, site: str | None = None) -> float:
    """A volume per site: more than 0 and at most 50 mL."""
    where = f" for site {site!r}" if site else ""
    if not (0 < value <= MAX_VOLUME_ML):  # also refuses NaN
        raise InvalidInput(
            f"volume {value:g} mL{where} is out of range"
            f" (more than 0, at most {MAX_VOLUME_ML:g} mL)"
        )
    return value


def planned_sessions(value: int) -> int:
    if not 1 <= value <= MAX_PLANNED_SESSIONS:
        raise InvalidInput(
            f"planned sessions {value} is out of range (from 1 to {MAX_PLANNED_SESSIONS})"
        )
    return value


# C0 and C1 control characters and DEL, but for tab, line feed and carriage return (which a
# one-line text collapses into a space and a note keeps).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(value: str, what: str, accepted: str = "printable text") -> str:
    """Refuse a text that holds a control character: an escape sequence in a name would drive
    the terminal of whoever lists it later, and a NUL cuts it short in other programs."""
    if _CONTROL.search(value):
        raise InvalidInput(
            f"{what} {value!r} holds a control character; only {accepted} is accepted"
        )
    return unicodedata.normalize("NFC", value)  # one spelling of José, however it was typed


# Characters that show nothing, or turn the text around them: in a name, a chart number or a
# phone they make two records look alike, or one look like nothing (the joiners U+200C/U+200D,
# which some scripts need between letters, are left alone).
INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def visible(value: str, what: str) -> str:
    """A name, chart number or phone as it is seen: no invisible or direction-changing
    character in it (a zero-width space, a right-to-left override)."""
    if found := INVISIBLE.search(value):
        raise InvalidInput(
            f"{what} {value!r} holds an invisible character (U+{ord(found.group()):04X});"
            " type it without one"
        )
    return value


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 day``, ``2 days``: a count with its noun, singular or plural."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def fold(value: str) -> str:
    """A text as search compares it: without case or accents (``nunez`` finds Núñez)."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Letters that are not a base letter with an accent, so that NFKD leaves them whole, as an
# alphabetical list puts them: Łukasz among the L's, Øst among the O's.
_BASE = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ħ": "h",
        "ı": "i",
        "ŀ": "l",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
    }
)


def sort_key(value: str) -> str:
    """A name as an alphabetical list orders it: without case or accents, Ł as L."""
    return fold(value).translate(_BASE)


def text(value: str, what: str) -> str:
    """A one-line text such as a name or a condition: spaces collapsed, never empty."""
    trimmed = " ".join(value.split())
    if not trimmed:
        raise InvalidInput(f"{what} cannot be empty")
    return printable(trimmed, what)


def reason(value: str) -> str:
    """The reason an amend or a void must give: kept in the audit log, never empty."""
    text = " ".join(value.split())
    if not text:
        raise InvalidInput("a reason is required (--reason TEXT): it is kept in the audit log")
    return printable(text, "reason")


def note(value: str | None, what: str = "note") -> str | None:
    """Free text that may span lines; empty means none."""
    trimmed = (value or "").strip()
    return printable(trimmed, what, "printable text with tabs and line breaks") or None


def not_after(day: date, today: date, what: str) -> date:
    """Clinical events happen in the past: refuse ``day`` after ``today``."""
    if day > today:
        raise InvalidInput(
            f"{what} {day.isoformat()} is after today ({today.isoformat()}); "
            "a clinical event cannot be recorded in advance"
        )
    return day
