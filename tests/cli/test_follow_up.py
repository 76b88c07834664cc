"""Follow-up after the last injection, as a practitioner meets it: due, progress, summary, the
outcomes report at a timepoint, and courses corrected, reopened and voided."""

from __future__ import annotations

from datetime import date

from tests.conftest import Clinic


def later(clinic: Clinic, day: str) -> Clinic:
    return Clinic(clinic.path, date.fromisoformat(day))


def test_follow_ups_appear_once_the_planned_sessions_are_done(worked):
    """The worked example's last session is 2 March: 3m is due 2 June, window 10 May-25 June."""
    [course] = worked.json("progress", "1")["courses"]
    assert course["course"]["lost_to_follow_up"] is False
    assert [(f["timepoint"], f["due"], f["window"], f["status"]) for f in course["follow_ups"]] == [
        ("3m", "2026-06-02", ["2026-05-10", "2026-06-25"], "upcoming"),
        ("6m", "2026-09-02", ["2026-07-18", "2026-10-18"], "upcoming"),
        ("12m", "2027-03-02", ["2026-12-01", "2027-06-01"], "upcoming"),
    ]
    assert worked.json("due", "--within", "7w") == []  # no session due, no window open
    # 8 weeks reach 15 May: the 3m window opens inside them (third edition: listed, upcoming)
    [upcoming] = worked.json("due", "--within", "8w")
    assert (upcoming["timepoint"], upcoming["status"], upcoming["days_overdue"]) == (
        "3m",
        "upcoming",
        None,
    )


def test_due_lists_a_follow_up_in_its_window_with_the_spec_keys(worked):
    june = later(worked, "2026-06-05")
    [row] = june.json("due")
    assert {
        k: row[k] for k in ("kind", "timepoint", "course", "due", "days_overdue", "status")
    } == {
        "kind": "follow-up",
        "timepoint": "3m",
        "course": 1,
        "due": "2026-06-02",
        "days_overdue": 3,
        "status": "overdue",
    }
    may = later(worked, "2026-05-20")
    [row] = may.json("due")
    assert (row["status"], row["days_overdue"]) == ("due", None)  # never 0 for a later date
    table = may.ok("due").stdout
    assert "follow-up" in table and "3m" in table
    text = may.ok("summary", "-f", "text").stdout
    assert "Follow-ups due (window open): 1" in text
    assert "course 1 (right knee osteoarthritis): 3m follow-up due 2026-06-02" in text


def test_a_score_in_the_window_makes_it_done_and_progress_shows_it(worked):
    june = later(worked, "2026-06-05")
    june.ok("score", "add", "1", "womac=30", "nrs=2", "--date", "2026-06-01")
    assert june.json("due") == []
    [course] = june.json("progress", "1")["courses"]
    three = course["follow_ups"][0]
    assert (three["status"], three["scores"]) == ("done", {"womac": 30, "nrs": 2})
    assert course["visits"] == []  # the day is the 3m follow-up, not a visit between
    table = june.ok("progress", "1").stdout
    assert "3m" in table and "done" in table
    womac = next(o for o in course["outcomes"] if o["instrument"] == "womac")
    assert (womac["latest"], womac["latest_date"]) == (30, "2026-06-01")
    rows = june.ok("progress", "1", "-f", "csv").stdout.splitlines()
    assert any(r.startswith("1,P-0001,3m,2026-06-01,") and ",done," in r for r in rows)


def test_a_course_whose_windows_all_closed_unscored_is_lost_to_follow_up(worked):
    october = later(worked, "2026-10-20")
    [course] = october.json("progress", "1")["courses"]
    assert [f["status"] for f in course["follow_ups"]] == ["missed", "missed", "upcoming"]
    assert course["course"]["lost_to_follow_up"] is True
    assert "Lost to follow-up" in october.ok("progress", "1").stdout


