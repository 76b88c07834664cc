"""A file whose audit log is of the last release's format is rebuilt compact by the next command
(migration 0014): the old chain checked first, its head carried into the new chain, the new
chain checked whole, all of it or nothing; every kind of tampering made before is still found.

The file is the fixture ``sqlite-0013.sql``: the worked example recorded by prolotrack at schema
0013 (the last release of the log's old format, commit 8c88444) and dumped with ``sqlite3
.dump``; its machine's audit key is ``sqlite-0013.key``. The head of its log is recorded here as
that machine had it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from prolotrack.storage import audit, chain, health, keys, schema
from prolotrack.storage.connection import FileDatabase
from tests import raw
from tests.storage.test_tampering import TAMPERING, _attacker, _db_check, _restore_guards

pytestmark = pytest.mark.sqlite_only  # the file's log; a server's is upgraded in test_upgrade

FIXTURES = Path(__file__).parent.parent / "fixtures"
FILE_ID = "6e9598d9-3fd4-4e8e-8c21-280987ce366c"
LAST_RELEASE = schema.KNOWN.index("0014_compact_audit_log")


@pytest.fixture
def released(installed):
    """The worked example as the last release left it, with its key and head on this machine."""
    conn = raw.connect(installed.path, isolation_level=None)
    conn.executescript((FIXTURES / "sqlite-0013.sql").read_text())
    conn.close()
    keys.folder().mkdir(parents=True, exist_ok=True, mode=0o700)
    key_file = keys.key_path(FILE_ID)
    key_file.write_text((FIXTURES / "sqlite-0013.key").read_text())
    key_file.chmod(0o600)
    with _opened(installed.path) as db:
        keys.save_head(FILE_ID, installed.path, chain.head(db, None))
    health.note(installed.path)  # as prolotrack last left it
    return installed


class _opened:
    def __init__(self, path):
        self.conn = raw.connect(path, isolation_level=None)

    def __enter__(self) -> FileDatabase:
        return FileDatabase(self.conn, execute_plugins=False)

    def __exit__(self, *exc):
        self.conn.close()


def _log(path) -> list[dict]:
    conn = raw.connect(path)
    cursor = conn.execute("SELECT * FROM audit_log ORDER BY id")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor]
    conn.close()
    return rows


def test_the_fixture_is_of_the_last_release(released):
    with _opened(released.path) as db:
        assert schema.version(db) == LAST_RELEASE == len(schema.applied(db))
        assert not chain.rebuilt(db)
    assert _db_check(released.path).returncode == 3  # only its schema, not yet migrated
    assert "not yet migrated (0014_compact_audit_log pending)" in _db_check(released.path).stderr


def test_the_next_command_rebuilds_the_log_and_it_checks_whole(released):
    old = _log(released.path)
    sessions = released.json("session", "list")  # a read upgrades first

    new = _log(released.path)
    assert len(new) == len(old) + 2  # the anchor first, the upgrade last
    anchor, upgrade = new[0], new[-1]
    assert (anchor["entity"], anchor["action"]) == audit.REBUILT
    assert json.loads(anchor["before"]) == {
        "rows": len(old),
        "last_id": old[-1]["id"],
        "hash": old[-1]["hash"],
    }
    assert (upgrade["entity"], upgrade["action"]) == audit.UPGRADED
    for was, now in zip(old, new[1:-1], strict=True):  # every row, as it was, but for ...
        for field in ("id", "at", "actor", "practitioner", "entity", "entity_id", "action"):
            assert now[field] == was[field]
        assert "prev_hash" not in now and len(now["hash"]) == 32
    inserts = [r for r in new if r["action"] == "insert"]
    assert inserts and all(r["after"] is None for r in inserts)  # the record holds it
    assert _db_check(released.path).returncode == 0, _db_check(released.path).stderr
    # what the log showed is what it shows: the values after each insert, read back
    shown = {(r["entity"], r["entity_id"]): r for r in released.json("audit")}
    for was in old:
        if was["action"] == "insert" and was["entity"] == "injection":
            after = shown[("injection", was["entity_id"])]["after"]
            logged = {k: v for k, v in json.loads(was["after"]).items() if v is not None}
            assert after == logged
    assert sorted(s["number"] for s in sessions) == [1, 2, 3]
    released.ok("session", "void", "2", "--reason", "entered on the wrong patient")
    assert _db_check(released.path).returncode == 0


def test_the_rebuilt_log_is_smaller(released):
    before = _log_bytes(released.path)
    released.ok("patient", "list")
    assert _log_bytes(released.path) < before / 2


def _log_bytes(path) -> int:
    """What the log's rows hold, in bytes (the index on the hash aside)."""
    return sum(len(v) for row in _log(path) for v in row.values() if isinstance(v, str | bytes))


@pytest.mark.parametrize(("tamper", "found"), TAMPERING, ids=[t.__name__ for t, _ in TAMPERING])
def test_a_tampering_made_before_the_rebuild_is_still_found_after_it(released, tamper, found):
    """Even with the log's guards put back and the note of the file's identity forged, so that
    the command upgrades the file without the full check a file changed outside prolotrack
    first gets: a chain that does not hold is not rebuilt (the command refuses, nothing
    changed), anything else is rebuilt and still found."""
    conn = _attacker(released.path)
    tamper(conn)
    _restore_guards(conn)  # as a careful forger would: the schema is as it was
    conn.close()
    health.note(released.path)
    upgraded = released.run("patient", "list")
    assert upgraded.exit_code in (0, 3), upgraded.stderr
    assert "Traceback" not in upgraded.stderr
    checked = _db_check(released.path)
    assert checked.returncode == 3
    assert found in checked.stderr, checked.stderr
    with _opened(released.path) as db:
        assert chain.rebuilt(db) == (upgraded.exit_code == 0)


def test_a_chain_that_does_not_hold_is_not_rebuilt_and_nothing_changes(released):
    conn = _attacker(released.path)
    conn.execute("UPDATE audit_log SET reason = 'forged' WHERE id = 7")
    _restore_guards(conn)
    conn.close()
    health.note(released.path)
    before = released.path.read_bytes()
    refused = released.run("patient", "add", "Grace Hopper")
    assert refused.exit_code == 3
    assert "the audit log was not upgraded: its chain does not hold" in refused.stderr
    assert "audit log row 7 was altered or forged" in refused.stderr
    assert refused.stderr.count("\n") == 1  # one line
    assert released.path.read_bytes() == before


def test_the_pages_an_upgrade_frees_go_back_to_the_disk(tmp_path):
    from prolotrack.storage.connection import reclaim

    path = tmp_path / "freed.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE kept (x)")
    conn.execute("CREATE TABLE dropped (x)")
    conn.executemany("INSERT INTO kept VALUES (?)", [("k" * 500,)] * 300)
    conn.executemany("INSERT INTO dropped VALUES (?)", [("d" * 500,)] * 60)
    conn.execute("DROP TABLE dropped")
    reclaim(conn)  # a sixth of the file free: kept as it is
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] > 0
    conn.execute("DELETE FROM kept WHERE rowid > 100")
    size = path.stat().st_size
    reclaim(conn)  # most of it free: given back
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert path.stat().st_size < size / 2
    assert conn.execute("SELECT count(*) FROM kept").fetchone()[0] == 100
    conn.close()
