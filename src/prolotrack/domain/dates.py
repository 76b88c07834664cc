"""Every date and interval the user types is read here, against an injectable "today".

Absolute written dates go to python-dateutil; relative forms (``today``, ``-3d``,
``3 days ago``, a weekday name) and intervals (``4w``, ``6 weeks``) are computed with
``relativedelta`` so that a month from 31 January is 28 February.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from prolotrack.domain.errors import InvalidInput

DATE_ORDERS = ("dmy", "mdy")

_UNITS = {
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "wk": "w",
    "wks": "w",
    "week": "w",
    "weeks": "w",
    "m": "m",
    "mo": "m",
    "mon": "m",
    "month": "m",
    "months": "m",
    "y": "y",
    "yr": "y",
    "yrs": "y",
    "year": "y",
    "years": "y",
}
_UNIT_WORDS = {"d": "day", "w": "week", "m": "month", "y": "year"}
_UNIT_PATTERN = "|".join(sorted(_UNITS, key=len, reverse=True))

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SIGNED = re.compile(rf"^([+-])\s*(\d+)\s*({_UNIT_PATTERN})$")
_AGO = re.compile(rf"^(\d+)\s*({_UNIT_PATTERN})\s+ago$")
_IN = re.compile(rf"^in\s+(\d+)\s*({_UNIT_PATTERN})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$")
_INTERVAL = re.compile(rf"^(\d+)\s*({_UNIT_PATTERN})$")
# A written date dateutil is asked to read names its month, or has a four-digit year.
_MONTH_NAME = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_ABSOLUTE = re.compile(rf"{_MONTH_NAME.pattern}.*{_YEAR.pattern}|{_YEAR.pattern}")

DATE_FORMS = "YYYY-MM-DD, today, yesterday, 3 days ago, -3d, +2w, a weekday name or 23 Nov 2026"
INTERVAL_FORMS = "4w, 28d, 1m, 6 weeks"

MAX_INTERVAL_COUNT = 999
# The dates prolotrack keeps: room on either side for the widest interval (999 years) and the
# follow-up windows computed from a date, so that no computation runs off the calendar.
FIRST_DATE = date(1800, 1, 1)
LAST_DATE = date(9000, 12, 31)


@dataclass(frozen=True, order=True)
class Interval:
    """A calendar interval such as 4 weeks or 1 month, as typed and stored (``4w``)."""

    count: int
    unit: str  # one of d, w, m, y

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def describe(self) -> str:
        word = _UNIT_WORDS[self.unit]
        return f"{self.count} {word}" + ("" if self.count == 1 else "s")

    def delta(self) -> relativedelta:
        unit = {"d": "days", "w": "weeks", "m": "months", "y": "years"}[self.unit]
        return relativedelta(**{unit: self.count})

    def after(self, day: date) -> date:
        """The date one interval after ``day`` (31 Jan + 1m is 28 or 29 Feb, as dateutil's
        ``relativedelta`` counts: a test holds them equal); the last day of the calendar when
        that would be past the year 9999. Counted here because ``due`` counts a thousand
        windows, and ``relativedelta`` takes 4 us to make and add where this takes 0.6."""
        try:
            if self.unit in ("d", "w"):
                return day + timedelta(days=self.count * (7 if self.unit == "w" else 1))
            years, month = divmod(day.month - 1 + self.count * (12 if self.unit == "y" else 1), 12)
            year = day.year + years
            return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
        except (OverflowError, ValueError):
            return date.max


def _offset(count: int, unit: str) -> relativedelta:
    return Interval(count, _UNITS[unit]).delta()


@functools.lru_cache(maxsize=256)  # a clinic's courses share a handful of intervals
def parse_interval(text: str) -> Interval:
    """Read ``4w``, ``28d``, ``1m``, ``6 weeks``..., refusing zero and nonsense."""
    match = _INTERVAL.match(text.strip().lower())
    if not match:
        raise InvalidInput(f"not an interval: {text!r} (use {INTERVAL_FORMS})")
    count = int(match.group(1))
    if not 1 <= count <= MAX_INTERVAL_COUNT:
        raise InvalidInput(
            f"interval {text!r} is out of range (from 1 to {MAX_INTERVAL_COUNT} days, weeks,"
            " months or years)"
        )
    return Interval(count, _UNITS[match.group(2)])


def parse_date(
    text: str, today: date, date_order: str | None = None, *, relative: bool = True
) -> date:
    """Read a date as the user types it, relative forms counted from ``today``.

    ``date_order`` (``dmy`` or ``mdy``) says how to read a numeric date whose day and
    month could be swapped; without it such a date is refused rather than guessed. Without
    ``relative`` (a birth date) only an absolute date is taken.
    """
    raw = text
    text = " ".join(text.strip().lower().split())
    if not text:
        raise InvalidInput(f"not a date: {raw!r} (use {DATE_FORMS})")
    compact = len(text) == 8 and text.isdigit()  # 20260105
    written = _ISO.match(text) or _DAY_MONTH_YEAR.match(text) or _ABSOLUTE.search(text)
    if not relative and not (written or compact):
        raise InvalidInput(
            f"{raw!r} is not a date written out: give it as YYYY-MM-DD (1950-05-01) or"
            " 1 May 1950, not relative to today"
        )
    try:
        found = _read(text, today, date_order, raw)
    except OverflowError:
        found = None
    if found is None or not FIRST_DATE <= found <= LAST_DATE:
        raise InvalidInput(
            f"date {raw!r} is outside the dates prolotrack keeps"
            f" ({FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()})"
        )
    return found


def _read(text: str, today: date, date_order: str | None, raw: str) -> date:
    if text in ("today", "now"):
        return today
    if text == "yesterday":
        return today - relativedelta(days=1)
    if text == "tomorrow":
        return today + relativedelta(days=1)
    if _ISO.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"not a real date: {raw!r} (YYYY-MM-DD)") from None
    if match := _SIGNED.match(text):
        sign, count, unit = match.groups()
        delta = _offset(int(count), unit)
        return today + delta if sign == "+" else today - delta
    if match := _AGO.match(text):
        return today - _offset(int(match.group(1)), match.group(2))
    if match := _IN.match(text):
        return today + _offset(int(match.group(1)), match.group(2))
    weekday = _weekday(text)
    if weekday is not None:
        return today - relativedelta(days=(today.weekday() - weekday) % 7)
    if match := _DAY_MONTH_YEAR.match(text):
        return _numeric(match, date_order, raw)
    if text.isdigit() and len(text) != 8:
        raise InvalidInput(f"not a date: {raw!r} (use {DATE_FORMS})")
    return _written(text, today, raw)


def _weekday(text: str) -> int | None:
    if len(text) < 3:
        return None
    for number, name in enumerate(_WEEKDAYS):
        if name.startswith(text):
            return number
    return None


def _numeric(match: re.Match, date_order: str | None, raw: str) -> date:
    first, second = int(match.group(1)), int(match.group(2))
    swappable = first <= 12 and second <= 12 and first != second
    if date_order is None and swappable:
        raise InvalidInput(
            f"ambiguous date {raw!r}: day and month could be either way round; write it as"
            " YYYY-MM-DD, or say how to read such dates with"
            " 'prolotrack config set date-order dmy' (or mdy)"
        )
    if date_order == "dmy":
        day, month = first, second
    elif date_order == "mdy":
        month, day = first, second
    else:  # not swappable: the part above 12 must be the day
        day, month = (first, second) if first > 12 else (second, first)
    from dateutil import parser

    try:
        parsed = parser.parse(raw.strip(), dayfirst=date_order != "mdy").date()
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None or (parsed.day, parsed.month) != (day, month):
        order = {"dmy": "day/month/year", "mdy": "month/day/year"}.get(date_order, "")
        hint = f" read as {order}" if order else ""
        raise InvalidInput(f"not a real date: {raw!r}{hint} (use {DATE_FORMS})")
    return parsed


def _written(text: str, today: date, raw: str) -> date:
    from dateutil import parser

    compact = len(text) == 8 and text.isdigit()
    if not (_MONTH_NAME.search(text) or _YEAR.search(text) or compact):  # "1.5", "-1": no date
        raise InvalidInput(f"not a date: {raw!r} (use {DATE_FORMS})")
    default = datetime(today.year, today.month, today.day)
    try:
        return parser.parse(text, default=default).date()
    except (ValueError, OverflowError, TypeError):
        raise InvalidInput(f"not a date: {raw!r} (use {DATE_FORMS})") from None


def parse_today(text: str) -> date:
    """Read the value of ``--today`` / ``PROLOTRACK_TODAY``: an absolute date."""
    return parse_date(text, date.today())
