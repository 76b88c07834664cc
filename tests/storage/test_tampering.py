"""Tampering with the file, as someone with a copy of it (but not its key) would: every kind is
found by ``db check``, which exits non-zero and names what it found."""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prolotrack.storage import audit
from tests import raw

pytestmark = pytest.mark.sqlite_only  # about the SQLite file itself


def _attacker(path):
    """A connection as another program has it: a function of the chain's name (plain SHA-256,
    since the key is not in the file), a context filled in, the log's guards dropped."""
    conn = raw.connect(path, isolation_level=None)
    for name in (audit.HASH_FUNCTION, "prolotrack_chain"):  # the last release's name too
        conn.create_function(name, 1, audit.sha256)
    conn.execute("INSERT OR REPLACE INTO audit_context (id, actor) VALUES (1, 'mallory')")
    _GUARDS[path] = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master"
            " WHERE name IN ('audit_log_no_update', 'audit_log_no_delete')"
        )
    ]
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    return conn


_GUARDS = {}


def _restore_guards(conn):
    """Put the log's guards back, as a careful forger would."""
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    if "audit_log_no_update" in present:
        return
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    for sql in _GUARDS.pop(next(p for p in _GUARDS if str(p) == path)):
        conn.execute(sql)  # the very text SQLite had: the schema is as it was


def _compact(conn) -> bool:
    """Whether the log is of the compact format (migration 0014 on) or the last release's."""
    return "prev_hash" not in {r[1] for r in conn.execute("PRAGMA table_info(audit_log)")}


def _recompute_chain(conn, from_id=1):
    """Rewrite every hash from ``from_id`` on, as a forger without the key can."""
    if not _compact(conn):
        return _recompute_chain_of_the_last_release(conn, from_id)
    fields = ("at", "actor", "practitioner", "entity", "entity_id", "action", "before", "after")
    fields += ("reason",)
    last = conn.execute(
        "SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1", [from_id]
    ).fetchone()
    previous = last[0].hex() if last else ""
    rows = conn.execute(
        f"SELECT id, {', '.join(fields)} FROM audit_log WHERE id >= ? ORDER BY id", [from_id]
    ).fetchall()
    for row in rows:
        text = "|".join([previous, *("" if v is None else str(v) for v in row[1:])])
        digest = hashlib.sha256(text.encode()).digest()
        conn.execute("UPDATE audit_log SET hash = ? WHERE id = ?", [digest, row[0]])
        previous = digest.hex()


def _recompute_chain_of_the_last_release(conn, from_id):
    fields = ("prev_hash", "at", "actor", "practitioner", "entity", "entity_id", "action")
    fields += ("before", "after", "reason")
    previous = conn.execute(
        "SELECT coalesce((SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1), '')",
        [from_id],
    ).fetchone()[0]
    rows = conn.execute(
        f"SELECT id, {', '.join(fields)} FROM audit_log WHERE id >= ? ORDER BY id", [from_id]
    ).fetchall()
    conn.execute("UPDATE audit_log SET hash = 'x' || id WHERE id >= ?", [from_id])  # UNIQUE
    for row in rows:
        values = dict(zip(fields, row[1:], strict=True), prev_hash=previous)
        text = "|".join("" if values[k] is None else str(values[k]) for k in fields)
        digest = hashlib.sha256(text.encode()).hexdigest()
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", [previous, digest, row[0]]
        )
        previous = digest


def _behind_the_triggers(conn, table, sql):
    """Drop a table's audit triggers, change it, put the very same triggers back."""
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"
        " AND name LIKE 'audit_%'",
        [table],
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(sql)
    for _, text in triggers:
        conn.execute(text)


def delete_last_row(conn):
    conn.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")


def delete_last_ten_rows(conn):
    conn.execute("DELETE FROM audit_log WHERE id > (SELECT max(id) - 10 FROM audit_log)")


def delete_whole_log(conn):
    conn.execute("DELETE FROM audit_log")


def delete_first_row(conn):
    conn.execute("DELETE FROM audit_log WHERE id = 1")


