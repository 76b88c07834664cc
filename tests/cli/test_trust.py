"""Trust in the record (SPEC, second edition): what a new user or an attacker with a copy of the
file tried, run as a user runs it (the installed program in a subprocess). Each is refused with
one line and the right exit status, and nothing is lost or left behind."""

import csv
import io
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import raw
from tests.conftest import WORKED_EXAMPLE, copy_record

BIN = Path(sys.executable).parent / "prolotrack"


class User:
    """The installed prolotrack, with its own data and keys folders and a fixed today."""

    def __init__(self, tmp_path: Path):
        self.path = tmp_path / "clinic.db"
        self.env = {
            **os.environ,
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "HOME": str(tmp_path / "home"),
            "PROLOTRACK_TODAY": "2026-03-20",
        }
        self.env.pop("PROLOTRACK_DB", None)
        self.env.pop("PROLOTRACK_KEYS", None)
        self.keys = tmp_path / "config" / "prolotrack" / "keys"

    def popen(self, *args, db=None, **kwargs):
        argv = [str(BIN), "--db", str(db or self.path), *args]
        return subprocess.Popen(argv, env=self.env, **kwargs)

    def run(self, *args, db=None, preexec_fn=None):
        argv = [str(BIN), "--db", str(db or self.path), *args]
        return subprocess.run(
            argv, env=self.env, capture_output=True, text=True, timeout=300, preexec_fn=preexec_fn
        )

    def ok(self, *args, db=None):
        result = self.run(*args, db=db)
        assert result.returncode == 0, f"{args}: {result.stderr}"
        return result

    def refused(self, *args, status=1, says="", db=None):
        before = _fingerprint(db or self.path)
        result = self.run(*args, db=db)
        assert result.returncode == status, f"{args}: {result.returncode} {result.stderr}"
        message = result.stderr.strip()
        assert message.startswith("error: ") and "\n" not in message, message
        assert says.lower() in message.lower(), message
        assert _fingerprint(db or self.path) == before, "a refused command changed the file"
        return message


def _fingerprint(path: Path):
    """The file's bytes and its write-ahead log's: equal means the record is untouched."""
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


@pytest.fixture(scope="module")
def worked_once(tmp_path_factory) -> User:
    """The worked example, recorded once for the module through the installed command."""
    if not BIN.exists():
        pytest.skip("prolotrack is not installed beside this Python")
    u = User(tmp_path_factory.mktemp("worked"))
    for command in WORKED_EXAMPLE:
        u.ok(*command)
    return u


@pytest.fixture
def user(worked_once, tmp_path) -> User:
    """A user of their own with the worked example: its file copied, with the file's key and
    its head (named for the copy's place, as if recorded there)."""
    u = User(tmp_path)
    copy_record(worked_once.path, u.path, worked_once.keys, into=u.keys)
    return u


def _patients(user, db=None):
    return len(json.loads(user.ok("patient", "list", "-f", "json", db=db).stdout))


# -- restore and backups ----------------------------------------------------------------------


def test_restore_refuses_an_empty_sqlite_file(user, tmp_path):
    empty = tmp_path / "e.db"
    conn = raw.connect(empty)
    conn.execute("create table x(a)")
    conn.execute("drop table x")
    conn.close()
    user.refused("db", "restore", str(empty), says="not a prolotrack database")
    assert _patients(user) == 1
    user.ok("db", "check")


def test_restore_refuses_a_prolotrack_file_without_patients_over_one_with(user, tmp_path):
    bare = tmp_path / "bare.db"
    user.ok("config", "set", "practitioner", "Dr. A", db=bare)
    user.refused("db", "restore", str(bare), says="holds no patients")
    assert _patients(user) == 1


def test_restore_refuses_the_file_itself(user):
    user.refused("db", "restore", str(user.path), says="the database itself")


def test_restore_refuses_a_demo_file_without_force(user, tmp_path):
    demo = tmp_path / "demo.db"
    user.ok("demo", "--file", str(demo))
    user.refused("db", "restore", str(demo), says="--force")
    assert _patients(user) == 1
    user.ok("db", "restore", str(demo), "--force")
    assert _patients(user) > 1
    user.ok("db", "check")


def test_rotation_never_removes_the_copy_made_before_a_restore(user, tmp_path):
    safe = user.ok("db", "backup", str(tmp_path / "safe.db")).stdout.strip()
    user.ok("patient", "add", "Grace Hopper")
    user.ok("db", "restore", safe)
    for _ in range(12):  # twelve nights of backups after one restore
        user.ok("db", "backup")
    kept = sorted(p.name for p in (user.path.parent / "backups").iterdir())
    assert len([k for k in kept if k.endswith("-before-restore.db")]) == 1
    assert len([k for k in kept if not k.endswith("-before-restore.db")]) == 10
    before = next(user.path.parent.glob("backups/*-before-restore.db"))
    assert _patients(user, db=before) == 2  # Grace Hopper is still to be had


