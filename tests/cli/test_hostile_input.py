"""Input that must be refused with one line, nothing written (issue 26 point 12), through the
installed command: dates that are not dates, bytes that are not UTF-8, invisible characters in
what identifies a patient; and a reader that goes away (`| head`) leaves no Python noise."""

import os
import subprocess

import pytest

from tests import raw
from tests.conftest import INSTALLED, copy_record


@pytest.mark.parametrize("born", ["1.5", "-1", "today", "3 days ago", "monday", "2026/12/01"])
def test_a_birth_date_that_is_not_a_date_written_out_is_refused(worked, installed, born):
    installed.refused("patient", "add", "Bo Born", "--born", born, says="date")
    installed.refused("patient", "edit", "P-0001", "--born", born, says="date")


def test_a_birth_date_written_out_is_taken(worked, installed):
    installed.ok("patient", "add", "Bo Born", "--born", "1 May 1950")
    assert installed.json("patient", "show", "Bo Born")["born"] == "1950-05-01"


@pytest.mark.parametrize("day", ["1.5", "-1", "7"])
def test_a_number_is_not_a_date(worked, installed, day):
    installed.refused(
        "course", "start", "P-0001", "--condition", "hip", "--date", day, says="not a date"
    )


@pytest.mark.parametrize("text", ["A\u200bB", "\u202eAnn", "Ann\ufeff"])
def test_an_invisible_character_in_a_name_chart_or_phone_is_refused(worked, installed, text):
    installed.refused("patient", "add", text, says="invisible character")
    installed.refused("patient", "add", "Ann", "--chart", text, says="invisible character")
    installed.refused(
        "patient", "edit", "P-0001", "--phone", f"555{text}", says="invisible character"
    )


@pytest.mark.parametrize("raw", [b"\xe9abc", b"\xff", b"Jos\xe9"])
def test_an_argument_that_is_not_utf8_is_refused(worked, raw):
    before = worked.fingerprint()
    argv = [os.fsencode(INSTALLED), b"--db", os.fsencode(str(worked.path)), b"patient", b"add", raw]
    done = subprocess.run(argv, capture_output=True, timeout=120)
    assert done.returncode == 1
    message = done.stderr.decode().strip()
    assert message.startswith("error: argument") and "is not UTF-8" in message
    assert "\n" not in message and "Traceback" not in message
    assert worked.fingerprint() == before


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A clinic whose exports are far larger than a pipe's buffer."""
    from datetime import date

    from tests.benchmarks.make_clinic import build

    path = tmp_path_factory.mktemp("generated") / "generated.db"
    build(path, scale=0.01, today=date(2026, 11, 23))
    return path


@pytest.mark.sqlite_only
@pytest.mark.parametrize("what", ["injections", "sessions", "scores", "fhir"])
def test_a_reader_that_goes_away_leaves_no_noise(generated, what):
    command = f"'{INSTALLED}' --db '{generated}' export {what} | head -c 10"
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=300)
    assert done.stderr == ""


@pytest.mark.sqlite_only
def test_o_never_writes_over_the_record_force_or_not(worked, installed, tmp_path):
    from prolotrack.storage import keys

    worked.ok("db", "backup")
    backup = next((worked.path.parent / "backups").iterdir())
    kept = backup.read_bytes()
    other = tmp_path / "other.db"
    other.write_bytes(worked.path.read_bytes())
    keys_folder = keys.folder()
    targets = [worked.path, f"{worked.path}-wal", backup, other, *sorted(keys_folder.iterdir())]
    assert len(targets) >= 6  # the file's key and its head among them
    for target in targets:  # the live file through the installed command, the rest in-process
        run = installed if target == worked.path else worked
        for command in (("export", "patients"), ("report", "course", "1")):
            run.refused(*command, "-o", str(target), "--force", says="never writes over")
    assert backup.read_bytes() == kept
    installed.ok("db", "check")


@pytest.mark.sqlite_only
def test_a_database_and_its_keys_folder_are_made_the_owners_alone(clinic, installed):
    import stat

    from prolotrack.storage import keys

    keys.folder().mkdir(parents=True, mode=0o755)
    keys.folder().chmod(0o755)  # a folder another hand made
    clinic.ok("patient", "add", "Ada")
    clinic.path.chmod(0o644)  # copied in by another tool
    installed.ok("patient", "add", "Bo")
    assert stat.S_IMODE(clinic.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.folder().stat().st_mode) == 0o700


