"""Signed records (SPEC, third edition, "Signed records"): a session signed, then changed only by
addenda; co-signatures; what is left unsigned; and ``db check`` holding each signature against
the session as it stands."""

import pytest

from tests import raw


@pytest.fixture
def signed(worked):
    """The worked example, its last session signed by Dr Rabago."""
    worked.ok("config", "set", "practitioner", "Dr Rabago")
    worked.ok("session", "sign", "1#3")
    return worked


def test_a_signature_needs_a_signer_and_shows_who_when_and_what_it_means(worked):
    worked.refused("session", "sign", "1#3", says="config set practitioner")
    worked.ok("config", "set", "practitioner", "Dr Rabago")
    said = worked.ok("session", "sign", "1#3", "--meaning", "approved").stderr
    assert "Signed session 1#3 (2026-03-02): approved: signed by Dr Rabago" in said
    [signature] = worked.json("session", "show", "1#3")["signatures"]
    assert signature["kind"] == "sign" and signature["meaning"] == "approved"
    assert signature["signer"] == "Dr Rabago" and signature["signed_at"].endswith("Z")
    assert len(signature["content_hash"]) == 64
    worked.refused("session", "sign", "1#3", says="already signed")
    worked.refused("session", "sign", "1#2", "--meaning", "glanced", says="meaning")
    assert [e["entity"] for e in worked.json("audit", "--entity", "signature")] == ["signature"]


def test_a_signed_session_is_changed_only_by_an_addendum(signed):
    message = signed.refused("session", "amend", "1#3", "--note", "x", "--reason", "typo",
                             says="signed by Dr Rabago")  # fmt: skip
    assert "prolotrack session addendum 1#3 --note TEXT" in message
    # its day's scores are part of what was signed: typed, derived, voided
    signed.refused("score", "add", "1", "nrs=2", "--date", "2026-03-02", says="signed by")
    signed.refused("score", "add", "1", "--form", "odi", "--answers", "1,1,1,1,1,1,1,1,1,1",
                   "--date", "2026-03-02", says="signed by")  # fmt: skip
    womac = next(s for s in signed.json("score", "list", "1") if s["date"] == "2026-03-02")
    signed.refused("score", "void", str(womac["id"]), "--reason", "x", says="signed by")
    signed.ok("score", "add", "1", "nrs=2", "--date", "2026-03-03")  # another day is free
    signed.ok("session", "amend", "1#2", "--note", "unsigned: amended", "--reason", "typo")
    said = signed.ok("session", "addendum", "1#3", "--note", "called: knee settled").stderr
    assert "addendum by Dr Rabago" in said
    kinds = [(g["kind"], g["note"]) for g in signed.json("session", "show", "1#3")["signatures"]]
    assert kinds == [("sign", None), ("addendum", "called: knee settled")]
    assert "ok" in signed.ok("db", "check").stdout  # an addendum changes nothing signed


def test_a_co_signature_is_anothers_after_the_signature(worked):
    worked.ok("config", "set", "practitioner", "Dr Rabago")
    worked.refused("session", "cosign", "1#3", says="not signed yet")
    worked.ok("session", "sign", "1#3")
    worked.refused("session", "cosign", "1#3", says="already carries Dr Rabago's signature")
    worked.ok("config", "set", "practitioner", "Dr Reeves")
    assert "reviewed: co-signed by Dr Reeves" in worked.ok("session", "cosign", "1#3").stderr
    kinds = [g["kind"] for g in worked.json("session", "show", "1#3")["signatures"]]
    assert kinds == ["sign", "cosign"]


def test_unsigned_sessions_are_listed_and_mine_are_signed_at_once(worked):
    worked.ok("config", "set", "practitioner", "Dr Rabago")
    assert [s["number"] for s in worked.json("session", "list", "--unsigned")] == [1, 2, 3]
    worked.ok("session", "amend", "1#2", "--by", "Dr Rabago", "--reason", "who gave it")
    worked.ok("session", "sign", "--mine")
    assert [s["number"] for s in worked.json("session", "list", "--unsigned")] == [1, 3]
    worked.refused("session", "sign", status=2, says="--mine")


def test_older_than_counts_whole_days_at_its_threshold(worked):
    """Today is 2026-03-20: the session of 2026-03-02 is 18 days old."""
    listed = lambda days: [  # noqa: E731
        s["date"] for s in worked.json("session", "list", "--unsigned", "--older-than", days)
    ]
    assert listed("17d") == ["2026-01-05", "2026-02-02", "2026-03-02"]
    assert listed("18d") == ["2026-01-05", "2026-02-02"]  # 18 days old is not older than 18
    worked.refused("session", "list", "--older-than", "3d", says="goes with --unsigned")


