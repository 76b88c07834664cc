"""Faults of the kind SQLite's own tests use: damaged files, locks, crashes, two writers."""

import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from prolotrack.storage import schema
from prolotrack.storage.connection import transaction
from tests import raw
from tests.conftest import TODAY, Clinic, copy_record

pytestmark = pytest.mark.sqlite_only  # about the SQLite file itself

WRITES = [
    ("patient", "add", "Grace Hopper"),
    ("session", "log", "P-0001", "--site", "MCL:0.5:D15", "--date", "2026-03-10"),
    ("config", "set", "practitioner", "Dr. X"),
]


def _damage(path, kind):
    data = bytearray(path.read_bytes())
    if kind == "text":
        path.write_text("chart,name\nP-1,Ada\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif kind == "corrupted page":
        page = int.from_bytes(data[16:18], "big")
        middle = (len(data) // page // 2) * page
        data[middle : middle + page] = random.Random(7).randbytes(page)
        path.write_bytes(bytes(data))
    elif kind == "index mismatch":
        _hide_a_row_from_an_index(path)


def _hide_a_row_from_an_index(path):
    """A session row the index sessions_by_date does not know: the classic index damage."""
    from prolotrack.storage import audit

    def connect():
        conn = raw.connect(path)
        conn.create_function(audit.HASH_FUNCTION, 1, audit.sha256)  # a hash, if not the key's
        conn.execute("INSERT OR REPLACE INTO audit_context (id, actor) VALUES (1, 'someone')")
        conn.execute("PRAGMA writable_schema = ON")
        return conn

    conn = connect()
    entry = conn.execute(
        "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master"
        " WHERE name = 'sessions_by_date'"
    ).fetchone()
    conn.execute("DELETE FROM sqlite_master WHERE name = 'sessions_by_date'")
    conn.commit()
    conn.close()
    conn = connect()
    conn.execute(
        "INSERT INTO sessions (course_id, number, date, created_at, updated_at)"
        " VALUES (1, 9, '2026-03-15', 'x', 'x')"
    )
    conn.commit()
    conn.close()
    conn = connect()
    conn.execute("INSERT INTO sqlite_master VALUES (?, ?, ?, ?, ?)", entry)
    conn.commit()
    conn.close()


@pytest.mark.parametrize("kind", ["text", "empty", "truncated", "corrupted page", "index mismatch"])
def test_a_bad_file_is_never_written_to_and_db_check_names_the_problem(worked, kind):
    worked.ok("db", "check")
    _damage(worked.path, kind)
    for command in WRITES:
        worked.refused(*command, status=3)
    result = worked.run("db", "check")
    assert result.exit_code == 3, result.output
    named = {
        "text": "not an SQLite database",
        "empty": "is empty",
        "truncated": "is truncated",
        "corrupted page": "integrity",
        "index mismatch": "missing from index",
    }[kind]
    assert named in result.stderr, result.stderr


def test_a_lock_held_past_the_wait_is_exit_3_and_writes_nothing(worked, monkeypatch):
    monkeypatch.setenv("PROLOTRACK_BUSY_TIMEOUT", "0.3")
    holder = raw.connect(worked.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        message = worked.refused(*WRITES[0], status=3, says="the database is busy")
        assert time.monotonic() - started >= 0.3
        assert "nothing was written" in message
    finally:
        holder.rollback()
        holder.close()
    worked.ok(*WRITES[0])


def test_backup_while_another_process_writes_is_sound(worked, tmp_path):
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            from typer.testing import CliRunner
            from prolotrack.cli.app import app
            for n in range(60):
                r = CliRunner().invoke(app, ["--db", r"{worked.path}", "--today", "2026-03-20",
                                             "patient", "add", f"Writer {{n}}"])
                assert r.exit_code == 0, r.output
        """),
        ],
    )
    try:
        made = []
        while writer.poll() is None and len(made) < 5:
            made.append(
                worked.ok("db", "backup", str(tmp_path / f"b{len(made)}.db")).stdout.strip()
            )
    finally:
        assert writer.wait(timeout=120) == 0
    assert made
    for backup in made:
        conn = raw.connect(backup)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()


def test_backups_and_exports_are_0600_under_umask_022(worked, tmp_path):
    old = os.umask(0o022)
    try:
        default = worked.ok("db", "backup").stdout.strip()
        chosen = worked.ok("db", "backup", str(tmp_path / "mine.db")).stdout.strip()
        worked.ok("export", "patients", "-o", str(tmp_path / "p.csv"))
    finally:
        os.umask(old)
    assert default.startswith(str(worked.path.parent / "backups" / "clinic-"))
    for path in (default, chosen, tmp_path / "p.csv"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert worked.json("db", "status")["last_backup"] == default


def test_only_the_last_ten_default_backups_are_kept(worked):
    made = [worked.ok("db", "backup").stdout.strip() for _ in range(12)]
    kept = sorted(p.name for p in (worked.path.parent / "backups").iterdir())
    assert [os.path.basename(p) for p in made[-10:]] == kept


def test_restore_round_trips_exactly_and_keeps_the_file_it_replaced(worked, tmp_path):
    before = {t: worked.ok("export", t).stdout for t in ("injections", "scores", "patients")}
    backup = worked.ok("db", "backup", str(tmp_path / "safe.db")).stdout.strip()
    worked.ok("session", "void", "3", "--reason", "a mistake to undo")
    worked.ok("patient", "add", "Someone New")
    result = worked.ok("db", "restore", backup)
    assert "the file it replaced is kept as" in result.stderr
    assert {t: worked.ok("export", t).stdout for t in before} == before
    worked.ok("db", "check")
    worked.ok("log", "P-0001", "--site", "MCL:0.5:D15")  # the restored file takes writes


def test_restore_refuses_a_bad_source(worked, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("not a database")
    before = worked.fingerprint()
    worked.refused("db", "restore", str(bad), says="not a sound prolotrack database")
    assert worked.fingerprint() == before


def test_restore_onto_a_damaged_file(worked, tmp_path):
    backup = worked.ok("db", "backup", str(tmp_path / "safe.db")).stdout.strip()
    _damage(worked.path, "corrupted page")
    worked.ok("db", "restore", backup)
    worked.ok("db", "check")
    assert len(worked.json("session", "list")) == 3
    # the damaged file was kept aside as it was, and no half-made copy of it was left
    assert len(list(worked.path.parent.glob("clinic.db.damaged-*"))) == 1
    folder = worked.path.parent / "backups"
    assert not folder.exists() or not [p for p in folder.iterdir() if ".part" in p.name]


def test_a_file_of_the_first_schema_migrates_with_every_row(tmp_path):
    path = tmp_path / "v1.db"
    conn = raw.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    from prolotrack.storage.connection import FileDatabase as Database

    db = Database(conn, execute_plugins=False)
    schema.sqlite_migrations().apply(db, stop_before="0002_secrets")
    db.executescript("""
        INSERT INTO patients VALUES (1, 'P-0001', 'Ada Lovelace', '1950-05-01', 'F', NULL, NULL,
            NULL, '2026-01-05T09:00:00Z', '2026-01-05T09:00:00Z');
        INSERT INTO courses VALUES (1, 1, 'right knee osteoarthritis', 'knee', 'right', NULL,
            'womac', '4w', 3, '2026-01-05', 'active', NULL, NULL, 'x', 'x');
        INSERT INTO sessions VALUES (1, 1, 1, '2026-01-05', NULL, NULL, NULL, NULL, NULL, NULL,
            'x', 'x');
        INSERT INTO injections VALUES (1, 1, 1, 'MCL', 'right', 'dextrose 15%', 0.5, 1, NULL);
        INSERT INTO scores VALUES (1, 1, 1, 'nrs', 7, '2026-01-05', NULL, NULL, 'x');
    """)
    conn.close()
    clinic = Clinic(path, TODAY)
    assert [s["date"] for s in clinic.json("session", "list")] == ["2026-01-05"]
    conn = raw.connect(path)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.KNOWN)
    counts = [
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("patients", "courses", "sessions", "injections", "scores")
    ]
    assert counts == [1, 1, 1, 1, 1]
    conn.close()
    saved = list((tmp_path / "backups").glob("v1-*-before-migration.db"))
    assert len(saved) == 1  # a backup of the old file was made before its schema changed
    clinic.ok("db", "check")


@pytest.fixture
def big_import(tmp_path):
    """A CSV of 600 sessions (1,800 sites): long enough for kills to land mid-import."""
    from datetime import date, timedelta

    lines = ["chart,name,condition,started_on,session_date,site,volume_ml,solution,nrs"]
    for p in range(40):
        start = date(2024, 1, 1) + timedelta(days=p)
        for s in range(15):
            day = start + timedelta(weeks=4 * s)
            for site in ("MCL", "LCL", "pes anserine"):
                lines.append(f"C-{p},Patient {p},knee,{start},{day},{site},0.5,D15,5")
    csv = tmp_path / "big.csv"
    csv.write_text("\n".join(lines) + "\n")
    return csv


def _import_process(db, csv):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prolotrack",
            "--db",
            str(db),
            "--today",
            "2026-03-20",
            "import",
            str(csv),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_an_import_killed_at_20_random_moments_leaves_all_rows_or_none(worked, big_import):
    base = worked.path.with_name("base.db")
    copy_record(worked.path, base)
    started = time.monotonic()
    assert _import_process(worked.path, big_import).wait(timeout=300) == 0
    duration = time.monotonic() - started
    full = len(worked.json("session", "list"))
    assert full == 3 + 600
    rng = random.Random(20)
    outcomes = []
    for _ in range(20):
        target = worked.path.with_name("victim.db")
        for companion in ("", "-wal", "-shm"):
            target.with_name(target.name + companion).unlink(missing_ok=True)
        copy_record(base, target)
        victim = _import_process(target, big_import)
        time.sleep(rng.uniform(0, duration))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        conn = raw.connect(target)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        sessions = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
        conn.close()
        assert sessions in (3, full)
        outcomes.append(sessions)
    assert 3 in outcomes  # some kills landed before the commit
    print(
        f"kills: {len(outcomes)}; none imported: {outcomes.count(3)};"
        f" all imported: {outcomes.count(full)}; import took {duration:.1f} s"
    )


EACH = 80  # sessions a writer logs, a womac score every twentieth


def test_two_processes_writing_at_once_lose_nothing(worked, tmp_path):
    worked.ok("course", "start", "P-0001", "--condition", "left knee", "--date", "2025-01-01")
    script = tmp_path / "writer.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys
        from datetime import date, timedelta
        from typer.testing import CliRunner
        from prolotrack.cli.app import app

        parity = int(sys.argv[1])
        base = ["--db", r"{worked.path}", "--today", "2026-03-20"]
        for n in range({EACH}):
            day = date(2025, 1, 1) + timedelta(days=2 * n + parity)
            r = CliRunner().invoke(app, [*base, "log", "2", "--date", day.isoformat(),
                                         "--site", "MCL:0.5:D15", "--pain", "5"])
            assert r.exit_code == 0, r.output
            if n % 20 == 19:
                r = CliRunner().invoke(app, [*base, "score", "add", "2", "womac=40",
                                             "--date", day.isoformat()])
                assert r.exit_code == 0, r.output
    """)
    )
    env = {**os.environ, "PROLOTRACK_BUSY_TIMEOUT": "30"}
    writers = [
        subprocess.Popen(
            [sys.executable, str(script), str(p)], env=env, stderr=subprocess.PIPE, text=True
        )
        for p in (0, 1)
    ]
    for w in writers:
        _, err = w.communicate(timeout=600)
        assert w.returncode == 0, err
    sessions = worked.json("session", "list", "--course", "2")
    assert len(sessions) == 2 * EACH
    assert [s["number"] for s in sessions] == list(range(1, 2 * EACH + 1))
    assert [s["date"] for s in sessions] == sorted(s["date"] for s in sessions)
    assert len(worked.json("score", "list", "2")) == 2 * EACH + 2 * EACH // 20  # pain, womac
    worked.ok("db", "check")


def test_transaction_level_write_and_read_on_one_file(tmp_path):
    path = tmp_path / "c.db"
    with transaction(path, write=True) as db:
        db.execute("INSERT INTO settings (key, value, updated_at) VALUES ('a', 'b', 'c')")
    with transaction(path, write=False) as db:
        assert db.execute("SELECT value FROM settings").fetchone()[0] == "b"


def test_a_first_edition_file_takes_the_second_editions_schema(tmp_path):
    """Migration 0007 on a file with records: courses get follow-up, adverse events the day
    they were recorded, guidance may be ct, the instruments their whole points; the log
    records each change and the file checks clean."""
    from prolotrack.storage import audit, chain, keys
    from prolotrack.storage.connection import FileDatabase as Database

    path = tmp_path / "v6.db"
    conn = raw.connect(path, isolation_level=None)
    db = Database(conn, execute_plugins=False)
    schema.sqlite_migrations().apply(db, stop_before="0007_follow_up_and_corrections")
    db.execute("PRAGMA user_version = 6")
    audit.begin(db, None)
    db.executescript("""
        INSERT INTO patients VALUES (1, 'P-0001', 'Ada Lovelace', '1950-05-01', 'F', NULL, NULL,
            NULL, '2026-01-05T09:00:00Z', '2026-01-05T09:00:00Z');
        INSERT INTO courses VALUES (1, 1, 'right knee osteoarthritis', 'knee', 'right', NULL,
            'womac', '4w', 1, '2026-01-05', 'active', NULL, NULL, 'x', 'x', NULL);
        INSERT INTO sessions VALUES (1, 1, 1, '2026-01-05', NULL, NULL, 'landmark', NULL, NULL,
            NULL, 'x', 'x');
        INSERT INTO injections VALUES (1, 1, 1, 'MCL', 'right', 'dextrose 15%', 0.5, 1, NULL);
        INSERT INTO scores VALUES (1, 1, 1, 'womac', 52, '2026-01-05', NULL, NULL, 'x');
        INSERT INTO adverse_events VALUES (1, 1, 'flare', 'mild', '2026-01-06', NULL, NULL,
            '2026-01-07T10:00:00Z');
    """)
    audit.end(db)
    keys.save_head(schema.file_identity(db), path, chain.head(db, None))  # as its machine had it
    conn.close()
    clinic = Clinic(path, TODAY)
    [course] = clinic.json("progress", "1")["courses"]
    assert [f["timepoint"] for f in course["follow_ups"]] == ["3m", "6m", "12m"]
    [event] = clinic.json("adverse", "list")
    assert event["recorded_on"] == "2026-01-07"
    clinic.ok("session", "amend", "1", "--guidance", "ct", "--reason", "it was CT")
    clinic.refused("score", "add", "1", "womac=40.5", says="whole points")
    conn = raw.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.KNOWN)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    clinic.ok("db", "check")