def test_follow_up_timepoints_come_from_the_option_the_setting_or_the_default(clinic):
    clinic.ok("patient", "add", "Ann Lee", "--chart", "A1")
    clinic.ok(
        "course",
        "start",
        "A1",
        "--condition",
        "knee",
        "--sessions",
        "1",
        "--follow-up",
        "6w,12m",
        "--date",
        "2026-01-05",
    )
    clinic.ok("config", "set", "follow-up", "6m")
    clinic.ok(
        "course", "start", "A1", "--condition", "elbow", "--sessions", "1", "--date", "2026-01-05"
    )
    clinic.ok(
        "course",
        "start",
        "A1",
        "--condition",
        "hip",
        "--sessions",
        "1",
        "--follow-up",
        "none",
        "--date",
        "2026-01-05",
    )
    for n in ("1", "2", "3"):
        clinic.ok("log", n, "--date", "2026-01-05", "--site", "MCL:0.5:D15")
    points = {
        c["course"]["id"]: [f["timepoint"] for f in c["follow_ups"]]
        for c in clinic.json("progress", "A1")["courses"]
    }
    assert points == {1: ["6w", "12m"], 2: ["6m"], 3: []}
    clinic.refused(
        "course",
        "start",
        "A1",
        "--condition",
        "x",
        "--follow-up",
        "soon",
        says="follow-up timepoint 'soon' is not an interval",
    )
    clinic.refused("config", "set", "follow-up", "later", says="not an interval")


def test_outcomes_at_a_timepoint_count_the_courses_missing_there(worked):
    worked.ok("patient", "add", "Bo Chen", "--chart", "P-0002")
    worked.ok(
        "course",
        "start",
        "P-0002",
        "--condition",
        "right knee osteoarthritis",
        "--measure",
        "womac",
        "--sessions",
        "1",
        "--icd10",
        "M17.11",
        "--date",
        "2026-01-05",
    )
    worked.ok(
        "log", "P-0002", "--date", "2026-01-05", "--site", "MCL:0.5:D15", "--score", "womac=60"
    )
    june = later(worked, "2026-06-20")
    june.ok("score", "add", "1", "womac=26", "--date", "2026-06-01")  # course 1's 3m window
    june.ok("score", "add", "2", "womac=50", "--date", "2026-05-30")  # course 2's 3m closed
    [at] = june.json("report", "outcomes", "--at", "3m")
    assert (at["courses"], at["evaluable"], at["missing"]) == (2, 1, 1)
    assert (at["median_baseline"], at["median_latest"]) == (52, 26)
    [latest] = june.json("report", "outcomes")
    assert latest["evaluable"] == 2 and "missing" not in latest
    by_code = june.json("report", "outcomes", "--by", "icd10")
    assert [(r["icd10"], r["courses"]) for r in by_code] == [("(none)", 1), ("M17.11", 1)]
    june.refused("report", "outcomes", "--by", "colour", says="--by")
    june.refused("report", "outcomes", "--at", "soon", says="not an interval")


def test_an_intake_score_up_to_90_days_before_the_start_is_the_baseline(clinic):
    clinic.ok("patient", "add", "Ann Lee", "--chart", "A1")
    clinic.ok("course", "start", "A1", "--condition", "knee", "--date", "2026-03-01")
    clinic.ok("score", "add", "1", "nrs=8", "--date", "2025-12-01")  # 90 days before
    clinic.refused(
        "score",
        "add",
        "1",
        "nrs=8",
        "--date",
        "2025-11-30",
        says="an intake score may be dated from 2025-12-01",
    )
    clinic.ok("log", "1", "--date", "2026-03-01", "--site", "MCL:0.5:D15", "--pain", "6")
    [course] = clinic.json("progress", "1")["courses"]
    [nrs] = course["outcomes"]
    assert (nrs["baseline"], nrs["baseline_date"], nrs["latest"]) == (8, "2025-12-01", 6)
    assert "intake" in clinic.ok("progress", "1").stdout


