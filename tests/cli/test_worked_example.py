"""The worked example of the foundation issue, end to end."""

from datetime import date

from tests.conftest import Clinic


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


def test_each_session_says_what_it_gave(worked):
    """6 mL of D25 and 2 x 0.5 mL of D15: 1.5 g + 0.15 g of dextrose a session."""
    worked.ok(
        "log",
        "P-0001",
        "--date",
        "2026-03-16",
        "--site",
        "MCL:2:lidocaine, 1%",
        "--site",
        "intra-articular:6:dextrose 25% + lidocaine 0.2%",
    )
    assert worked.json("session", "show", "1")["totals"] == {"dextrose_g": 1.65}
    assert worked.json("session", "show", "4")["totals"] == {"dextrose_g": 1.5, "lidocaine_mg": 32}
    assert "dextrose 1.50 g, lidocaine 32 mg" in worked.ok("session", "show", "4").stdout
    [course] = worked.json("progress", "1")["courses"]
    assert [s["totals"] for s in course["sessions"]][-2:] == [
        {"dextrose_g": 1.65},
        {"dextrose_g": 1.5, "lidocaine_mg": 32},
    ]
    rows = worked.ok("export", "sessions").stdout.splitlines()
    assert rows[0].endswith(",dextrose_g,lidocaine_mg,bupivacaine_mg,ropivacaine_mg,procaine_mg")
    assert rows[-1].endswith(",1.5,32,,,")
    day = Clinic(worked.path, date(2026, 3, 16)).json("summary")
    assert day["totals"]["agents"] == {"dextrose_g": 1.5, "lidocaine_mg": 32}
