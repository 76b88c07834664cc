"""The daily summary, the due list and the outcomes report."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def busy_day(worked):
    """The worked example, plus on 2026-03-20 two sessions, an adverse event, a new and a
    closed course, and one course overdue."""
    worked.ok("patient", "add", "Grace Hopper", "--chart", "P-0002")
    worked.ok(
        "course",
        "start",
        "P-0002",
        "--condition",
        "left knee osteoarthritis",
        "--side",
        "left",
        "--every",
        "2w",
        "--sessions",
        "4",
        "--date",
        "2026-02-20",
    )
    worked.ok("log", "P-0002", "--date", "2026-02-20", "--site", "MCL:1:D15", "--pain", "8")
    worked.ok(
        "log",
        "P-0002",
        "--date",
        "2026-03-20",
        "--site",
        "MCL:1:D15",
        "--site",
        "intra-articular:6:D25",
        "--pain",
        "6",
        "--adverse",
        "flare",
    )
    worked.ok("patient", "add", "Alan Turing", "--chart", "P-0003")
    worked.ok(
        "course",
        "start",
        "P-0003",
        "--condition",
        "low back pain",
        "--measure",
        "odi",
        "--every",
        "4w",
    )
    worked.ok(
        "log", "P-0003", "--site", "iliolumbar ligament:1:D15", "--pain", "5", "--score", "odi=40"
    )
    worked.ok("course", "close", "1", "--status", "completed")
    worked.ok("patient", "add", "Edsger Dijkstra", "--chart", "P-0004")
    worked.ok(
        "course",
        "start",
        "P-0004",
        "--condition",
        "right lateral epicondylosis",
        "--every",
        "4w",
        "--date",
        "2026-01-02",
    )
    worked.ok("log", "P-0004", "--date", "2026-01-02", "--site", "lateral epicondyle:0.5:D15")
    return worked


def test_summary_json_keys_and_figures(busy_day):
    day = busy_day.json("summary")
    assert list(day) == [
        "date",
        "from",
        "sessions",
        "totals",
        "adverse_events",
        "courses_started",
        "courses_closed",
        "due",
        "overdue",
        "responses_waiting",
    ]
    assert day["date"] == "2026-03-20"
    assert [(s["chart"], s["number"], s["sites"], s["pain"]) for s in day["sessions"]] == [
        ("P-0002", 2, 2, 6),
        ("P-0003", 1, 1, 5),
    ]
    assert day["totals"] == {
        "sessions": 2,
        "patients": 2,
        "injections": 3,
        "volume_ml": 8,
        "ml_by_solution": {"dextrose 15%": 2, "dextrose 25%": 6},
        "agents": {"dextrose_g": 1.8},  # 2 mL x 150 mg/mL + 6 mL x 250 mg/mL
    }
    assert [(e["chart"], e["kind"], e["severity"]) for e in day["adverse_events"]] == [
        ("P-0002", "flare", "mild")
    ]
    assert [c["chart"] for c in day["courses_started"]] == ["P-0003"]
    assert [(c["chart"], c["status"]) for c in day["courses_closed"]] == [("P-0001", "completed")]
    assert [(d["chart"], d["due"]) for d in day["overdue"]] == [("P-0004", "2026-01-30")]
    assert day["overdue"][0]["days_overdue"] == 49
    assert day["due"] == []


def test_summary_over_several_days(busy_day):
    week = busy_day.json("summary", "--days", "30", "--date", "2026-03-20")
    assert week["from"] == "2026-02-19"
    assert [s["date"] for s in week["sessions"]] == [
        "2026-02-20",
        "2026-03-02",
        "2026-03-20",
        "2026-03-20",
    ]
    busy_day.refused("summary", "--days", "0", says="--days 0 is out of range")


def test_an_empty_day_says_so_and_exits_0(busy_day):
    result = busy_day.ok("summary", "--date", "2025-06-01", "-f", "text")
    assert result.stdout == (
        "prolotrack summary for 2025-06-01\nNothing recorded, nothing due.\n"
    )  # the due list is as of that day, when no course had started


def test_summary_text_is_plain_and_stable(busy_day):
    text = busy_day.ok("summary", "-f", "text").stdout
    assert text.splitlines()[:4] == [
        "prolotrack summary for 2026-03-20",
        "Sessions: 2",
        "  2026-03-20 P-0002 Grace Hopper, course 2 (left knee osteoarthritis), session 2:"
        " 2 sites, 7.0 mL, pain 6",
        "  2026-03-20 P-0003 Alan Turing, course 3 (low back pain), session 1: 1 site, 1.0 mL,"
        " pain 5",
    ]
    assert "Overdue: 1" in text
    assert (
        "  P-0004 Edsger Dijkstra, course 4 (right lateral epicondylosis): due 2026-01-30,"
        " 49 days overdue; last session 2026-01-02" in text
    )


def test_summary_text_through_a_pipe_has_no_escape_codes_and_repeats(busy_day):
    env = {
        **os.environ,
        "PROLOTRACK_DB": str(busy_day.path),
        "PROLOTRACK_TODAY": "2026-03-20",
        "FORCE_COLOR": "1",
        "TERM": "xterm-256color",
    }
    command = [sys.executable, "-m", "prolotrack", "summary", "-f", "text"]
    runs = [
        subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout
    assert "\x1b" not in runs[0].stdout
    assert all(ord(ch) < 0x2500 or ord(ch) > 0x257F for ch in runs[0].stdout)  # no box drawing
    assert "Sessions: 2" in runs[0].stdout


def test_due_within_and_overdue(busy_day):
    due = busy_day.json("due")
    assert [(d["chart"], d["due"], d["days_overdue"]) for d in due] == [
        ("P-0004", "2026-01-30", 49)
    ]
    later = busy_day.json("due", "--within", "4w")
    assert [(d["chart"], d["due"]) for d in later] == [
        ("P-0004", "2026-01-30"),
        ("P-0002", "2026-04-03"),
        ("P-0003", "2026-04-17"),
    ]
    assert [d["chart"] for d in busy_day.json("due", "--within", "4w", "--overdue")] == ["P-0004"]
    busy_day.refused("due", "--within", "soon", says="not an interval")


def test_report_outcomes(busy_day):
    from datetime import date

    from tests.conftest import Clinic

    # a score on the day after the baseline: one on the same day would show no change over time
    Clinic(busy_day.path, today=date(2026, 3, 21)).ok("score", "add", "3", "odi=25")
    rows = busy_day.json("report", "outcomes")
    by_condition = {(r["condition"], r["measure"]): r for r in rows}
    knee = by_condition[("right knee osteoarthritis", "womac")]
    assert (knee["courses"], knee["completed"], knee["evaluable"]) == (1, 1, 1)
    assert (knee["median_baseline"], knee["median_latest"]) == (52, 40)
    assert (knee["median_improvement_pct"], knee["mcid_reached_pct"]) == (23.1, 100)
    assert (knee["minimal_pct"], knee["substantial_pct"]) == (100, 0)
    back = by_condition[("low back pain", "odi")]
    assert (back["median_improvement_pct"], back["moderate_pct"]) == (37.5, 100)
    pain = busy_day.json("report", "outcomes", "--measure", "nrs", "--condition", "knee")
    assert [(r["condition"], r["evaluable"], r["median_improvement_pct"]) for r in pain] == [
        ("left knee osteoarthritis", 1, 25.0),
        ("right knee osteoarthritis", 1, 57.1),
    ]
    window = busy_day.json("report", "outcomes", "--from", "2026-03-01")
    assert [r["condition"] for r in window] == ["low back pain"]


def test_report_outcomes_table(busy_day):
    table = busy_day.ok("report", "outcomes").stdout
    assert "right knee osteoarthritis" in table and "23.1" in table


def test_demo_file_is_deterministic(tmp_path):
    from typer.testing import CliRunner

    from prolotrack.cli.app import app

    dumps = []
    for name in ("a.db", "b.db"):
        path = tmp_path / name
        result = CliRunner().invoke(app, ["--today", "2026-03-20", "demo", "--file", str(path)])
        assert result.exit_code == 0, result.output
        out = CliRunner().invoke(
            app,
            ["--db", str(path), "--today", "2026-03-20", "summary", "--days", "365", "-f", "json"],
        )
        dumps.append(out.stdout)
    assert dumps[0] == dumps[1]
    assert Path(tmp_path / "a.db").exists()


def test_due_at_the_end_of_a_month(tmp_path):
    from tests.conftest import Clinic

    clinic = Clinic(tmp_path / "c.db", today=__import__("datetime").date(2026, 2, 28))
    clinic.ok("patient", "add", "Ada", "--chart", "A-1")
    clinic.ok(
        "course", "start", "A-1", "--condition", "knee", "--every", "1m", "--date", "2026-01-31"
    )
    clinic.ok("log", "A-1", "--date", "2026-01-31", "--site", "MCL:0.5:D15")
    assert [(d["chart"], d["due"]) for d in clinic.json("due", "--within", "1d")] == [
        ("A-1", "2026-02-28")
    ]


def test_due_at_the_end_of_the_calendar(worked):
    from datetime import date

    from tests.conftest import Clinic

    late = Clinic(worked.path, today=date(9999, 12, 31))
    late.refused("due", says="outside the dates prolotrack keeps")  # not a crash, not a guess
    late.refused("summary", "--week", says="outside the dates prolotrack keeps")


def test_a_week_not_yet_over_counts_overdue_days_from_today(busy_day):
    """Today is Friday 2026-03-20; the week runs to Sunday 22nd: P-0004 (due 30 January) is
    overdue by 49 days today, not by 51."""
    week = busy_day.json("summary", "--week")
    assert week["date"] == "2026-03-22"
    assert [(d["chart"], d["days_overdue"]) for d in week["overdue"]] == [("P-0004", 49)]


def test_a_course_due_later_is_not_0_days_overdue(busy_day):
    due = busy_day.json("due", "--within", "8w")
    later = [d for d in due if d["due"] > "2026-03-20"]
    assert later and all(d["days_overdue"] is None for d in later)
    table = busy_day.ok("due", "--within", "8w").stdout
    assert " 0\n" not in table


def test_two_scores_on_one_day_do_not_make_a_course_evaluable(clinic):
    clinic.ok("patient", "add", "Ada", "--chart", "A-1")
    clinic.ok("course", "start", "A-1", "--condition", "knee", "--date", "2026-03-01")
    clinic.ok("score", "add", "A-1", "nrs=7", "--date", "2026-03-02")
    clinic.ok("score", "add", "A-1", "womac=40", "--date", "2026-03-02")
    [row] = clinic.json("report", "outcomes")
    assert (row["courses"], row["evaluable"]) == (1, 0)
