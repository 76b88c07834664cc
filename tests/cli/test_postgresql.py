"""A clinic's shared PostgreSQL database as practitioners meet it: a copy there and back that
changes nothing, refusals, tampering found by db check, backup and restore, and four
practitioners writing at once. Each test has a new database on the test server (skipped,
saying why, without one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from prolotrack.storage import schema
from tests.conftest import Clinic

# Each test makes the engines it needs itself: run once, in the default pass.
pytestmark = pytest.mark.sqlite_only

EXPORTS = [
    ["patients"], ["courses"], ["sessions"], ["injections"], ["scores"], ["adverse"],
    ["progress"], ["fhir"], ["injections", "--deidentify"], ["sessions", "-f", "json"],
    ["answers"],
]  # fmt: skip


def psql(url: str, *statements: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        found = []
        for statement in statements:
            cursor = conn.execute(statement)
            found = cursor.fetchall() if cursor.description else []
        return found


@pytest.fixture
def server(postgres_url) -> Clinic:
    return Clinic(postgres_url)


def test_a_copy_to_postgresql_and_back_changes_no_export_and_its_chain_holds(tmp_path, server):
    demo = Clinic(tmp_path / "demo.db")
    demo.ok("demo", "--file", str(demo.path))
    demo.ok("score", "add", "P-0012", "--form", "odi", "--answers", "3,2,2,-,3,1,2,1,1,0",
            "--date", "2026-03-19")  # fmt: skip
    demo.ok("score", "add", "P-0001", "--form", "promis-global-10", "--answers",
            "3,3,3,3,3,3,5,3,3,3", "--date", "2026-03-19")  # fmt: skip
    demo.ok("config", "set", "practitioner", "Dr. Demo")
    demo.ok("session", "sign", "--mine")  # every session of the sample clinic
    demo.ok("session", "addendum", "P-0001#1", "--note", "seen again: fine")
    said = demo.ok("db", "copy", "--to", server.path).stderr
    assert "14 patients" in said and "the copy's audit chain holds" in said
    back = Clinic(tmp_path / "back.db")
    server.ok("db", "copy", "--to", str(back.path))
    for export in EXPORTS:
        first = demo.ok("export", *export).stdout
        assert server.ok("export", *export).stdout == first, export
        assert back.ok("export", *export).stdout == first, export
    assert len(back.json("export", "answers")) == 20  # both forms' answers, both ways
    assert back.json("session", "list", "--unsigned") == []  # the signatures too
    assert back.json("session", "show", "P-0001#1")["signatures"][-1]["kind"] == "addendum"
    for place in (demo, server, back):
        assert "ok" in place.ok("db", "check").stdout
    assert server.json("db", "status")["patients"] == 14


def test_a_copy_goes_into_an_empty_target_only(tmp_path, worked, server):
    server.ok("patient", "add", "Grace Hopper")
    worked.refused("db", "copy", "--to", server.path, says="not empty")
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"")
    worked.refused("db", "copy", "--to", str(taken), says="already exists")


def test_refusals_as_for_a_file(server):
    server.refused("patient", "list", says="nothing has been recorded")
    assert not server.exists()  # a read creates nothing
    psql(server.path, "CREATE TABLE invoices (id integer PRIMARY KEY)")
    server.refused("patient", "add", "Ada", status=3, says="not a prolotrack one")


def test_a_newer_schema_is_refused(server):
    server.ok("patient", "add", "Ada Lovelace")
    psql(server.path, "INSERT INTO prolotrack_migrations VALUES ('9999_future', 'x')")
    server.refused("patient", "list", status=3, says="newer version of prolotrack")


def test_db_check_finds_a_forged_row_and_a_change_behind_prolotracks_back(server):
    server.ok("patient", "add", "Ada Lovelace", "--chart", "P-1")
    assert "ok" in server.ok("db", "check").stdout
    psql(
        server.path,
        "ALTER TABLE patients DISABLE TRIGGER USER",
        "UPDATE patients SET name = 'Mallory' WHERE id = 1",
    )
    result = server.run("db", "check")
    assert result.exit_code == 3
    assert "patient 1 differs from its last audit row" in result.stderr
    assert "audit_patients_update is missing or disabled" in result.stderr
    # and no write goes on over it
    server.refused("patient", "add", "Grace", status=3, says="changed outside prolotrack")


def test_a_forged_audit_row_breaks_the_chain(server):
    server.ok("patient", "add", "Ada Lovelace")
    psql(
        server.path,
        "INSERT INTO audit_log (at, actor, entity, entity_id, action, hash)"
        " VALUES ('x', 'mallory', 'patient', '1', 'delete', '\\xf00d')",
    )
    result = server.run("db", "check")
    assert result.exit_code == 3 and "was altered or forged" in result.stderr


def test_the_log_cannot_be_changed_and_no_other_program_writes_unlogged(server):
    server.ok("patient", "add", "Ada Lovelace")
    behind = "INSERT INTO patients (name, created_at, updated_at) VALUES ('x', 'x', 'x')"
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", behind):
        with pytest.raises(Exception):  # noqa: B017 (the server's own error, whichever)
            psql(server.path, statement)
    assert [p["name"] for p in server.json("patient", "list")] == ["Ada Lovelace"]


def test_backup_and_restore(worked, server):
    worked.ok("db", "copy", "--to", server.path)
    made = server.ok("db", "backup", str(worked.path.parent / "saved.db")).stdout.strip()
    server.ok("session", "void", "1", "--reason", "entered on the wrong patient")
    server.ok("db", "restore", made)
    assert [s["id"] for s in server.json("session", "list")] == [1, 2, 3]
    assert "ok" in server.ok("db", "check").stdout
    assert server.ok("db", "path").stdout.strip() == server.path


def _never_analyzed(url: str) -> list[str]:
    return [
        r[0]
        for r in psql(
            url,
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()"
            " AND last_analyze IS NULL AND last_autoanalyze IS NULL ORDER BY relname",
        )
    ]


def test_a_copy_and_a_restore_leave_the_planner_the_tables_statistics(worked, server):
    """A server plans the next command on what its statistics say of each table: without
    them, a copied clinic reads as empty until autovacuum comes round to it."""
    worked.ok("db", "copy", "--to", server.path)
    assert _never_analyzed(server.path) == []
    made = server.ok("db", "backup", str(worked.path.parent / "saved.db")).stdout.strip()
    server.ok("db", "restore", made)
    assert _never_analyzed(server.path) == []
    scores = psql(server.path, "SELECT reltuples FROM pg_class WHERE relname = 'scores'")
    assert scores == [(6.0,)]


SESSIONS = 120  # 30 a practitioner, latest first: most fall before ones already logged (renumbered)
WRITER = """
import sys
from datetime import date, timedelta
from typer.testing import CliRunner
from prolotrack.cli.app import app

