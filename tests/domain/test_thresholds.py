"""Each rule at its exact threshold, and one step past it: a change of ``>=`` to ``>`` (or of a
fallback) fails a test here."""

from datetime import date

import pytest

from prolotrack.domain import deidentify, follow_up, sites
from prolotrack.domain.dates import parse_interval
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.instruments import CATALOGUE
from prolotrack.domain.models import Course, Score
from prolotrack.domain.outcomes import outcome

BY_CODE = {i.code: i for i in CATALOGUE}


def two(code: str, baseline: float, latest: float) -> list[Score]:
    return [
        Score(id=1, course_id=1, instrument=code, value=baseline, taken_on=date(2026, 1, 5)),
        Score(id=2, course_id=1, instrument=code, value=latest, taken_on=date(2026, 3, 2)),
    ]


@pytest.mark.parametrize(
    ("code", "baseline", "latest", "reached"),
    [
        ("nrs", 7, 5, True),  # 2 points: the MCID itself
        ("nrs", 7, 6, False),  # 1 point short
        ("womac", 50, 44, True),  # 12 % of 50 is 6 points
        ("womac", 50, 45, False),
        ("dash", 50, 39.17, True),  # 10.83, though 50 - 39.17 is 10.829999... in floating point
        ("dash", 50, 39.18, False),
        ("lefs", 40, 49, True),  # higher is better: 9 points up
        ("lefs", 40, 48, False),
    ],
)
def test_the_mcid_is_reached_at_its_value_and_not_below(code, baseline, latest, reached):
    assert outcome(BY_CODE[code], two(code, baseline, latest)).mcid_reached is reached


@pytest.mark.parametrize(
    ("latest", "tier"),
    [(5, "substantial"), (5.1, "moderate"), (7, "moderate"), (7.1, "minimal"), (9, "minimal"),
     (9.1, "none"), (10, "none"), (10.1, "worse")],
)  # fmt: skip
def test_each_responder_tier_begins_at_its_own_percentage(latest, tier):
    """IMMPACT: 50 % substantial, 30 % moderate, 10 % minimal (a baseline of 10 on the VAS-like
    NRS makes each point ten percent)."""
    assert outcome(BY_CODE["nrs"], two("nrs", 10, latest)).responder == tier


def test_d50_is_the_strongest_dextrose_and_d50_1_is_refused():
    assert sites.solution("D50") == "dextrose 50%"
    assert sites.solution("dextrose 50% + lidocaine 1%") == "dextrose 50% + lidocaine 1%"
    for stronger in ("D50.1", "dextrose 50.1%", "glucose 50.1% + lidocaine 1%"):
        with pytest.raises(InvalidInput, match="at most 50%"):
            sites.solution(stronger)


LAST = date(2026, 3, 2)
COURSE = Course(
    id=1,
    patient_id=1,
    condition="knee",
    started_on=date(2026, 1, 5),
    interval=parse_interval("4w"),
    measure="womac",
    status="completed",
    planned_sessions=3,
    sessions_done=3,
    last_session_on=LAST,
    closed_on=LAST,
)


@pytest.mark.parametrize(
    ("taken_on", "counts"),
    [(date(2026, 5, 9), False), (date(2026, 5, 10), True), (date(2026, 6, 25), True),
     (date(2026, 6, 26), False)],
)  # fmt: skip
def test_a_score_counts_for_a_timepoint_from_its_windows_first_day_to_its_last(taken_on, counts):
    """3m after 2 March: the window runs 10 May to 25 June (tests/domain/test_follow_up.py)."""
    score = Score(id=1, course_id=1, instrument="womac", value=30, taken_on=taken_on)
    [point] = follow_up.timepoints(COURSE, [score], date(2026, 7, 1), "3m")
    assert (point.status == "done") is counts
    assert point.scores == ({"womac": 30} if counts else {})


KNOWN_SITES = {"mcl": "MCL", "iliolumbar ligament": "iliolumbar ligament"}


@pytest.mark.parametrize(
    ("typed", "exported"),
    [("MCL", "MCL"), ("  mcl ", "MCL"), ("Iliolumbar   Ligament", "iliolumbar ligament"),
     ("Ada's garage", "other"), ("MCL near Ada's scar", "other")],
)  # fmt: skip
def test_a_de_identified_site_is_a_catalogue_name_or_other_never_the_text(typed, exported):
    assert deidentify.site(typed, KNOWN_SITES) == exported


@pytest.mark.parametrize(
    ("rule", "typed", "exported"),
    [
        (deidentify.region, "Knee", "knee"),
        (deidentify.region, "knee at Ada's farm", "other"),
        (deidentify.condition, "M17.11", "M17.11"),
        (deidentify.condition, "knee pain after the fall at 12 Elm St", "other"),
        (deidentify.solution, "dextrose 15% + Ada's mix", "dextrose 15% + other"),
        (deidentify.flags, "allergy:amide; frail, lives with Ada", "allergy:amide; other"),
        (deidentify.instrument, "womac", "womac"),
        (deidentify.instrument, "ada-score", "other"),
    ],
)
def test_no_free_text_leaves_in_a_de_identified_export(rule, typed, exported):
    assert rule(typed) == exported