def test_a_backup_restores_on_a_new_machine_with_its_key(user, tmp_path):
    """The documented move: a backup and the key file; the backup carries its head."""
    backup = Path(user.ok("db", "backup", str(tmp_path / "move.db")).stdout.strip())
    new = User(tmp_path / "new-machine")
    new_keys = new.keys
    target = tmp_path / "new-machine" / "clinic.db"
    target.parent.mkdir(parents=True)
    message = new.refused("db", "restore", str(backup), db=target, says="key")
    assert "not on this machine" in message
    new_keys.mkdir(parents=True)
    for key in user.keys.glob("*.key"):
        shutil.copy(key, new_keys)
    new.ok("db", "restore", str(backup), db=target)
    new.ok("db", "check", db=target)
    new.ok("patient", "add", "Grace Hopper", db=target)
    new.ok("db", "check", db=target)


def test_a_tampered_backup_is_not_restored(user, tmp_path):
    backup = user.ok("db", "backup", str(tmp_path / "b.db")).stdout.strip()
    conn = raw.connect(backup)
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)")
    conn.commit()
    conn.close()
    user.refused("db", "restore", backup, says="not a sound prolotrack database")


# -- what killed commands leave ----------------------------------------------------------------


def _kill_during(user, *args, db=None, marker, limit=30.0):
    """Start a command and SIGKILL it once ``marker`` (a glob beside the file) appears."""
    folder = (db or user.path).parent
    process = user.popen(*args, db=db, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + limit
    while process.poll() is None and time.monotonic() < deadline:
        if list(folder.glob(marker)):
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait()
    return process.returncode == -signal.SIGKILL


def _strays(folder: Path):
    return sorted(
        p.name
        for p in folder.rglob(".*")
        if p.name != ".verified" and not p.name.endswith(".verified")
    )


def test_a_killed_first_import_into_a_new_path_leaves_nothing_after_the_next_command(
    user, tmp_path
):
    sheet = _sheet(tmp_path, patients=60)
    fresh = tmp_path / "fresh" / "new.db"
    fresh.parent.mkdir()
    killed = _kill_during(user, "import", str(sheet), db=fresh, marker=".new.db.*.new")
    assert killed, "the import finished before it could be killed"
    assert not fresh.exists()  # all or nothing: nothing
    user.run("patient", "list", db=fresh)  # the next command, whatever it is
    assert list(fresh.parent.iterdir()) == []


def test_a_killed_backup_leaves_no_partial_copy_after_the_next_command(user, tmp_path):
    dest = tmp_path / "copies"
    dest.mkdir()
    killed = _kill_during(user, "db", "backup", str(dest / "b.db"), marker="copies/.b.db.*")
    assert not (dest / "b.db").exists() or not killed  # a backup that exists is whole
    user.ok("db", "backup", str(dest / "b.db")) if not (dest / "b.db").exists() else None
    # and what a kill at the worst moment leaves: a whole partial copy, of a process now gone
    stray = dest / f".b.db.{_dead_pid()}.part"
    shutil.copy(user.path, stray)
    user.ok("db", "backup", str(dest / "c.db"))
    assert sorted(p.name for p in dest.iterdir()) == ["b.db", "c.db"]


def _sheet(tmp_path: Path, *, patients: int) -> Path:
    """A spreadsheet of past sessions: ten a patient, one site each."""
    sheet = tmp_path / "sheet.csv"
    rows = ["chart,name,condition,started_on,session_date,site,volume_ml,solution,nrs"]
    for p in range(patients):
        for s in range(10):
            rows.append(
                f"C-{p},Patient {p},knee,2024-01-01,2024-{1 + s:02d}-0{1 + p % 9},MCL,0.5,D15,5"
            )
    sheet.write_text("\n".join(rows) + "\n")
    return sheet


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def test_strays_of_killed_commands_beside_the_file_go_with_the_next_command(user):
    folder = user.path.parent
    pid = _dead_pid()
    left = [
        folder / f".clinic.db.{pid}.new",
        folder / f".clinic.db.{pid}.new-wal",
        folder / f".clinic.db.verified.{pid}",
        folder / "backups" / f".x.db.{pid}.part",
        folder / f".report.csv.{pid}.part",
    ]
    (folder / "backups").mkdir(exist_ok=True)
    for path in left:
        path.write_text("patient rows")
    mine = folder / f".clinic.db.{os.getpid()}.new"  # a process still running: not touched
    mine.write_text("in use")
    user.ok("patient", "list")
    assert [p for p in left if p.exists()] == []
    assert mine.exists()


def test_a_migration_killed_midway_leaves_the_old_file_whole(user, tmp_path):
    """A file of the first edition, migrated by a command killed mid-way, stays as it was."""
    from prolotrack.storage import schema
    from prolotrack.storage.connection import FileDatabase as Database

    old = tmp_path / "old.db"
    conn = raw.connect(old, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    schema.sqlite_migrations().apply(Database(conn), stop_before="0002_secrets")
    conn.execute(
        "INSERT INTO patients (chart, name, created_at, updated_at) VALUES ('P-1', 'Ada', 'x', 'x')"
    )
    conn.close()
    original = old.read_bytes()
    _kill_during(user, "patient", "list", db=old, marker="backups/*", limit=10)
    conn = raw.connect(old)
    applied = conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    conn.close()
    assert applied in (1, len(schema.KNOWN))  # all or nothing
    if applied == 1:
        assert old.read_bytes() == original
    user.ok("patient", "list", db=old)
    assert not [p for p in (tmp_path / "backups").glob(".*")]
    user.ok("db", "check", db=old)


# -- exports: where they write, and what a de-identified one holds ------------------------------


@pytest.mark.parametrize("kind", ["device", "fifo", "symlink", "folder"])
def test_export_never_replaces_anything_but_a_regular_file(user, tmp_path, kind):
    target = tmp_path / "target"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    if kind == "device":
        target = Path("/dev/null")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        target.symlink_to(victim)
    else:
        target.mkdir()
    result = user.run("export", "patients", "-o", str(target), "--force")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "regular file" in result.stderr
    assert victim.read_text() == "precious"
    if kind == "device":
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if kind == "fifo":
        assert stat.S_ISFIFO(os.lstat(target).st_mode)


def test_an_export_on_a_full_disk_says_so_and_leaves_nothing(user, tmp_path):
    def small_files():  # a disk with room for 40 kB in any one file: SQLite's files, not more
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    out = tmp_path / "out" / "injections.csv"
    out.parent.mkdir()
    user.ok("import", str(_sheet(tmp_path, patients=60)))
    result = user.run("export", "injections", "-o", str(out), preexec_fn=small_files)
    assert result.returncode == 1, result.stderr
    assert (
        result.stderr.startswith("error: cannot write") and "nothing was written" in result.stderr
    )
    assert list(out.parent.iterdir()) == []


PLANTED = ("Zebediah", "Quackenbush", "555-0199", "Elm Street", "Dr Moriarty")


def test_deidentified_exports_carry_no_free_text(worked):
    u = worked
    u.ok("patient", "add", "Zebediah Quackenbush", "--chart", "Z-1", "--phone", "555-0199")
    u.ok(
        "course",
        "start",
        "Z-1",
        "--condition",
        "knee pain since Zebediah fell on Elm Street",
        "--region",
        "Quackenbush ranch knee",
        "--icd10",
        "M17.11",
        "--date",
        "2026-01-10",
    )
    u.ok(
        "log",
        "Z-1",
        "--date",
        "2026-01-10",
        "--site",
        "Elm Street spot:1:dextrose 15% + Quackenbush tonic",
        "--site",
        "MCL:0.5:D15",
        "--anesthetic",
        "lidocaine 1% per Dr Moriarty",
        "--note",
        "Zebediah",
        "--pain",
        "6",
    )
    hits = []
    outputs = 0
    u.ok("adverse", "add", "Z-1#1", "flare", "--note", "Zebediah called from Elm Street")
    u.ok("patient", "flag", "Z-1", "other:Quackenbush's cousin")
    u.ok("course", "rehab", "Z-1", "other", "--note", "Moriarty's gym")
    for table in ("patients", "courses", "sessions", "injections", "scores", "progress", "adverse"):
        for fmt in ("csv", "json"):
            text = u.ok("export", table, "--deidentify", "-f", fmt).stdout
            outputs += 1
            hits += [(table, fmt, word) for word in PLANTED if word.lower() in text.lower()]
    assert outputs == 14
    assert hits == []
    rows = list(csv.DictReader(io.StringIO(u.ok("export", "injections", "--deidentify").stdout)))
    planted = [r for r in rows if r["condition"] == "M17.11"]
    assert {r["site"] for r in planted} == {"other", "MCL"}
    assert {r["solution"] for r in planted} == {"dextrose 15% + other", "dextrose 15%"}
    assert {r["region"] for r in planted} == {"other"}
    # the agent and its strength; the words after them ("per Dr ...") are left out
    assert {r["anesthetic"] for r in planted} == {"lidocaine 1%"}
    ada = [r for r in rows if r["condition"] != "M17.11"]
    assert {r["condition"] for r in ada} == {"other"}  # no ICD-10 code was given
    assert {r["region"] for r in ada} == {"knee"}


# -- numbers, ids, dates, versions, names -------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("patient", "show", "99999999999999999999"),
        ("course", "show", "99999999999999999999"),
        ("session", "show", "99999999999999999999"),
        ("session", "amend", "99999999999999999999", "--reason", "x", "--note", "y"),
        ("score", "void", "99999999999999999999", "--reason", "x"),
        ("adverse", "resolve", "99999999999999999999"),
        ("log", "99999999999999999999", "--site", "MCL:1:D15"),
        ("progress", "99999999999999999999"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_ids_past_2_63_are_refused_in_one_line(user, args):
    user.refused(*args, says="99999999999999999999")


def test_dates_past_the_calendars_end_are_refused(user):
    user.refused("--today", "9999-12-31", "summary", "--week", says="outside the dates")


def test_an_instrument_with_an_infinite_range_is_refused_and_audit_still_works(user):
    user.refused(
        "instruments",
        "add",
        "big",
        "--name",
        "Big",
        "--min",
        "0",
        "--max",
        "1e309",
        "--better",
        "lower",
        says="not a finite number",
    )
    user.ok("audit")


def _stamp(path, version):
    conn = raw.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def test_a_file_from_a_newer_version_is_neither_read_nor_written(user):
    _stamp(user.path, 99)
    user.refused("patient", "list", status=3, says="newer version")
    user.refused("patient", "add", "Grace Hopper", status=3, says="newer version")


def test_an_empty_sqlite_file_claiming_a_version_is_not_migrated(user, tmp_path):
    empty = tmp_path / "seven.db"
    _stamp(empty, 7)
    before = empty.read_bytes()
    user.refused("patient", "list", status=3, says="no prolotrack tables", db=empty)
    assert empty.read_bytes() == before


def test_a_read_only_file_leaves_no_companion_readable_by_others(user):
    os.chmod(user.path, 0o444)
    try:
        user.ok("patient", "list")
    finally:
        os.chmod(user.path, 0o600)
    for companion in (Path(f"{user.path}-wal"), Path(f"{user.path}-shm")):
        if companion.exists():
            assert stat.S_IMODE(companion.stat().st_mode) == 0o600


def test_names_are_found_whatever_their_accents_and_their_unicode_form(user):
    decomposed = "Jose\u0301 Nu\u0301n\u0303ez"  # as a macOS paste gives it
    user.ok("patient", "add", decomposed, "--chart", "J-1")
    assert json.loads(user.ok("patient", "show", "José", "-f", "json").stdout)["chart"] == "J-1"
    assert json.loads(user.ok("patient", "show", "nunez", "-f", "json").stdout)["chart"] == "J-1"
    listed = json.loads(user.ok("patient", "list", "--search", "NÚÑEZ", "-f", "json").stdout)
    assert [p["name"] for p in listed] == ["José Núñez"]  # stored composed (NFC)


def test_a_restore_killed_at_random_moments_leaves_one_record_or_the_other(user, tmp_path):
    import random

    kills = 6
    user.ok("import", str(_sheet(tmp_path, patients=150)))
    backup = user.ok("db", "backup", str(tmp_path / "b.db")).stdout.strip()
    user.ok("patient", "add", "Grace Hopper")  # the live file: one patient more than the backup
    restored, live = _patients(user, db=Path(backup)), _patients(user)
    base = tmp_path / "base.db"
    shutil.copy(user.path, base)
    keys_folder = user.keys
    base_keys = tmp_path / "base-keys"
    shutil.copytree(keys_folder, base_keys)  # the key and head, as they were: put back
    started = time.monotonic()
    user.ok("db", "restore", backup)
    duration = time.monotonic() - started
    rng = random.Random(12)
    seen = []
    for _ in range(kills):
        for companion in ("", "-wal", "-shm"):
            Path(f"{user.path}{companion}").unlink(missing_ok=True)
        shutil.rmtree(user.path.parent / "backups", ignore_errors=True)
        shutil.copy(base, user.path)
        shutil.rmtree(keys_folder)
        shutil.copytree(base_keys, keys_folder)
        process = user.popen(
            "db", "restore", backup, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.6, 1.0) * duration)  # the copy comes last, after the checks
        process.send_signal(signal.SIGKILL)
        process.wait()
        count = _patients(user)  # the next command
        assert count in (live, restored)
        seen.append(count)
        user.ok("db", "check")
        user.ok("patient", "add", f"After {len(seen)}")  # and the record takes writes
        strays = [p.name for p in user.path.parent.rglob(".*") if ".verified" not in p.name]
        assert strays == [], strays
    print(f"restore killed {kills} times: old {seen.count(live)}, restored {seen.count(restored)}")
