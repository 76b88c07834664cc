"""Follow-up timepoints, their windows and statuses, without a database."""

from datetime import date

import pytest

from prolotrack.domain import follow_up
from prolotrack.domain.dates import parse_interval
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.instruments import CATALOGUE
from prolotrack.domain.models import Course, Score
from prolotrack.domain.outcomes import outcome

LAST = date(2026, 3, 2)  # the worked example's last session
BY_CODE = {i.code: i for i in CATALOGUE}


def course(status="completed", planned=3, done=3, last=LAST) -> Course:
    return Course(
        id=1,
        patient_id=1,
        condition="knee",
        started_on=date(2026, 1, 5),
        interval=parse_interval("4w"),
        measure="womac",
        status=status,
        planned_sessions=planned,
        sessions_done=done,
        last_session_on=last,
        closed_on=date(2026, 3, 2) if status != "active" else None,
    )


def score(day: date, value: float = 30, code: str = "womac", n: int = 1) -> Score:
    return Score(id=n, course_id=1, instrument=code, value=value, taken_on=day)


def test_timepoints_are_read_sorted_once_each_or_none():
    assert follow_up.normal("12m, 3m,6m,1y") == "3m,6m,12m"
    assert follow_up.normal("none") == "none"
    assert follow_up.parse("6w") == (parse_interval("6w"),)
    for bad in ("", "soon", "3m,later", "0m"):
        with pytest.raises(InvalidInput):
            follow_up.parse(bad)


def test_the_window_of_3m_runs_from_three_quarters_to_five_quarters_of_it():
    """3 months after 2 March is 2 June: 92 days; 0.75 x 92 = 69 days, 1.25 x 92 = 115."""
    due, opens, closes = follow_up.window(LAST, parse_interval("3m"))
    assert (due, opens, closes) == (date(2026, 6, 2), date(2026, 5, 10), date(2026, 6, 25))


@pytest.mark.parametrize(
    ("today", "scored", "status"),
    [
        (date(2026, 5, 9), None, "upcoming"),  # the day before the window opens
        (date(2026, 5, 10), None, "due"),  # it opens
        (date(2026, 6, 2), None, "due"),  # the timepoint itself
        (date(2026, 6, 3), None, "overdue"),
        (date(2026, 6, 25), None, "overdue"),  # the window's last day
        (date(2026, 6, 26), None, "missed"),
        (date(2026, 6, 26), date(2026, 6, 25), "done"),
        (date(2026, 5, 20), date(2026, 5, 10), "done"),
    ],
)
def test_statuses_of_a_timepoint(today, scored, status):
    found = [score(scored)] if scored else []
    [point] = follow_up.timepoints(course(), found, today, "3m")
    assert point.status == status


def test_a_score_of_another_instrument_or_voided_does_not_make_it_done():
    nrs = score(date(2026, 6, 1), 3, "nrs")
    voided = Score(
        id=2,
        course_id=1,
        instrument="womac",
        value=30,
        taken_on=date(2026, 6, 1),
        voided_at="2026-06-02T00:00:00Z",
    )
    [point] = follow_up.timepoints(course(), [nrs, voided], date(2026, 6, 3), "3m")
    assert point.status == "overdue" and point.scores == {"nrs": 3}


def test_timepoints_wait_for_the_planned_sessions():
    assert follow_up.timepoints(course("active", 3, 2), [], date(2026, 9, 1), "3m") == []
    assert follow_up.timepoints(course("active", None, 5), [], date(2026, 9, 1), "3m") == []
    assert len(follow_up.timepoints(course("active", 3, 3), [], date(2026, 9, 1), "3m")) == 1
    assert len(follow_up.timepoints(course("completed", None, 2), [], date(2026, 9, 1), "3m")) == 1
    assert follow_up.timepoints(course(), [], date(2026, 9, 1), "none") == []


def test_lost_to_follow_up_when_every_closed_window_was_missed():
    today = date(2026, 9, 30)  # 3m closed 25 June; 6m (2 Sept) closes 1 Oct
    missed = follow_up.timepoints(course(), [], today, "3m,6m,12m")
    assert [f.status for f in missed] == ["missed", "overdue", "upcoming"]
    assert follow_up.lost(missed, today)
    kept = follow_up.timepoints(course(), [score(date(2026, 6, 1))], today, "3m,6m,12m")
    assert not follow_up.lost(kept, today)
    assert not follow_up.lost(
        follow_up.timepoints(course(), [], date(2026, 6, 1), "3m"), date(2026, 6, 1)
    )


def test_pgic_is_judged_on_its_latest_score_without_a_baseline():
    pgic = BY_CODE["pgic"]
    much = outcome(pgic, [score(date(2026, 5, 1), 5, "pgic"), score(date(2026, 6, 1), 2, "pgic")])
    assert much.at_responder_mark is True and much.latest == 2
    # a transition question has no baseline, change, MCID or tier: its value only
    assert (much.baseline, much.change, much.mcid, much.mcid_reached, much.responder) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert outcome(pgic, [score(date(2026, 6, 1), 3, "pgic")]).at_responder_mark is False
    with pytest.raises(InvalidInput, match="whole points"):
        pgic.check(1.5)
    assert BY_CODE["sane"].mcid is None and BY_CODE["sane"].better == "higher"
