"""The practice's settings: which keys there are, what each accepts, and its default."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from prolotrack.domain import follow_up, form_links, sites, vocab
from prolotrack.domain.dates import DATE_ORDERS
from prolotrack.domain.errors import InvalidInput


@dataclass(frozen=True)
class Setting:
    key: str
    meaning: str
    accepts: str
    read: Callable[[str], str]
    default: str | None = None


WEEK_STARTS = ("monday", "sunday")


def _days(value: str) -> str:
    text = value.strip()
    if not text.isdigit() or int(text) > 365:
        raise InvalidInput(f"sign-within {value!r} is not a number of days from 0 to 365")
    return str(int(text))


def _form_url(value: str) -> str:
    text = value.strip().rstrip("/")
    scheme, sep, rest = text.partition("://")
    host = rest.split("/", 1)[0]
    if (
        scheme.lower() not in ("http", "https")
        or not sep
        or not host
        or any(c in text for c in "?#@ ")
    ):
        raise InvalidInput(
            f"form-url {value!r} is not an http:// or https:// address of the form server"
            " (e.g. https://forms.clinic.example, with no query)"
        )
    return text


def _site_id(value: str) -> str:
    text = value.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,31}", text):
        raise InvalidInput(
            f"site-id {value!r} is not 2-32 lower-case letters, digits and hyphens"
            " (e.g. clinic-north)"
        )
    return text


def _date_order(value: str) -> str:
    return vocab.one_of(value, DATE_ORDERS, "date-order")


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "practitioner",
            "who gives the sessions: the default for 'session log --by'",
            "a name",
            lambda v: vocab.text(v, "practitioner"),
        ),
        Setting(
            "date-order",
            "how to read a numeric date whose day and month could be swapped (03/04/2026)",
            "dmy or mdy",
            _date_order,
        ),
        Setting(
            "default-solution",
            "the solution of a site given without one",
            "a solution, e.g. D15 (dextrose 15%)",
            sites.solution,
        ),
        Setting(
            "default-guidance",
            "the guidance of a session logged without --guidance",
            "landmark, ultrasound, fluoroscopy or ct",
            lambda v: vocab.one_of(v, vocab.GUIDANCE, "default-guidance"),
        ),
        Setting(
            "week-start",
            "the first day of the week for 'summary --week'",
            "monday or sunday",
            lambda v: vocab.one_of(v, WEEK_STARTS, "week-start"),
            default="monday",
        ),
        Setting(
            "practice-name",
            "the practice's name, at the top of a patient's report",
            "a name",
            lambda v: vocab.text(v, "practice-name"),
        ),
        Setting(
            "aftercare",
            "the aftercare advice printed at the end of a patient's report",
            "text (line breaks kept)",
            lambda v: vocab.note(v, "aftercare") or "",
        ),
        Setting(
            "follow-up",
            "the follow-up timepoints of a course started without --follow-up or a protocol's",
            "timepoints after the last session, e.g. 3m,6m,12m; or none",
            follow_up.normal,
            default=follow_up.DEFAULT,
        ),
        Setting(
            "sign-within",
            "how many days a session may stay unsigned before 'summary' lists it",
            "a whole number of days, e.g. 3",
            _days,
            default="3",
        ),
        Setting(
            "form-url",
            "where patients open their form links: the form server as they reach it",
            "an http:// or https:// address, e.g. https://forms.clinic.example",
            _form_url,
            default=form_links.DEFAULT_URL,
        ),
        Setting(
            "site-id",
            "this clinic's id in a research registry, on every row it sends",
            "2-32 lower-case letters, digits and hyphens, e.g. clinic-north",
            _site_id,
        ),
    )
}


def setting(key: str) -> Setting:
    found = SETTINGS.get(key.strip().lower())
    if found is None:
        raise InvalidInput(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
    return found


def read(key: str, value: str) -> str:
    """Check ``value`` for ``key`` and return it as it will be stored."""
    return setting(key).read(value)
