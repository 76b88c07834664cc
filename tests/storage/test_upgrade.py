"""A database made by the last release is brought up to this version by the next command: all
of it or nothing, recorded in the audit log; one made by a newer version is refused.

The PostgreSQL database is the fixture ``postgresql-0008.sql``: a clinic recorded by prolotrack
at schema 0008 (the last released) and dumped with pg_dump. Its machine's audit key is
``postgresql-0008.key``; the head of its log is recorded here as that machine had it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prolotrack.storage import audit, chain, keys, schema
from prolotrack.storage.connection import FileDatabase
from tests import raw
from tests.conftest import TODAY, Clinic, database_fingerprint

FIXTURES = Path(__file__).parent.parent / "fixtures"
LAST_RELEASE = schema.KNOWN.index("0009_adverse_events_voided")  # 0008 and those before it
FILE_ID = "f4dca3d2-55c3-46b6-bbfe-14f8fd1d11dc"


def _server(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _migrations(url: str) -> list[str]:
    with _server(url) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM prolotrack_migrations ORDER BY 1")]


def _columns(url: str, table: str) -> list[str]:
    with _server(url) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                " ORDER BY ordinal_position",
                (table,),
            )
        ]


@pytest.fixture
def released(postgres_url) -> Clinic:
    """The clinic's server at schema 0008, with its key and head on this machine."""
    pytest.importorskip("psycopg")
    from tests.storage.test_postgres import connected

    with _server(postgres_url) as conn:
        conn.execute((FIXTURES / "postgresql-0008.sql").read_text())
    folder = keys.folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_file = keys.key_path(FILE_ID)
    key_file.write_text((FIXTURES / "postgresql-0008.key").read_text())
    key_file.chmod(0o600)
    with connected(postgres_url) as db:
        keys.save_head(FILE_ID, postgres_url, chain.head(db, None))
    return Clinic(postgres_url, TODAY)


def test_the_next_write_brings_a_server_of_the_last_release_up_to_this_version(released):
    url = released.path
    assert released.json("db", "status")["schema_version"] == LAST_RELEASE  # read as it stands
    released.ok("db", "check")
    assert len(_migrations(url)) == LAST_RELEASE
    with _server(url) as conn:
        logged = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]

    released.ok("patient", "add", "Grace Hopper", "--chart", "P-0002")

    assert _migrations(url) == schema.KNOWN
    assert released.json("db", "status")["schema_version"] == len(schema.KNOWN)
    assert {"voided_at", "void_reason"} <= set(_columns(url, "adverse_events"))
    history = released.json("audit")
    added = [
        r["entity_id"] for r in history[: len(history) - logged] if r["entity"] == "instrument"
    ]
    assert added == ["promis-gmh", "promis-gph", "womac-function", "womac-stiffness", "womac-pain"]
    # the rebuilt log's anchor, the instruments it adds, the upgrade, the patient
    assert len(history) == 1 + logged + len(added) + 2
    anchor = history[-1]
    assert (anchor["entity"], anchor["action"]) == audit.REBUILT
    assert anchor["before"]["rows"] == logged + len(added)  # the old head, carried (0010 first)
    upgrade = next(r for r in history if r["entity"] == "schema")
    assert upgrade["action"] == "migrate"
    assert upgrade["practitioner"] == audit.MIGRATION
    assert upgrade["before"] == {"version": LAST_RELEASE}
    assert upgrade["after"] == {
        "version": len(schema.KNOWN),
        "applied": schema.KNOWN[LAST_RELEASE:],
    }
    released.ok("db", "check")
    # the record made by the last release is all there, and takes this version's commands
    assert [p["name"] for p in released.json("patient", "list")] == ["Ada Lovelace", "Grace Hopper"]
    assert [s["number"] for s in released.json("session", "list", "--patient", "P-0001")] == [1, 2]
    assert len(released.json("adverse", "list")) == 1
    released.ok("adverse", "void", "1", "--reason", "entered on the wrong patient")
    assert released.json("adverse", "list") == []
    released.ok("db", "check")


def test_a_read_brings_it_up_first_in_a_transaction_of_its_own(released):
    assert [p["chart"] for p in released.json("patient", "list")] == ["P-0001"]
    assert _migrations(released.path) == schema.KNOWN
    released.ok("db", "check")


def test_the_practitioners_roles_write_as_before_after_the_log_is_rebuilt(released):
    """The rebuilt log is a new table: what the administrator granted on the old one (as
    docs/clinic-server.md says) is granted on it too."""
    import os

    from tests.cli.test_postgresql import granted, psql

    role = f"dr_upgrade_{os.getpid()}"
    psql(released.path, *granted(role))
    try:
        released.ok("patient", "list")  # the owner's read upgrades the server
        assert _migrations(released.path) == schema.KNOWN
        practitioner = Clinic(released.path.replace("postgres@", f"{role}@", 1), TODAY)
        practitioner.ok("patient", "add", "Grace Hopper")  # the log's grants, kept
        psql(released.path, *granted(role)[1:])  # the tables the upgrade added, as docs say
        history = practitioner.json("audit", "--entity", "patient")
        assert history[0]["actor"].startswith(f"{role} (")
        released.ok("db", "check")
    finally:
        psql(released.path, f"DROP OWNED BY {role}", f"DROP ROLE {role}")