db, first = sys.argv[1], int(sys.argv[2])
runner, failed = CliRunner(), 0
for day in reversed(range(first, int(sys.argv[3]), 4)):  # their days, every fourth, latest first
    given = (date(2025, 1, 1) + timedelta(days=day)).isoformat()
    result = runner.invoke(app, ["--db", db, "--today", "2026-03-20", "log", "1",
                                 "--date", given, "--site", "MCL:0.5:D15", "--pain", "5"])
    failed += result.exit_code != 0
    if result.exit_code:
        print(result.output, file=sys.stderr)
print(failed)
"""


def _four_practitioners(urls: list[str], clinic: Clinic) -> None:
    clinic.ok("patient", "add", "Ada Lovelace", "--chart", "P-1")
    clinic.ok("course", "start", "P-1", "--condition", "low back pain", "--date", "2025-01-01")
    env = {**os.environ, "PROLOTRACK_BUSY_TIMEOUT": "60"}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, str(n), str(SESSIONS)],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n, url in enumerate(urls)
    ]
    outcomes = [w.communicate(timeout=600) for w in writers]
    assert [out.strip() for out, _ in outcomes] == ["0"] * 4, [err for _, err in outcomes]
    found = clinic.json("session", "list")
    assert len(found) == SESSIONS  # none lost
    dates = [s["date"] for s in sorted(found, key=lambda s: s["number"])]
    assert dates == sorted(dates) and [s["number"] for s in found] == list(range(1, SESSIONS + 1))
    assert "ok" in clinic.ok("db", "check").stdout


def granted(role: str) -> list[str]:
    """A practitioner's role, as docs/clinic-server.md says to make it."""
    return [
        f"CREATE ROLE {role} LOGIN",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE INSERT, UPDATE, DELETE ON secrets, prolotrack_migrations FROM {role}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]


def test_a_practitioners_role_cannot_change_the_secrets_and_the_owner_is_found(server):
    import psycopg

    server.ok("patient", "add", "Someone First")
    role = f"dr_secret_{os.getpid()}"
    psql(server.path, *granted(role))
    try:
        url = server.path.replace("postgres@", f"{role}@", 1)
        for statement in (
            "UPDATE secrets SET value = 'x' WHERE name = 'pseudonym-key'",
            "DELETE FROM secrets",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                psql(url, statement)
        Clinic(url).ok("patient", "add", "Someone Second")  # and writes the record as before
    finally:
        psql(server.path, f"DROP OWNED BY {role}", f"DROP ROLE {role}")
    psql(server.path, "UPDATE secrets SET value = 'x' WHERE name = 'pseudonym-key'")
    server.refused("patient", "add", "Someone Third", status=3, says="a secret of the record")
    checked = server.run("db", "check")
    assert checked.exit_code == 3 and "a secret of the record" in checked.stderr


def test_four_practitioners_log_at_once_on_postgresql(server):
    server.ok("patient", "add", "Someone First")  # the schema, made by the clinic's owner
    roles = [f"dr_{n}_{os.getpid()}" for n in range(4)]
    for role in roles:
        psql(server.path, *granted(role))
    try:
        urls = [server.path.replace("postgres@", f"{role}@", 1) for role in roles]
        _four_practitioners(urls, server)
        who = {
            r[0] for r in psql(server.path, "SELECT actor FROM audit_log WHERE entity = 'session'")
        }
        assert {w.split(" ")[0] for w in who} == set(roles)  # each role is the audit's "who"
    finally:
        for role in roles:
            psql(server.path, f"DROP OWNED BY {role}", f"DROP ROLE {role}")


def test_four_writers_at_once_on_sqlite(tmp_path):
    clinic = Clinic(tmp_path / "clinic.db")
    _four_practitioners([str(clinic.path)] * 4, clinic)


def test_status_is_json_for_a_server(server):
    server.ok("patient", "add", "Ada Lovelace")
    status = json.loads(server.ok("db", "status", "-f", "json").stdout)
    assert status["file"] == server.path and status["schema_version"] == len(schema.KNOWN)


def test_a_password_is_never_shown_and_an_unreachable_server_is_one_line():
    place = Clinic("postgresql://dr_smith:s3cret@127.0.0.1:1/clinic")
    shown = place.ok("db", "path").stdout
    assert "s3cret" not in shown and "dr_smith" in shown
    result = place.run("patient", "list")
    assert result.exit_code == 3
    message = result.stderr.strip()
    assert message.startswith("error: cannot use postgresql://dr_smith:***@127.0.0.1:1/clinic")
    assert "\n" not in message and "s3cret" not in message