def test_a_course_can_be_corrected_reopened_and_voided_with_a_reason(worked):
    worked.ok(
        "course",
        "edit",
        "1",
        "--reason",
        "typed the wrong side",
        "--side",
        "left",
        "--sessions",
        "4",
        "--follow-up",
        "6m",
    )
    [course] = worked.json("progress", "1")["courses"]
    assert (course["course"]["side"], course["course"]["planned_sessions"]) == ("left", 4)
    worked.refused(
        "course", "edit", "1", "--reason", "x", "--sessions", "2", says="cannot be fewer"
    )
    worked.refused(
        "course",
        "edit",
        "1",
        "--reason",
        "x",
        "--date",
        "2026-02-01",
        says="after the course's first session",
    )
    worked.refused("course", "edit", "1", "--reason", "x", says="nothing to change")
    worked.refused("course", "edit", "1", "--side", "left", status=2, says="--reason")
    worked.ok("course", "close", "1", "--status", "completed", "--date", "2026-03-02")
    worked.refused("course", "reopen", "99", "--reason", "x", says="no course")
    worked.ok("course", "reopen", "1", "--reason", "closed the wrong course")
    assert worked.json("course", "list")[0]["status"] == "active"
    worked.refused("course", "reopen", "1", "--reason", "again", says="active already")
    audit = worked.json("audit", "--entity", "course", "--id", "1")
    reasons = {(a["action"], a["reason"]) for a in audit}
    assert {
        ("update", "typed the wrong side"),
        ("close", None),
        ("reopen", "closed the wrong course"),
    } <= reasons
    worked.ok("course", "void", "1", "--reason", "wrong patient")
    assert worked.json("course", "list") == []
    assert [c["id"] for c in worked.json("course", "list", "--status", "voided")] == [1]
    assert worked.json("session", "list") == []
    assert worked.json("report", "outcomes") == []
    assert worked.ok("export", "scores").stdout.strip().count("\n") == 0  # the header only
    worked.refused("log", "1", "--site", "MCL:0.5:D15", says="voided")
    worked.refused("course", "void", "1", "--reason", "again", says="voided")
    assert ("void", "wrong patient") in {
        (a["action"], a["reason"]) for a in worked.json("audit", "--entity", "course")
    }
    worked.ok("db", "check")


def test_a_bilateral_site_is_two_injections_of_the_full_volume(clinic):
    clinic.ok("patient", "add", "Alan Turing", "--chart", "A1")
    clinic.ok(
        "course",
        "start",
        "A1",
        "--condition",
        "bilateral knee osteoarthritis",
        "--side",
        "bilateral",
        "--protocol",
        "knee-oa-rabago",
        "--date",
        "2026-01-05",
    )
    clinic.ok("log", "A1", "--date", "2026-01-05")
    [session] = clinic.json("session", "list")
    assert (session["sites"], session["volume_ml"]) == (20, 21)  # 2 x (6 + 9 x 0.5)
    shown = clinic.json("session", "show", str(session["id"]))
    sides = {(i["site"], i["side"], i["volume_ml"]) for i in shown["injections"]}
    assert {("intra-articular", "left", 6), ("intra-articular", "right", 6)} <= sides
    assert not any(i["side"] == "bilateral" for i in shown["injections"])


def test_a_site_on_the_other_side_of_a_one_sided_course_is_warned(worked):
    result = worked.ok("log", "P-0001", "--site", "MCL:0.5:D15:left")
    assert "warning: site 'MCL' is on the left side, but course 1" in result.stderr
    assert "is for the right" in result.stderr
    worked.ok("course", "consent", "1", "--date", "2026-01-05")
    worked.ok("course", "edit", "1", "--sessions", "4", "--reason", "one more planned")
    quiet = worked.ok("log", "P-0001", "--date", "2026-03-19", "--site", "MCL:0.5:D15")
    assert "warning" not in quiet.stderr


def test_the_summary_reports_an_adverse_event_on_the_day_it_was_recorded(worked):
    """An event entered two days after its onset is in that day's mail, with its onset."""
    worked.ok("adverse", "add", "3", "flare", "--onset", "2026-03-18")
    day = worked.json("summary")
    [event] = day["adverse_events"]
    assert (event["onset"], event["recorded_on"], event["kind"]) == (
        "2026-03-18",
        "2026-03-20",
        "flare",
    )
    text = worked.ok("summary", "-f", "text").stdout
    assert (
        "2026-03-20 P-0001 Ada Lovelace, session 3 of course 1: flare (mild), onset"
        " 2026-03-18" in text
    )
    assert Clinic(worked.path, date(2026, 3, 18)).json("summary")["adverse_events"] == []


