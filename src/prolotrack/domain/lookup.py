"""Finding the record a reference on the command line means: by id, chart or part of a name."""

from __future__ import annotations

from prolotrack.domain.errors import InvalidInput

MAX_LISTED = 8
MAX_ID = 2**63 - 1  # SQLite's largest integer


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


SESSION_FORMS = "a session id, or COURSE#N: the Nth session of a course (3#2, P-0001#2)"