@pytest.mark.sqlite_only
@pytest.mark.parametrize("command", [("db", "status"), ("db", "check")])
def test_db_status_and_check_take_away_what_a_killed_backup_left(worked, installed, command):
    worked.ok("db", "backup")
    folder = worked.path.parent
    left = [
        folder / f".{worked.path.name}.999999.part",
        folder / f".{worked.path.name}.999999.part-journal",
        folder / "backups" / f".{worked.path.stem}-x.db.999999.part",
    ]
    for path in left:
        path.write_bytes(b"a whole copy of the record")
    installed.ok(*command)
    assert [p for p in left if p.exists()] == []


@pytest.mark.sqlite_only
def test_a_record_of_migrations_cut_short_is_named_not_a_raw_sqlite_error(worked, installed):

    with raw.connect(worked.path) as conn:
        conn.execute(
            "DELETE FROM _sqlite_migrations WHERE rowid = "
            "(SELECT max(rowid) FROM _sqlite_migrations)"
        )
    conn.close()
    message = installed.refused("patient", "list", status=3, says="record of migrations")
    assert "duplicate column" not in message and "db restore" in message


def test_an_icd10_code_carries_no_free_letters(worked, installed):
    installed.refused(
        "course", "edit", "1", "--icd10", "M17.1ZEB", "--reason", "x", says="ICD-10 code"
    )
    for code in ("M17.11", "S52.521A", "T36.0X1A", "M54.50"):
        installed.ok("course", "edit", "1", "--icd10", code, "--reason", "coded")


def test_a_practices_own_instrument_code_leaves_no_trace_in_a_deidentified_export(
    worked, installed
):
    worked.ok(
        "instruments",
        "add",
        "zeb-quixote-5550142",
        "--name",
        "local",
        "--min",
        "0",
        "--max",
        "10",
        "--better",
        "lower",
    )
    worked.ok("score", "add", "1", "zeb-quixote-5550142=4", "--date", "2026-03-03")
    worked.ok("log", "P-0001", "--site", "MCL:0.5:D15", "--score", "zeb-quixote-5550142=3")
    for table in ("scores", "injections", "progress"):
        for fmt in ("csv", "json"):
            shown = installed.ok("export", table, "--deidentify", "-f", fmt).stdout
            assert "zeb" not in shown and "5550142" not in shown, (table, fmt)
    scores = installed.json("export", "scores", "--deidentify")
    assert "other" in {s["instrument"] for s in scores}


def _small_files():  # a disk with room for 40 kB in any one file
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))


@pytest.mark.sqlite_only
def test_a_workbook_on_a_full_disk_is_one_line_and_leaves_nothing(generated, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    argv = [
        str(INSTALLED),
        "--db",
        str(generated),
        "export",
        "injections",
        "-f",
        "xlsx",
        "-o",
        str(out / "x.xlsx"),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, preexec_fn=_small_files)
    assert done.returncode == 1
    assert done.stderr.startswith("error: cannot write") and done.stderr.count("\n") == 1
    assert list(out.iterdir()) == []


@pytest.mark.sqlite_only
def test_a_backup_on_a_full_disk_blames_the_disk_not_the_record(generated, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    argv = [str(INSTALLED), "--db", str(generated), "db", "backup", str(out / "b.db")]
    done = subprocess.run(argv, capture_output=True, text=True, preexec_fn=_small_files)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"error: cannot write {out}") and "cannot be read" not in (
        done.stderr
    )
    assert list(out.iterdir()) == []


@pytest.fixture
def full_disk(tmp_path):
    """A 2 MB file system (tmpfs, as root), filled once the test has put its file there."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("a small file system needs root (mount -t tmpfs)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.sqlite_only
def test_reading_works_on_a_full_disk_and_a_write_names_the_disk(worked, full_disk):
    db = full_disk / "clinic.db"
    copy_record(worked.path, db)
    # unbuffered: what did not fit is not written again when the file closes
    with open(full_disk / "fill", "wb", buffering=0) as filler, pytest.raises(OSError):
        while True:
            filler.write(b"\0" * 4096)
    run = [str(INSTALLED), "--db", str(db), "--today", "2026-03-20"]
    listed = subprocess.run([*run, "session", "list", "-f", "json"], capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert len(__import__("json").loads(listed.stdout)) == 3
    added = subprocess.run([*run, "patient", "add", "Zed"], capture_output=True, text=True)
    assert added.returncode == 3 and "the disk holding it is full" in added.stderr