def test_adverse_events_are_listed_and_exported(worked):
    worked.ok("adverse", "add", "1", "flare", "--onset", "2026-01-06")
    worked.ok(
        "adverse",
        "add",
        "2",
        "infection",
        "--severity",
        "moderate",
        "--note",
        "left knee, oral antibiotics",
    )
    worked.ok("adverse", "resolve", "1", "--date", "2026-01-08")
    assert [e["kind"] for e in worked.json("adverse", "list")] == ["flare", "infection"]
    assert [e["kind"] for e in worked.json("adverse", "list", "--open")] == ["infection"]
    assert [e["kind"] for e in worked.json("adverse", "list", "--from", "2026-02-01")] == [
        "infection"
    ]
    lines = worked.ok("export", "adverse").stdout.splitlines()
    assert lines[0].lstrip("\ufeff").startswith("adverse_event_id,chart,name,course_id")
    assert "infection,moderate,true,2026-02-02,,2026-03-20" in lines[2]
    private = worked.ok("export", "adverse", "--deidentify").stdout
    assert "Ada" not in private and "antibiotics" not in private and "P-0001" not in private


def test_a_protocol_followed_by_an_active_course_cannot_be_removed(clinic):
    clinic.ok("protocol", "add", "my-knee", "--site", "MCL:0.5:D15", "--follow-up", "6w,6m")
    clinic.ok("patient", "add", "Ann Lee", "--chart", "A1")
    clinic.ok(
        "course",
        "start",
        "A1",
        "--condition",
        "knee",
        "--protocol",
        "my-knee",
        "--sessions",
        "1",
        "--date",
        "2026-01-05",
    )
    clinic.refused("protocol", "remove", "my-knee", says="followed by active 1 course (1)")
    clinic.ok("log", "A1", "--date", "2026-01-05")
    [course] = clinic.json("progress", "1")["courses"]
    assert [f["timepoint"] for f in course["follow_ups"]] == ["6w", "6m"]  # the protocol's
    clinic.ok("course", "close", "1", "--status", "completed", "--date", "2026-01-05")
    clinic.ok("protocol", "remove", "my-knee")


def test_the_demo_has_follow_ups_of_every_kind_and_a_bilateral_course(tmp_path):
    demo = Clinic(tmp_path / "demo.db", date(2026, 11, 30))
    demo.ok("demo", "--file", str(demo.path))
    found = {}
    for course in demo.json("course", "list"):
        [shown] = demo.json("progress", str(course["id"]))["courses"]
        found[course["id"]] = shown
    statuses = {f["status"] for c in found.values() for f in c["follow_ups"]}
    assert {"done", "due", "missed", "upcoming"} <= statuses
    assert sum(c["course"]["lost_to_follow_up"] for c in found.values()) == 1
    bilateral = next(c for c in found.values() if c["course"]["side"] == "bilateral")
    assert {(s["sites"], s["volume_ml"]) for s in bilateral["sessions"]} == {(20, 21)}
    kinds = {(d["kind"], d["timepoint"]) for d in demo.json("due", "--within", "4w")}
    assert ("follow-up", "12m") in kinds and ("session", None) in kinds


def test_the_worked_example_in_the_docs_is_what_prolotrack_computes(worked):
    """docs/progress.md's table of follow-up windows, row by row, against progress -f json."""
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "progress.md").read_text(encoding="utf-8")
    rows = [
        line.strip("| ").split(" | ")
        for line in doc.splitlines()
        if line.startswith(("| 3m |", "| 6m |", "| 12m |"))
    ]
    assert len(rows) == 3
    days = ("2026-03-20", "2026-06-05", "2026-10-20")
    shown = {day: later(worked, day).json("progress", "1")["courses"][0] for day in days}
    for n, (point, due, window, *statuses) in enumerate(rows):
        computed = [shown[day]["follow_ups"][n] for day in days]
        assert computed[0]["timepoint"] == point
        assert computed[0]["due"] == due
        assert " to ".join(computed[0]["window"]) == window
        for status, f, day in zip(statuses, computed, days, strict=True):
            assert status.split()[0] == f["status"], (point, day)
    assert shown["2026-10-20"]["course"]["lost_to_follow_up"] is True
