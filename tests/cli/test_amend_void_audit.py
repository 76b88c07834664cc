"""Records are amended, never silently overwritten: amend, void, and the audit log."""

import pytest

from prolotrack.storage import audit
from tests import raw


def test_amend_changes_fields_and_renumbers(worked):
    worked.ok(
        "session",
        "amend",
        "3",
        "--reason",
        "typed the wrong month",
        "--date",
        "2026-01-20",
        "--pain",
        "4",
        "--note",
        "checked against the paper chart",
    )
    sessions = worked.json("session", "list")
    assert [(s["id"], s["number"], s["date"]) for s in sessions] == [
        (1, 1, "2026-01-05"),
        (3, 2, "2026-01-20"),
        (2, 3, "2026-02-02"),
    ]
    shown = worked.json("session", "show", "3")
    assert shown["note"] == "checked against the paper chart"
    assert {s["instrument"]: (s["value"], s["date"]) for s in shown["scores"]} == {
        "nrs": (4, "2026-01-20"),
        "womac": (40, "2026-01-20"),
    }


def test_amend_replaces_sites_when_given(worked):
    worked.ok(
        "session",
        "amend",
        "2",
        "--reason",
        "MCL was 1 mL",
        "--site",
        "intra-articular:6:D25",
        "--site",
        "MCL:1:D15",
    )
    sites = worked.json("session", "show", "2")["injections"]
    assert [(s["site"], s["volume_ml"], s["side"]) for s in sites] == [
        ("intra-articular", 6, "right"),
        ("MCL", 1, "right"),
    ]


def test_amend_and_void_need_a_reason_and_something_to_do(worked):
    worked.refused("session", "amend", "2", "--reason", "  ", "--pain", "3", says="a reason is")
    worked.refused("session", "amend", "2", "--reason", "why", says="nothing to amend")
    worked.refused(
        "session",
        "amend",
        "2",
        "--reason",
        "x",
        "--date",
        "2026-03-02",
        says="already has session 3 on 2026-03-02",
    )
    result = worked.run("session", "void", "2")
    assert result.exit_code == 2 and "--reason" in result.stderr


def test_void_keeps_the_record_out_of_every_report(worked):
    worked.ok("session", "void", "3", "--reason", "logged twice")
    assert [s["number"] for s in worked.json("session", "list")] == [1, 2]
    listed = worked.json("session", "list", "--include-voided")
    assert [(s["id"], s["voided"], s["void_reason"]) for s in listed][-1] == (
        3,
        True,
        "logged twice",
    )
    outcomes = worked.json("progress", "P-0001")["courses"][0]["outcomes"]
    assert {o["instrument"]: o["latest"] for o in outcomes} == {"womac": 44, "nrs": 5}
    assert "2026-03-02" not in worked.ok("export", "injections").stdout
    assert len(worked.json("score", "list", "1")) == 4
    assert len(worked.json("score", "list", "1", "--include-voided")) == 6
    worked.refused("session", "amend", "3", "--reason", "x", "--pain", "2", says="is void")
    assert worked.json("session", "show", "3")["voided"] is True


def test_score_void(worked):
    worked.ok("score", "void", "6", "--reason", "form belonged to another patient")
    assert [s["value"] for s in worked.json("score", "list", "1", "--instrument", "womac")] == [
        52,
        44,
    ]
    worked.refused("score", "void", "6", "--reason", "again", says="already void")
    worked.refused("score", "void", "99", "--reason", "x", says="no score 99")


def test_audit_shows_every_change_with_its_reason(worked):
    worked.ok("config", "set", "practitioner", "Dr. Reeves")
    worked.ok("session", "amend", "2", "--reason", "pain misheard", "--pain", "6")
    worked.ok("session", "void", "3", "--reason", "logged twice")
    log = worked.json("audit")
    assert [e["id"] for e in log] == sorted((e["id"] for e in log), reverse=True)
    inserted = {e["entity"] for e in log if e["action"] == "insert"}
    assert inserted >= {"patient", "course", "session", "injection", "score", "setting"}
    amended = next(e for e in log if e["entity"] == "score" and e["reason"] == "pain misheard")
    assert (amended["before"]["value"], amended["after"]["value"]) == (5, 6)
    assert amended["practitioner"] == "Dr. Reeves" and amended["actor"]
    voided = [e for e in log if e["action"] == "void"]
    assert {(e["entity"], e["entity_id"]) for e in voided} == {
        ("session", "3"),
        ("score", "5"),
        ("score", "6"),
    }
    assert all(e["reason"] == "logged twice" for e in voided)
    session_2 = worked.json("audit", "--entity", "session", "--id", "2")
    assert [e["action"] for e in session_2] == ["insert"]  # the amend changed only its score
    assert worked.ok("audit").stdout.count("pain misheard") == 1


@pytest.mark.sqlite_only
def test_the_audit_log_is_append_only(worked):
    conn = raw.connect(worked.path)
    for statement in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(raw.errors("DatabaseError"), match="append-only"):
            conn.execute(statement)
    conn.close()


@pytest.mark.sqlite_only
def test_a_forged_row_breaks_the_chain_and_db_check_finds_it(worked):
    worked.ok("db", "check")
    conn = raw.connect(worked.path)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute(  # who made the score, changed: the row's hash no longer holds
        "UPDATE audit_log SET actor = 'someone else' WHERE entity = 'score' AND entity_id = '1'"
    )
    conn.commit()
    conn.close()
    result = worked.run("db", "check")
    assert result.exit_code == 3
    assert "audit log row" in result.stderr and "altered" in result.stderr
    assert "trigger audit_log_no_update is missing" in result.stderr


@pytest.mark.sqlite_only
def test_another_program_cannot_change_audited_tables(worked):
    conn = raw.connect(worked.path)
    with pytest.raises(raw.errors("OperationalError"), match=audit.HASH_FUNCTION):
        conn.execute("UPDATE patients SET name = 'Someone Else'")
    conn.close()


def test_amend_takes_a_protocol_as_log_does(worked):
    """SPEC: amend takes any field of log, --protocol included: its sites replace the old."""
    worked.ok(
        "session",
        "amend",
        "1#1",
        "--reason",
        "it was the Reeves protocol",
        "--protocol",
        "knee-oa-reeves",
    )
    shown = worked.json("session", "show", "1#1")
    assert [(i["site"], i["volume_ml"]) for i in shown["injections"]] == [("intra-articular", 9)]
    assert shown["injections"][0]["solution"] == "dextrose 10% + lidocaine 0.075%"
    worked.refused(
        "session", "amend", "1#1", "--reason", "x", "--protocol", "nosuch", says="nosuch"
    )
