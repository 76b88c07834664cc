"""prolotrack progress on the worked example, as the issue states it."""

import csv
import io


def test_progress_json_of_the_worked_example(worked):
    [course] = worked.json("progress", "P-0001")["courses"]
    outcomes = {o["instrument"]: o for o in course["outcomes"]}
    nrs, womac = outcomes["nrs"], outcomes["womac"]
    assert (nrs["baseline"], nrs["latest"], nrs["change"], nrs["improvement"]) == (7, 3, -4, 4)
    assert (nrs["improvement_pct"], nrs["mcid_reached"], nrs["responder"]) == (
        57.1,
        True,
        "substantial",
    )
    assert (womac["baseline"], womac["latest"], womac["improvement"]) == (52, 40, 12)
    assert (womac["improvement_pct"], womac["mcid_reached"], womac["responder"]) == (
        23.1,
        True,
        "minimal",
    )
    assert [s["week"] for s in course["sessions"]] == [0, 4, 8]
    assert all(s["sites"] == 3 and s["volume_ml"] == 7.0 for s in course["sessions"])
    assert course["sessions"][0]["scores"] == {"nrs": 7, "womac": 52}
    assert course["sessions_done"] == 3
    assert course["next_due"] is None
    assert course["course"]["patient"] == {"id": 1, "chart": "P-0001", "name": "Ada Lovelace"}
    assert course["course"]["interval"] == "4w"


def test_next_due_and_overdue(worked):
    worked.ok(
        "course",
        "start",
        "P-0001",
        "--condition",
        "left elbow",
        "--every",
        "4w",
        "--date",
        "2026-01-10",
    )
    worked.ok("log", "2", "--date", "2026-01-10", "--site", "lateral epicondyle:0.5:D15")
    course = worked.json("progress", "2")["courses"][0]
    assert (course["next_due"], course["days_overdue"]) == ("2026-02-07", 41)
    table = worked.ok("progress", "2").stdout
    assert "overdue by 41 days" in table


def test_a_patient_with_several_courses_gets_a_block_each(worked):
    worked.ok("course", "start", "P-0001", "--condition", "left elbow", "--date", "2026-03-01")
    courses = worked.json("progress", "Lovelace")["courses"]
    assert [c["course"]["condition"] for c in courses] == [
        "right knee osteoarthritis",
        "left elbow",
    ]


def test_measure_narrows_and_follow_ups_count_as_latest(worked):
    worked.ok("course", "close", "1", "--status", "completed", "--date", "2026-03-02")
    worked.ok("score", "add", "1", "womac=30", "--date", "2026-03-16")
    [course] = worked.json("progress", "1", "--measure", "womac")["courses"]
    assert [o["instrument"] for o in course["outcomes"]] == ["womac"]
    assert course["outcomes"][0]["latest"] == 30
    # two weeks after the last session: a visit, not yet a follow-up timepoint's window
    assert course["visits"] == [
        {"date": "2026-03-16", "week": 10, "scores": {"womac": 30}, "derived": []}  # typed
    ]
    assert [f["status"] for f in course["follow_ups"]] == ["upcoming"] * 3
    worked.refused("progress", "1", "--measure", "koos", says="unknown instrument")


def test_progress_table_and_csv(worked):
    table = worked.ok("progress", "P-0001").stdout
    for expected in (
        "52 → 40",
        "23.1",
        "57.1",
        "substantial",
        "minimal",
        "12% = 6.24",
        "Sessions 3 of 3",
        "▅▄▄",
    ):
        assert expected in table, expected
    rows = list(csv.DictReader(io.StringIO(worked.ok("progress", "1", "-f", "csv").stdout)))
    assert [(r["number"], r["week"], r["volume_ml"], r["womac"], r["nrs"]) for r in rows] == [
        ("1", "0", "7", "52", "7"),
        ("2", "4", "7", "44", "5"),
        ("3", "8", "7", "40", "3"),
        ("3m", "21", "", "", ""),
        ("6m", "34", "", "", ""),
        ("12m", "60", "", "", ""),
    ]
    assert [r["follow_up"] for r in rows] == ["", "", "", "upcoming", "upcoming", "upcoming"]


def test_progress_of_nothing(worked):
    worked.refused("progress", "99999", says="no course or patient matches '99999'")
