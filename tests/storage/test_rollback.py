"""Trust holes (issue 26): an older copy put in the record's place, a head made up from it, a
backup stripped of its sealed head, a record laundered through an ordinary edit, a secret
changed. Each tampering is done as an outsider would (Python's sqlite3, plain file copies) and
met through the installed command."""

import json
import random
import shutil

import pytest

from prolotrack.storage import chain, keys
from prolotrack.storage.connection import FileDatabase
from tests import raw
from tests.storage.test_tampering import _behind_the_triggers

pytestmark = pytest.mark.sqlite_only  # about the SQLite file and the files beside it


@pytest.fixture
def earlier(worked, installed, tmp_path):
    """A plain copy of the file taken before one more session was logged."""
    copy = tmp_path / "earlier.db"
    shutil.copy(worked.path, copy)
    installed.ok("log", "P-0001", "--site", "MCL:1:D15", "--pain", "3")
    return copy


def _head_file():
    [found] = keys.folder().glob("*.head")
    return found


def test_an_older_copy_without_its_head_is_refused_and_found(worked, installed, earlier):
    shutil.copy(earlier, worked.path)
    _head_file().unlink()
    installed.refused("patient", "add", "Grace Hopper", status=3, says="no head is recorded")
    checked = installed.run("db", "check")
    assert checked.exit_code == 3 and "no head is recorded" in checked.stderr


def test_a_copy_at_another_path_takes_no_write_until_brought_in(worked, installed, earlier):
    moved = installed.__class__(earlier, installed.today)
    moved.refused("patient", "add", "Grace Hopper", status=3, says="no head is recorded")


def test_a_head_made_up_from_the_older_copys_own_log_does_not_hold(worked, installed, earlier):
    conn = raw.connect(earlier)
    made_up = chain.head(FileDatabase(conn, execute_plugins=False), None)
    conn.close()
    shutil.copy(earlier, worked.path)
    _head_file().write_text(made_up.to_json() + "\n")  # as the head files once were: plain
    installed.refused("patient", "add", "Grace Hopper", status=3, says="not one prolotrack sealed")
    checked = installed.run("db", "check")
    assert checked.exit_code == 3 and "written or changed outside prolotrack" in checked.stderr


