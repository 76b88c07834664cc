"""What prolotrack says, in the practitioner's words: sessions named as progress numbers them,
confirmations that say which patient, singular and plural, values as they were typed."""

import json
from datetime import date


def test_a_session_is_named_course_hash_n_everywhere_a_session_is_taken(worked):
    second = worked.json("session", "show", "P-0001#2")
    assert second["number"] == 2 and second["date"] == "2026-02-02"
    assert worked.json("session", "show", "1#3")["date"] == "2026-03-02"
    worked.ok("score", "add", "1", "womac=41", "--session", "1#3", "--date", "2026-03-03")
    worked.ok("adverse", "add", "P-0001#1", "bruising")
    assert [e["kind"] for e in worked.json("session", "show", "1#1")["adverse_events"]] == [
        "bruising"
    ]
    amended = worked.ok("session", "amend", "P-0001#2", "--reason", "typo", "--note", "ok")
    assert "session 2 of course 1 (right knee osteoarthritis) of Ada Lovelace (P-0001)" in (
        amended.stderr
    )
    voided = worked.ok("session", "void", "1#2", "--reason", "wrong patient")
    assert "Voided session 2: session 2 of course 1 (right knee osteoarthritis)" in voided.stderr
    assert "Ada Lovelace (P-0001), on 2026-02-02" in voided.stderr
    # the course is renumbered: its second session is now the one of 2 March
    assert worked.json("session", "show", "1#2")["date"] == "2026-03-02"
    worked.refused("session", "show", "1#3", says="has no session 3 (it has 2 sessions)")
    worked.refused("session", "show", "1#x", says="COURSE#N")


def test_one_is_singular(clinic):
    clinic.ok("patient", "add", "Ada Lovelace", "--chart", "P-1")
    clinic.ok(
        "course",
        "start",
        "P-1",
        "--condition",
        "knee pain",
        "--date",
        "2026-03-01",
        "--every",
        "4w",
        "--sessions",
        "3",
    )
    logged = clinic.ok("log", "P-1", "--date", "2026-03-19", "--site", "MCL:0.5:D15")
    assert ": 1 site, 0.5 mL" in logged.stderr
    text = clinic.ok("summary", "--date", "2026-03-19", "-f", "text").stdout
    assert "Totals: 1 session, 1 patient, 1 injection, 0.5 mL" in text
    shown = clinic.ok("progress", "P-1").stdout
    assert "(in 27 days)" in shown
    from tests.conftest import Clinic

    tomorrow = Clinic(clinic.path, today=date(2026, 4, 15))
    assert "(in 1 day)" in tomorrow.ok("progress", "P-1").stdout
    late = Clinic(clinic.path, today=date(2026, 4, 17))
    assert "(overdue by 1 day)" in late.ok("progress", "P-1").stdout
    assert "1 day overdue" in late.ok("summary", "-f", "text").stdout


def test_the_audit_shows_values_as_typed(worked):
    worked.ok("session", "amend", "1#1", "--reason", "was guided", "--guidance", "ultrasound")
    worked.ok("score", "void", "1", "--reason", "typo")
    table = worked.ok("audit", "--entity", "session").stdout
    assert "guidance: (none) → ultrasound" in table
    assert "None" not in table and "'" not in table
    rows = json.loads(worked.ok("audit", "--entity", "score", "-f", "json").stdout)
    assert rows[0]["action"] == "void"
