"""How a reference on the command line is read: by kind, id, chart or part of a name.

The rules (SPEC, third edition): where a COURSE is expected a number is a course id, where a
PATIENT is expected a patient id; anything else is a chart (exact text) or a part of a name. A
number written with a leading zero (``006``) is never an id, and a number never matches part
of a name. A prefix settles the kind: ``patient:12``, ``chart:006``, ``course:6``,
``session:41`` (and ``course:6#2`` for the second session of course 6).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from prolotrack.domain.errors import InvalidInput

MAX_LISTED = 8
MAX_ID = 2**63 - 1  # SQLite's largest integer
KINDS = ("patient", "chart", "course", "session")


def record_id(text: str, what: str) -> int | None:
    """The id a reference gives, if it is one (ASCII digits); one past SQLite's largest
    integer is refused, naming it, rather than looked for."""
    if not (text.isascii() and text.isdigit()):
        return None
    return check_id(int(text), what)


def check_id(value: int, what: str) -> int:
    if not 0 <= value <= MAX_ID:
        raise InvalidInput(f"{what} id {value} is out of range (ids run from 1 to 2^63 - 1)")
    return value


SESSION_FORMS = "a session id, or COURSE#N: the Nth session of a course (3#2, P-0001#2, course:3#2)"


@dataclass(frozen=True)
class Reference:
    """A reference as typed: its kind when a prefix gives one, and the text after it."""

    text: str
    kind: str | None = None

    @property
    def digits(self) -> bool:
        """Only ASCII digits: never a part of a name."""
        return self.text.isascii() and self.text.isdigit()

    @property
    def number(self) -> int | None:
        """The id this text can be: digits without a leading zero (``006`` is a chart)."""
        if not self.digits or (len(self.text) > 1 and self.text.startswith("0")):
            return None
        return int(self.text)

    def __str__(self) -> str:
        return f"{self.kind}:{self.text}" if self.kind else self.text


def read(ref: str, what: str) -> Reference:
    """A reference as typed on the command line, in NFC with its spaces folded; ``what`` names
    the argument for the message when it is empty."""
    text = unicodedata.normalize("NFC", " ".join(ref.split()))
    kind = None
    prefix, colon, rest = text.partition(":")
    if colon and prefix.strip().lower() in KINDS:
        kind, text = prefix.strip().lower(), rest.strip()
    if not text:
        raise InvalidInput(
            f"{what} reference is empty (give an id, a chart number or a name;"
            " or patient:ID, chart:TEXT, course:ID)"
        )
    return Reference(text, kind)


def id_of(ref: Reference, what: str) -> int:
    """The id a ``course:``, ``patient:`` or ``session:`` reference gives, or a refusal."""
    if not ref.digits:
        raise InvalidInput(f"{ref} does not name a {what}: after '{ref.kind}:' give its id")
    return check_id(int(ref.text), what)