def test_a_backup_stripped_of_its_sealed_head_is_not_restored(worked, installed, tmp_path):
    backup = tmp_path / "b.db"
    installed.ok("db", "backup", str(backup))
    conn = raw.connect(backup, isolation_level=None)
    conn.execute("DELETE FROM secrets WHERE name = 'audit-head'")
    [guard] = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'audit_log_no_delete'"
    ).fetchone()
    conn.execute("DROP TRIGGER audit_log_no_delete")
    [(last_id, entity, entity_id)] = conn.execute(
        "SELECT id, entity, entity_id FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchall()
    assert entity == "score"  # the worked example ends with its scores
    _behind_the_triggers(conn, "scores", f"DELETE FROM scores WHERE id = {entity_id}")
    conn.execute("DELETE FROM audit_log WHERE id = ?", [last_id])
    conn.execute(guard)
    conn.close()
    message = installed.refused("db", "restore", str(backup), says="not a sound prolotrack")
    assert "carries no head sealed" in message


def test_a_record_changed_behind_the_triggers_takes_no_write(worked, installed):
    conn = raw.connect(worked.path, isolation_level=None)
    _behind_the_triggers(conn, "sessions", "UPDATE sessions SET note = 'edited' WHERE id = 1")
    conn.close()
    message = installed.refused(
        "session",
        "amend",
        "1",
        "--note",
        "fine",
        "--reason",
        "typo",
        status=3,
        says="session 1 differs from its last audit row",
    )
    assert "db check --accept" in message


def test_a_laundered_record_is_still_found(worked, installed):
    """Even with the note of the file's identity forged, so that the edit goes through, the
    edit's "before" is not what the change before it left."""
    conn = raw.connect(worked.path, isolation_level=None)
    _behind_the_triggers(conn, "sessions", "UPDATE sessions SET note = 'edited' WHERE id = 1")
    conn.close()
    note = worked.path.with_name(f".{worked.path.name}.verified")
    from prolotrack.storage import health

    note.write_text(json.dumps(health._identity(worked.path)))
    installed.ok("session", "amend", "1", "--note", "fine", "--reason", "typo")
    checked = installed.run("db", "check")
    assert checked.exit_code == 3
    assert "starts from values that change" in checked.stderr, checked.stderr


def test_a_changed_secret_takes_no_write_and_a_missing_one_says_so(worked, installed):
    conn = raw.connect(worked.path, isolation_level=None)
    conn.execute("DELETE FROM secrets WHERE name = 'pseudonym-key'")
    conn.close()
    installed.refused("patient", "add", "Grace Hopper", status=3, says="a secret of the record")
    message = installed.refused(
        "export",
        "patients",
        "--deidentify",
        status=3,
        says="key of this file's pseudonyms is missing",
    )
    assert "db check" in message


def test_findings_accepted_with_a_reason_let_writes_go_on_and_are_logged(worked, installed):
    conn = raw.connect(worked.path, isolation_level=None)
    _behind_the_triggers(conn, "sessions", "UPDATE sessions SET note = 'mended' WHERE id = 1")
    conn.execute("UPDATE sessions SET number = 9 WHERE id = 1")
    conn.execute("INSERT INTO site_names (name, first_used) VALUES ('Elm Street', 'x')")
    conn.close()
    installed.refused("patient", "add", "Grace Hopper", status=3, says="db check")
    installed.refused("db", "check", "--accept", " ", status=1, says="needs a reason")
    taken = installed.ok("db", "check", "--accept", "note mended by hand from the paper chart")
    assert "3 findings accepted" in taken.stdout
    assert "accepted: record: session 1 differs from its last audit row" in taken.stderr
    installed.ok("db", "check")
    installed.ok("patient", "add", "Grace Hopper")
    session = installed.json("session", "show", "1")
    assert session["number"] == 1 and session["note"] == "mended"
    [row] = [
        r
        for r in installed.json("audit", "--entity", "session", "--id", "1")
        if r["action"] == "accept"
    ]
    assert row["reason"] == "note mended by hand from the paper chart"
    # what the record was is not kept (the log proves the record by its hash; a backup holds it)
    assert row["after"]["note"] == "mended" and row["before"] is None
    assert installed.ok("db", "check", "--accept", "again").stdout.endswith("nothing to accept\n")


def test_a_rolled_back_file_accepted_takes_a_head_and_damage_is_not_accepted(
    worked, installed, earlier
):
    shutil.copy(earlier, worked.path)
    installed.refused("patient", "add", "Grace Hopper", status=3, says="rows were removed")
    installed.ok("db", "check", "--accept", "the laptop's copy is the record from now on")
    installed.ok("patient", "add", "Grace Hopper")
    installed.ok("db", "check")
    data = bytearray(worked.path.read_bytes())  # a page in the middle overwritten
    page = int.from_bytes(data[16:18], "big")
    middle = (len(data) // page // 2) * page
    data[middle : middle + page] = random.Random(7).randbytes(page)
    worked.path.write_bytes(bytes(data))
    installed.refused("db", "check", "--accept", "x", status=3, says="restore a backup")


def test_a_file_that_fails_its_check_is_not_backed_up_and_the_good_copies_stay(worked, installed):
    for _ in range(3):
        installed.ok("db", "backup")
    folder = worked.path.parent / "backups"
    good = sorted(folder.iterdir())
    conn = raw.connect(worked.path, isolation_level=None)
    _behind_the_triggers(conn, "scores", "UPDATE scores SET value = 1 WHERE id = 1")
    conn.close()
    message = installed.refused("db", "backup", status=3, says="fails its check")
    assert "score 1 differs from its last audit row" in message
    for _ in range(10):  # more than the rotation keeps, as a nightly cron would
        worked.refused("db", "backup", status=3, says="fails its check")
    assert sorted(folder.iterdir()) == good