def reorder_two_rows(conn):
    conn.execute("UPDATE audit_log SET id = -1 WHERE id = 5")
    conn.execute("UPDATE audit_log SET id = 5 WHERE id = 6")
    conn.execute("UPDATE audit_log SET id = 6 WHERE id = -1")


def insert_forged_row(conn):
    if not _compact(conn):
        last = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]
        conn.execute(
            "INSERT INTO audit_log (at, actor, entity, entity_id, action, after, prev_hash, hash)"
            " VALUES ('2026-03-01T00:00:00.000Z', 'nobody', 'score', '99', 'insert', '{}', ?, ?)",
            [last, hashlib.sha256(b"forged").hexdigest()],
        )
        return
    conn.execute(
        "INSERT INTO audit_log (at, actor, entity, entity_id, action, after, hash)"
        " VALUES ('2026-03-01T00:00:00.000Z', 'nobody', 'score', '99', 'insert', '{}', ?)",
        [hashlib.sha256(b"forged").digest()],
    )


def edit_row_and_recompute_chain(conn):
    conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE entity = 'score'")
    _recompute_chain(conn)


def edit_row_timestamp(conn):
    conn.execute("UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' WHERE id = 3")


def edit_session_behind_triggers(conn):
    _behind_the_triggers(conn, "sessions", "UPDATE sessions SET date = '2026-01-06' WHERE id = 1")


def edit_volume_behind_triggers(conn):
    _behind_the_triggers(conn, "injections", "UPDATE injections SET volume_ml = 9 WHERE id = 1")


def edit_score_behind_triggers(conn):
    _behind_the_triggers(conn, "scores", "UPDATE scores SET value = 1 WHERE id = 1")


def edit_patient_behind_triggers(conn):
    _behind_the_triggers(conn, "patients", "UPDATE patients SET born = '1960-01-01'")


def add_score_behind_triggers(conn):
    _behind_the_triggers(
        conn,
        "scores",
        "INSERT INTO scores (course_id, instrument, value, date,"
        " created_at) VALUES (1, 'nrs', 0, '2026-03-10', 'x')",
    )


def remove_score_behind_triggers(conn):
    _behind_the_triggers(conn, "scores", "DELETE FROM scores WHERE id = 2")


def drop_an_audit_trigger(conn):
    conn.execute("DROP TRIGGER audit_scores_update")


def change_an_audit_trigger(conn):
    conn.execute("DROP TRIGGER audit_scores_update")
    conn.execute(
        "CREATE TRIGGER audit_scores_update AFTER UPDATE OF value ON scores BEGIN SELECT 1; END"
    )


def edit_with_registered_hash_function(conn):
    _restore_guards(conn)
    conn.execute("UPDATE injections SET volume_ml = 0.1 WHERE id = 2")


def edit_audit_context(conn):
    _restore_guards(conn)
    conn.execute("UPDATE audit_context SET actor = 'dr-house', reason = 'routine' WHERE id = 1")
    conn.execute("UPDATE sessions SET note = 'all well' WHERE id = 2")


def change_the_schema(conn):
    conn.execute("ALTER TABLE patients ADD COLUMN insurer TEXT")


def swap_two_records_values(conn):
    _behind_the_triggers(conn, "scores", "UPDATE scores SET value = 10 - value")


def renumber_a_session(conn):
    conn.execute("UPDATE sessions SET number = 7 WHERE id = 1")  # no trigger logs a number


def change_when_a_session_was_updated(conn):
    conn.execute("UPDATE sessions SET updated_at = '2020-01-01T00:00:00Z' WHERE id = 1")


def offer_a_site_name_never_used(conn):
    conn.execute("INSERT INTO site_names (name, first_used) VALUES ('Elm Street', 'x')")


def take_a_used_site_name_away(conn):
    conn.execute("DELETE FROM site_names WHERE name = 'MCL'")


def lower_the_schema_version(conn):
    conn.execute("PRAGMA user_version = 3")


def change_the_pseudonym_key(conn):
    conn.execute("UPDATE secrets SET value = 'x' WHERE name = 'pseudonym-key'")


