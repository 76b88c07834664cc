"""Reading DATE and INTERVAL as the user types them."""

import contextlib
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prolotrack.domain.dates import Interval, parse_date, parse_interval
from prolotrack.domain.errors import InvalidInput

TODAY = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05", date(2026, 1, 5)),
        ("today", TODAY),
        ("Yesterday", date(2026, 11, 22)),
        ("tomorrow", date(2026, 11, 24)),
        ("3 days ago", date(2026, 11, 20)),
        ("2 weeks ago", date(2026, 11, 9)),
        ("-3d", date(2026, 11, 20)),
        ("+2w", date(2026, 12, 7)),
        ("-1m", date(2026, 10, 23)),
        ("monday", TODAY),  # the most recent one, today included
        ("sunday", date(2026, 11, 22)),
        ("Tue", date(2026, 11, 17)),
        ("23 Nov 2026", TODAY),
        ("November 5, 2026", date(2026, 11, 5)),
        ("5 Nov", date(2026, 11, 5)),
        ("13/04/2026", date(2026, 4, 13)),  # day above 12: no ambiguity
        ("04/13/2026", date(2026, 4, 13)),
        ("04/04/2026", date(2026, 4, 4)),  # same either way round
        ("20260105", date(2026, 1, 5)),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_date(text, TODAY) == expected


def test_month_arithmetic_lands_on_the_last_day():
    assert parse_date("-1m", date(2026, 3, 31)) == date(2026, 2, 28)


@pytest.mark.parametrize("text", ["03/04/2026", "3.4.2026", "03-04-26"])
def test_swappable_numeric_date_needs_a_date_order(text):
    with pytest.raises(InvalidInput, match="ambiguous date"):
        parse_date(text, TODAY)
    assert parse_date(text, TODAY, "dmy") == date(2026, 4, 3)
    assert parse_date(text, TODAY, "mdy") == date(2026, 3, 4)


def test_a_date_order_is_kept_strictly():
    with pytest.raises(InvalidInput, match="month/day/year"):
        parse_date("13/04/2026", TODAY, "mdy")


@pytest.mark.parametrize(
    "text", ["", "  ", "soon", "2026-02-30", "5", "31/02/2026", "99 days ago x", "+3x"]
)
def test_refused_forms_say_what_is_accepted(text):
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        parse_date(text, TODAY)


@given(st.text(max_size=40), st.dates(), st.sampled_from([None, "dmy", "mdy"]))
def test_never_crashes(text, today, order):
    try:
        result = parse_date(text, today, order)
    except InvalidInput:
        return
    assert isinstance(result, date)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_iso_and_written_forms_round_trip(day):
    assert parse_date(day.isoformat(), TODAY) == day
    assert parse_date(day.strftime("%d %b %Y"), TODAY) == day
    assert parse_date(day.strftime("%d/%m/%Y"), TODAY, "dmy") == day
    assert parse_date(day.strftime("%m/%d/%Y"), TODAY, "mdy") == day


@given(st.integers(min_value=0, max_value=3000))
def test_relative_days_round_trip(days):
    today = date(2026, 11, 23)
    assert parse_date(f"{days} days ago", today) == today - timedelta(days=days)
    assert parse_date(f"-{days}d", today) == today - timedelta(days=days)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4w", Interval(4, "w")),
        ("28d", Interval(28, "d")),
        ("1m", Interval(1, "m")),
        ("6 weeks", Interval(6, "w")),
        ("2 Months", Interval(2, "m")),
        ("1 year", Interval(1, "y")),
    ],
)
def test_intervals(text, expected):
    assert parse_interval(text) == expected


@pytest.mark.parametrize("text", ["", "0w", "w", "4", "4 fortnights", "-2w", "1.5w"])
def test_refused_intervals(text):
    with pytest.raises(InvalidInput):
        parse_interval(text)


def test_a_month_after_31_january_is_28_february():
    assert Interval(1, "m").after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert Interval(1, "m").after(date(2028, 1, 31)) == date(2028, 2, 29)
    assert Interval(1, "y").after(date(2028, 2, 29)) == date(2029, 2, 28)
    assert Interval(13, "m").after(date(2026, 12, 15)) == date(2028, 1, 15)


@given(st.integers(min_value=1, max_value=999), st.sampled_from("dwmy"))
def test_intervals_round_trip(count, unit):
    interval = Interval(count, unit)
    assert parse_interval(str(interval)) == interval
    assert parse_interval(interval.describe()) == interval


@given(st.text(max_size=20))
def test_interval_reader_never_crashes(text):
    with contextlib.suppress(InvalidInput):
        assert parse_interval(text).count >= 1


@given(
    st.dates(min_value=date(1800, 1, 1), max_value=date(9999, 12, 31)),
    st.integers(min_value=1, max_value=999),
    st.sampled_from("dwmy"),
)
def test_an_interval_after_a_day_is_dateutils_count(day, count, unit):
    interval = Interval(count, unit)
    try:
        expected = day + interval.delta()
    except (OverflowError, ValueError):
        expected = date.max
    assert interval.after(day) == expected


def test_an_interval_past_the_end_of_the_calendar_stops_there():
    assert Interval(4, "w").after(date(9999, 12, 20)) == date.max


@pytest.mark.parametrize("text", ["9999-12-31", "9001-01-01", "1799-12-31", "0001-01-01"])
def test_dates_near_the_calendars_ends_are_refused(text):
    with pytest.raises(InvalidInput, match="outside the dates prolotrack keeps"):
        parse_date(text, TODAY)
