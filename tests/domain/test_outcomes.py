"""The calculations behind progress, without a database or a terminal."""

from datetime import date

import pytest

from prolotrack.domain.dates import parse_interval
from prolotrack.domain.instruments import CATALOGUE
from prolotrack.domain.models import Course, Score
from prolotrack.domain.outcomes import days_overdue, next_due, outcome, responder, week

BY_CODE = {i.code: i for i in CATALOGUE}


def scores(code, *values, voided=()):
    return [
        Score(
            id=n,
            course_id=1,
            instrument=code,
            value=v,
            taken_on=date(2026, 1, 5 + 7 * n),
            voided_at="2026-03-01T00:00:00Z" if n in voided else None,
        )
        for n, v in enumerate(values)
    ]


def test_pain_nrs_of_the_worked_example():
    o = outcome(BY_CODE["nrs"], scores("nrs", 7, 5, 3))
    assert (o.baseline, o.latest, o.change, o.improvement) == (7, 3, -4, 4)
    assert (o.improvement_pct, o.mcid, o.mcid_reached, o.responder) == (
        57.1,
        2,
        True,
        "substantial",
    )


def test_womac_mcid_is_a_share_of_the_baseline():
    o = outcome(BY_CODE["womac"], scores("womac", 52, 44, 40))
    assert (o.improvement, o.improvement_pct) == (12, 23.1)
    assert o.mcid == 6.24 and o.mcid_reached is True
    assert o.responder == "minimal"
    small = outcome(BY_CODE["womac"], scores("womac", 52, 46))
    assert small.improvement == 6 and small.mcid_reached is False


def test_baseline_at_the_best_end_leaves_improvement_pct_undefined():
    o = outcome(BY_CODE["nrs"], scores("nrs", 0, 0))
    assert o.improvement_pct is None and o.responder is None and o.improvement == 0
    worse = outcome(BY_CODE["nrs"], scores("nrs", 0, 2))
    assert worse.improvement_pct is None and worse.responder == "worse"


def test_a_worsening_course():
    o = outcome(BY_CODE["odi"], scores("odi", 30, 36))
    assert (o.change, o.improvement, o.improvement_pct) == (6, -6, -20.0)
    assert o.mcid_reached is False and o.responder == "worse"


def test_higher_is_better_lefs():
    o = outcome(BY_CODE["lefs"], scores("lefs", 40, 52))
    assert (o.change, o.improvement) == (12, 12)
    assert o.improvement_pct == 30.0  # 12 of the 40 points left to the best end, 80
    assert o.mcid_reached is True and o.responder == "moderate"


def test_an_instrument_without_mcid():
    o = outcome(BY_CODE["spadi"], scores("spadi", 60, 30))
    assert o.mcid is None and o.mcid_reached is None and o.responder == "substantial"


def test_voided_scores_never_count():
    o = outcome(BY_CODE["nrs"], scores("nrs", 9, 7, 5, 1, voided={0, 3}))
    assert (o.baseline, o.latest) == (7, 5)


@pytest.mark.parametrize(
    ("pct", "tier"),
    [(50, "substantial"), (49.9, "moderate"), (30, "moderate"), (29.9, "minimal"), (10, "minimal"),
     (9.9, "none"), (0, "none"), (-0.1, "worse")],
)  # fmt: skip
def test_responder_tiers(pct, tier):
    assert responder(pct, pct) == tier


def test_weeks_since_the_start():
    start = date(2026, 1, 5)
    assert [week(start, date(2026, m, d)) for m, d in ((1, 5), (1, 11), (1, 12), (3, 2))] == [
        0,
        0,
        1,
        8,
    ]


def course(every="4w", planned=None, done=0, last=None, status="active"):
    return Course(
        id=1,
        patient_id=1,
        condition="knee",
        started_on=date(2026, 1, 5),
        interval=parse_interval(every),
        measure="nrs",
        status=status,
        planned_sessions=planned,
        sessions_done=done,
        last_session_on=last,
    )


def test_next_due_from_the_last_session():
    assert next_due(course("1m", 6, 1, date(2026, 1, 31))) == date(2026, 2, 28)
    assert next_due(course("4w", None, 2, date(2026, 2, 2))) == date(2026, 3, 2)
    assert next_due(course("1m", 3, 0, None)) == date(2026, 1, 5)


def test_nothing_due_once_closed_or_the_plan_is_done():
    assert next_due(course("4w", 3, 2, date(2026, 2, 2), status="completed")) is None
    assert next_due(course("4w", 3, 3, date(2026, 3, 2))) is None


def test_days_overdue():
    assert days_overdue(date(2026, 3, 2), date(2026, 3, 20)) == 18
    assert days_overdue(date(2026, 3, 20), date(2026, 3, 20)) == 0  # due today
    assert days_overdue(date(2026, 3, 22), date(2026, 3, 20)) is None  # not yet due: never 0
    assert days_overdue(None, date(2026, 3, 20)) is None


def test_a_percent_mcid_at_a_best_end_baseline_is_not_applicable_and_not_reached():
    o = outcome(BY_CODE["womac"], scores("womac", 0, 0))
    assert (o.improvement_pct, o.mcid, o.mcid_reached, o.responder) == (None, None, False, None)


@pytest.mark.parametrize(
    ("code", "baseline", "latest", "shown", "tier"),
    [("koos-pain", 33.3, 53.3, 30.0, "moderate"),  # 29.985 % shows as 30.0
     ("koos-adl", 0, 49.97, 50.0, "substantial"),  # 49.97 % shows as 50.0
     ("nrs", 10, 5, 50.0, "substantial")],
)  # fmt: skip
def test_the_responder_tier_follows_the_improvement_as_shown(code, baseline, latest, shown, tier):
    o = outcome(BY_CODE[code], scores(code, baseline, latest))
    assert (o.improvement_pct, o.responder) == (shown, tier)
