"""Patients answering between visits: the rules of a one-time link and of the responses that
arrive, held for review (SPEC, third edition, "Patients report between visits").

- A link carries a random token of 256 bits and nothing about the patient; only the token's
  SHA-256 is kept, so the record cannot give a working link back, even to whoever reads it.
- It works once, up to and including its last day (``--expires``, 14 days by default), and one
  link per course, form and timepoint is live at a time: a new one withdraws the one before.
- What arrives is ``received``; it counts (an answer set and its scores, as if typed) only once a
  practitioner accepts it; a rejected one is kept out, with the reason.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from prolotrack.domain.dates import parse_interval
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.forms import Form
from prolotrack.domain.models import Course, FormLink, FormResponse, Patient

TOKEN_BYTES = 32  # 256 bits from secrets, well past the 128 asked for
# What token_urlsafe(32) gives: 43 characters of the URL-safe base64 alphabet.
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
DEFAULT_EXPIRES = "14d"
LONGEST = 366  # days a link may live: a follow-up window is months, not years
DEFAULT_URL = "http://127.0.0.1:8765"
PATH = "/f/"
# Who the audit names for a submission: the patient, by the link (the server's operating-system
# user is the actor).
BY_LINK = "patient (form link)"
LIVE, USED, EXPIRED, WITHDRAWN = "live", "used", "expired", "withdrawn"


def token_hash(token: str) -> str:
    """What the record keeps of a token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    """A token as prolotrack makes them (anything else is unknown without asking the record)."""
    return TOKEN.fullmatch(token) is not None


def expires_on(text: str, today: date) -> date:
    """The last day a link made today works: ``--expires 14d`` (days, weeks, months)."""
    try:
        interval = parse_interval(text)
    except InvalidInput as error:
        raise InvalidInput(f"--expires: {error}") from None
    last = interval.after(today)
    if (last - today).days > LONGEST:
        raise InvalidInput(f"--expires {text!r} is too long: a link lives at most {LONGEST} days")
    return last


def state(link: FormLink, today: date) -> str:
    if link.used_at:
        return USED
    if link.withdrawn_at:
        return WITHDRAWN
    return EXPIRED if today > link.expires_on else LIVE


def url(base: str, token: str) -> str:
    return base.rstrip("/") + PATH + token


def first_name(name: str) -> str:
    """What the form's page calls the patient: the first given name and nothing more
    ("Lovelace, Ada" and "Ada Lovelace" are both Ada)."""
    family, comma, given = name.partition(",")
    words = (given if comma else family).split()
    return words[0] if words else ""


def form_for(measure: str, forms: Mapping[str, Form]) -> Form | None:
    """The form that scores a course's measure (womac for a womac course), if any."""
    return next((f for f in forms.values() if measure in f.derives), None)


@dataclass
class Issued:
    """A link just made: the token exists only here, to be handed to the patient."""

    link: FormLink
    token: str
    address: str
    course: Course
    patient: Patient


@dataclass
class Waiting:
    """A response in the inbox, with whose it is and what it would score."""

    response: FormResponse
    course: Course
    patient: Patient
    timepoint: str | None
    scores: dict[str, float]
    unscored: str | None = None  # why it scores nothing, where it cannot be accepted