def test_an_upgrade_that_fails_midway_leaves_the_server_as_it_was(released, monkeypatch):
    from prolotrack.storage.migrations import STEPS

    real = STEPS["0009_adverse_events_voided"]

    def then_fails(db, dialect):
        real(db, dialect)
        db.executescript("ALTER TABLE no_such_table ADD COLUMN x text")

    before = database_fingerprint(released.path)
    with monkeypatch.context() as patched:
        patched.setitem(STEPS, "0009_adverse_events_voided", then_fails)
        failed = released.run("patient", "add", "Grace Hopper")
    assert failed.exit_code == 3, failed.output
    assert "Traceback" not in failed.output
    assert database_fingerprint(released.path) == before  # not the columns, nor the patient
    assert len(_migrations(released.path)) == LAST_RELEASE
    assert "voided_at" not in _columns(released.path, "adverse_events")
    released.ok("patient", "add", "Grace Hopper")  # the real upgrade then goes through
    assert _migrations(released.path) == schema.KNOWN


def test_a_server_written_by_a_newer_version_is_refused(released):
    released.ok("patient", "list")  # brought up to this version
    with _server(released.path) as conn:
        conn.execute("INSERT INTO prolotrack_migrations VALUES ('9999_future', 'x')")
    before = database_fingerprint(released.path)
    for command in (("patient", "list"), ("patient", "add", "Grace Hopper")):
        refused = released.run(*command)
        assert refused.exit_code == 3
        assert "newer version of prolotrack" in refused.output
    assert database_fingerprint(released.path) == before


def test_status_check_and_backup_read_the_server_as_it_stands(released, tmp_path):
    released.ok("db", "check")
    backup = tmp_path / "before-upgrade.db"
    released.ok("db", "backup", str(backup))
    assert len(_migrations(released.path)) == LAST_RELEASE  # not upgraded by any of them
    # the copy is of the release it was taken from; brought in with 'db restore', as a backup
    # is, it is brought up to this version as any file of that release is: with the
    # instruments its upgrade adds, the upgrade logged
    restored = Clinic(tmp_path / "restored.db", TODAY)
    restored.ok("db", "restore", str(backup))
    assert [p["name"] for p in restored.json("patient", "list")] == ["Ada Lovelace"]
    codes = {i["code"] for i in restored.json("instruments", "list")}
    assert {"womac-pain", "promis-gph"} <= codes
    assert restored.json("db", "status")["schema_version"] == len(schema.KNOWN)
    assert [r["entity"] for r in restored.json("audit", "--entity", "schema")] == ["schema"]
    restored.ok("db", "check")


# -- a file -----------------------------------------------------------------------------------


def test_a_file_of_the_last_release_is_upgraded_and_the_upgrade_logged(tmp_path):
    path = tmp_path / "clinic.db"
    conn = raw.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    db = FileDatabase(conn, execute_plugins=False)
    schema.sqlite_migrations().apply(db, stop_before="0009_adverse_events_voided")
    conn.execute(f"PRAGMA user_version = {LAST_RELEASE}")
    keys.save_head(schema.file_identity(db), path, chain.head(db, None))  # as its machine had it
    conn.close()
    clinic = Clinic(path, TODAY)
    clinic.ok("patient", "add", "Ada Lovelace")
    conn = raw.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.KNOWN)
    (after,) = conn.execute(
        "SELECT after FROM audit_log WHERE entity = 'schema' AND action = 'migrate'"
    ).fetchone()
    conn.close()
    assert json.loads(after) == {
        "version": len(schema.KNOWN),
        "applied": schema.KNOWN[LAST_RELEASE:],
    }
    assert len(list((tmp_path / "backups").glob("clinic-*-before-migration.db"))) == 1
    clinic.ok("db", "check")


def test_an_older_file_without_its_head_is_not_upgraded(tmp_path):
    """An upgrade writes: an older copy put in the record's place is not adopted by a read."""
    path = tmp_path / "clinic.db"
    conn = raw.connect(path, isolation_level=None)
    db = FileDatabase(conn, execute_plugins=False)
    schema.sqlite_migrations().apply(db, stop_before="0009_adverse_events_voided")
    conn.execute(f"PRAGMA user_version = {LAST_RELEASE}")
    conn.close()
    before = path.read_bytes()
    refused = Clinic(path, TODAY).run("patient", "list")
    assert refused.exit_code == 3
    assert "no head is recorded" in refused.output
    assert path.read_bytes() == before