def test_voiding_a_signed_session_needs_its_reason_and_keeps_the_signature(signed):
    signed.ok("session", "void", "1#3", "--reason", "logged on the wrong patient")
    voided = signed.json("audit", "--entity", "session")[0]
    assert voided["action"] == "void" and voided["reason"] == "logged on the wrong patient"
    assert "ok" in signed.ok("db", "check").stdout


def _behind_the_back(clinic, table: str, statement: str) -> None:
    """Change a table as another program would, its audit triggers out of the way."""
    if isinstance(clinic.path, str):
        from tests.cli.test_postgresql import psql

        psql(clinic.path, f"ALTER TABLE {table} DISABLE TRIGGER USER", statement)
        return
    conn = raw.connect(clinic.path)
    for event in ("insert", "update", "delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS audit_{table}_{event}")
    conn.execute(statement)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        ("sessions", "UPDATE sessions SET note = 'rewritten' WHERE id = 3"),
        ("injections", "UPDATE injections SET volume_ml = 2 WHERE session_id = 3"),
        (
            "scores",
            "UPDATE scores SET value = 30 WHERE instrument = 'womac' AND date = '2026-03-02'",
        ),
    ],
    ids=["the session", "its sites", "its scores"],
)
def test_db_check_finds_a_signed_session_changed_behind_prolotracks_back(signed, table, statement):
    unsigned_change = "UPDATE sessions SET note = 'elsewhere' WHERE id = 1"
    assert "ok" in signed.ok("db", "check").stdout
    _behind_the_back(signed, table, statement)
    _behind_the_back(signed, "sessions", unsigned_change)  # session 1#1 is not signed
    found = signed.run("db", "check")
    assert found.exit_code == 3
    named = [line for line in found.stderr.splitlines() if "signature:" in line]
    assert len(named) == 1, found.stderr
    assert "session 1#3 (id 3) is not as Dr Rabago signed it" in named[0]


def test_summary_lists_sessions_unsigned_past_sign_within_once_the_clinic_signs(worked):
    """Today is 2026-03-20. A clinic that has never signed is not told of it every morning."""
    assert "unsigned" not in worked.json("summary")
    assert "Unsigned" not in worked.ok("summary", "-f", "text").stdout
    worked.ok("config", "set", "practitioner", "Dr Rabago")
    worked.ok("session", "sign", "1#1")
    worked.ok("log", "P-0001", "--date", "2026-03-17", "--site", "MCL:0.5:D15")  # 3 days old
    worked.ok("log", "P-0001", "--date", "2026-03-16", "--site", "MCL:0.5:D15")  # 4 days old
    listed = [(u["number"], u["date"]) for u in worked.json("summary")["unsigned"]]
    assert listed == [(2, "2026-02-02"), (3, "2026-03-02"), (4, "2026-03-16")]
    text = worked.ok("summary", "-f", "text").stdout
    assert "Unsigned after 3 days: 3" in text
    assert "2026-03-16 P-0001 Ada Lovelace, session 4 of course 1 (Dr Rabago)" in text
    worked.ok("config", "set", "sign-within", "0")  # a day old is past it
    assert len(worked.json("summary")["unsigned"]) == 4  # 1#1 is signed
    worked.refused("config", "set", "sign-within", "three", says="number of days")


def test_export_sessions_shows_each_signature_and_a_deidentified_one_none(worked):
    worked.ok("config", "set", "practitioner", "Dr Rabago")
    worked.ok("session", "sign", "1#3", "--meaning", "approved")
    worked.ok("config", "set", "practitioner", "Dr Reeves")
    worked.ok("session", "cosign", "1#3")
    worked.ok("session", "addendum", "1#3", "--note", "called")
    rows = {r["session_number"]: r for r in worked.json("export", "sessions")}
    assert (rows[3]["signed_by"], rows[3]["meaning"]) == ("Dr Rabago", "approved")
    assert (rows[3]["cosigned_by"], rows[3]["cosign_meaning"]) == ("Dr Reeves", "reviewed")
    assert rows[3]["signed_at"].endswith("Z") and rows[3]["addenda"] == 1
    assert rows[1]["signed_by"] is None and rows[1]["addenda"] == 0
    hidden = worked.ok("export", "sessions", "--deidentify").stdout
    assert "Rabago" not in hidden and "signed_by" not in hidden


def test_the_clinician_report_shows_each_signature_and_addendum(signed):
    signed.ok("session", "addendum", "1#3", "--note", "called: knee settled")
    page = signed.ok("report", "course", "1", "--for", "clinician").stdout
    assert "performed: signed by Dr Rabago" in page
    assert "addendum by Dr Rabago" in page and "called: knee settled" in page
    patients = signed.ok("report", "course", "1").stdout  # the patient's copy has no table
    assert "signed by" not in patients