def remove_the_pseudonym_key(conn):
    conn.execute("DELETE FROM secrets WHERE name = 'pseudonym-key'")


# each kind, with what db check must say of it
TAMPERING = [
    (delete_last_row, "rows were removed"),
    (delete_last_ten_rows, "rows were removed"),
    (delete_whole_log, "rows were removed"),
    (delete_first_row, "does not follow"),
    (reorder_two_rows, "does not follow"),
    (insert_forged_row, "altered or forged"),
    (edit_row_and_recompute_chain, "altered or forged"),
    (edit_row_timestamp, "altered or forged"),
    (edit_session_behind_triggers, "session 1 differs from its last audit row"),
    (edit_volume_behind_triggers, "injection 1 differs from its last audit row"),
    (edit_score_behind_triggers, "score 1 differs from its last audit row"),
    (edit_patient_behind_triggers, "patient 1 differs from its last audit row"),
    (add_score_behind_triggers, "has no audit row"),
    (remove_score_behind_triggers, "score 2 is in the audit log but gone"),
    (drop_an_audit_trigger, "trigger audit_scores_update is missing"),
    (change_an_audit_trigger, "audit_scores_update is not as prolotrack wrote it"),
    (edit_with_registered_hash_function, "altered or forged"),
    (edit_audit_context, "altered or forged"),
    (change_the_schema, "schema"),
    (swap_two_records_values, "differs from its last audit row"),
    (renumber_a_session, "session 1 is numbered 7, but its date makes it session 1"),
    (change_when_a_session_was_updated, "session 1 differs from its last audit row"),
    (offer_a_site_name_never_used, "'Elm Street' is offered but was never used"),
    (take_a_used_site_name_away, "'MCL' is used but missing from the site names"),
    (lower_the_schema_version, "schema version 3"),
    (change_the_pseudonym_key, "a secret of the record"),
    (remove_the_pseudonym_key, "a secret of the record"),
]


def _db_check(path):
    program = Path(sys.executable).parent / "prolotrack"
    return subprocess.run(
        [str(program), "--db", str(path), "db", "check"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_untouched_file_is_ok(worked):
    assert _db_check(worked.path).returncode == 0


@pytest.mark.parametrize(("tamper", "found"), TAMPERING, ids=[t.__name__ for t, _ in TAMPERING])
def test_db_check_finds_every_kind_of_tampering(worked, tamper, found):
    conn = _attacker(worked.path)
    tamper(conn)
    _restore_guards(conn)
    conn.close()
    result = _db_check(worked.path)  # as a user runs it: the installed program
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "problem" in lines[-1]
    assert any(found in line for line in lines[:-1]), lines


def test_an_older_copy_put_in_the_files_place_is_found(worked, tmp_path):
    """Rolling the file back to an earlier copy takes rows off the end of the log."""
    earlier = tmp_path / "earlier.db"
    shutil.copy(worked.path, earlier)
    worked.ok("score", "add", "P-0001", "nrs=2", "--date", "2026-03-19")
    shutil.copy(earlier, worked.path)
    result = worked.run("db", "check")
    assert result.exit_code == 3
    assert "rows were removed" in result.stderr


def test_a_write_on_a_tampered_log_is_refused(worked):
    conn = _attacker(worked.path)
    delete_last_ten_rows(conn)
    _restore_guards(conn)
    conn.close()
    worked.refused("patient", "add", "Grace Hopper", status=3, says="db check")


def test_a_change_behind_prolotracks_back_is_never_logged_under_the_last_user(worked):
    """The context is emptied as each command ends: an outside UPDATE finds no one to log."""
    conn = raw.connect(worked.path)
    conn.create_function(audit.HASH_FUNCTION, 1, audit.sha256)
    assert conn.execute("SELECT count(*) FROM audit_context").fetchone()[0] == 0
    with pytest.raises(raw.errors("IntegrityError"), match=r"audit_log\.actor"):
        conn.execute("UPDATE sessions SET note = 'x' WHERE id = 1")
    conn.close()
