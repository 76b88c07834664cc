"""The worked example of the foundation issue, end to end."""


def test_sessions_are_numbered_in_date_order_with_iso_dates(worked):
    sessions = worked.json("session", "list")
    assert [(s["number"], s["date"]) for s in sessions] == [
        (1, "2026-01-05"),
        (2, "2026-02-02"),
        (3, "2026-03-02"),
    ]
    assert all(s["sites"] == 3 and s["volume_ml"] == 7 for s in sessions)
    assert sessions[0]["solutions"] == ["dextrose 15%", "dextrose 25%"]


def test_session_show_has_each_site_with_course_side_and_expanded_solution(worked):
    shown = worked.json("session", "show", "1")
    assert [(i["site"], i["side"], i["solution"], i["volume_ml"]) for i in shown["injections"]] == [
        ("intra-articular", "right", "dextrose 25%", 6),
        ("MCL", "right", "dextrose 15%", 0.5),
        ("pes anserine", "right", "dextrose 15%", 0.5),
    ]
    assert {s["instrument"]: s["value"] for s in shown["scores"]} == {"nrs": 7, "womac": 52}


def test_course_show_counts_sessions_done_of_planned(worked):
    shown = worked.json("course", "show", "P-0001")
    assert shown["sessions_done"] == 3
    assert shown["planned_sessions"] == 3
    assert shown["interval"] == "4w"
    assert shown["started_on"] == "2026-01-05"
    assert [s["number"] for s in shown["sessions"]] == [1, 2, 3]


def test_scores_list_by_date(worked):
    scores = worked.json("score", "list", "P-0001", "--instrument", "womac")
    assert [(s["date"], s["value"]) for s in scores] == [
        ("2026-01-05", 52),
        ("2026-02-02", 44),
        ("2026-03-02", 40),
    ]
