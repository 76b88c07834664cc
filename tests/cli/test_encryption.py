"""Encrypted at rest: 'db encrypt' and 'db decrypt', the key's ways in, and every refusal.

Each test makes its own record with the key it needs (none set unless the test sets it), so
that it runs alike in the plain pass and the encrypted one.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prolotrack.storage import keys
from tests.conftest import WORKED_EXAMPLE, Clinic, Installed

PLAIN = b"SQLite format 3\x00"
KEY = "c0ffee" * 10 + "c0de"  # 64 hexadecimal digits


@pytest.fixture(autouse=True)
def _no_key_set(monkeypatch):
    monkeypatch.delenv("PROLOTRACK_KEY", raising=False)


@pytest.fixture
def record(tmp_path) -> Clinic:
    """The worked example in a plain file of its own folder."""
    recorded = Clinic(tmp_path / "clinic" / "clinic.db")
    for command in WORKED_EXAMPLE:
        recorded.ok(*command)
    return recorded


def _header(path: Path) -> bytes:
    return path.read_bytes()[:16]


def _backups(record: Clinic) -> list[Path]:
    return sorted((record.path.parent / "backups").glob("*.db"))


def _key_files() -> list[Path]:
    return sorted(keys.folder().glob("*.dbkey"))


def test_encrypt_leaves_no_name_readable_in_the_file_or_its_backups_and_the_record_whole(record):
    record.ok("db", "backup")
    audit = record.json("audit")
    for path in (record.path, *_backups(record)):  # what encryption takes away
        assert b"Lovelace" in path.read_bytes()
    said = record.ok("db", "encrypt").stderr
    assert "Encrypted" in said and "and 1 backup" in said
    (key_file,) = _key_files()
    assert f"Key: {key_file}" in said
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32
    for path in (record.path, *_backups(record)):
        assert _header(path) != PLAIN
        assert b"Lovelace" not in path.read_bytes()
        assert path.stat().st_mode & 0o777 == 0o600
    assert record.json("db", "status")["encrypted"] is True
    record.ok("db", "check")
    assert record.json("audit") == audit  # nothing in the record changed, nor its log
    record.ok(
        "session", "log", "P-0001", "--date", "2026-03-16", "--site", "MCL:0.5:D15", "--pain", "2"
    )
    record.ok("db", "check")
    assert len(record.json("session", "list")) == 4
    (backup,) = _backups(record)
    assert record.ok("--db", str(backup), "patient", "list", "-f", "csv").stdout.count("\n") == 2


def test_decrypt_turns_the_file_and_its_backups_back_and_keeps_the_key(record):
    record.ok("db", "encrypt")
    record.ok("db", "backup")
    said = record.ok("db", "decrypt").stderr
    assert "Decrypted" in said and "and 1 backup" in said
    for path in (record.path, *_backups(record)):
        assert _header(path) == PLAIN
    with sqlite3.connect(record.path) as conn:  # any SQLite tool reads it again
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 3
    record.ok("db", "check")
    assert len(_key_files()) == 1  # a copy kept elsewhere may still need it
    record.refused("db", "decrypt", says="is not encrypted")
    record.ok("db", "encrypt")  # again: with the key it had
    assert len(_key_files()) == 1
    record.ok("db", "check")


def test_a_key_file_elsewhere_is_found_through_its_link_and_missed_by_name(record, tmp_path):
    stick = tmp_path / "stick" / "clinic.key"
    record.ok("db", "encrypt", "--key-file", str(stick))
    assert stick.stat().st_mode & 0o777 == 0o600
    (link,) = _key_files()
    assert link.is_symlink() and link.resolve() == stick
    assert len(record.json("patient", "list")) == 1
    stick.rename(tmp_path / "elsewhere.key")  # the drive taken out
    message = record.refused("patient", "list", status=3, says=str(stick))
    assert "missing" in message


def test_a_key_file_is_never_beside_the_record_nor_over_another(record, tmp_path):
    record.refused("db", "encrypt", "--key-file", str(record.path.parent / "k"), says="own folder")
    taken = tmp_path / "taken.key"
    taken.write_text("mine\n")
    record.refused("db", "encrypt", "--key-file", str(taken), says="never written over")
    assert taken.read_text() == "mine\n"
    assert _header(record.path) == PLAIN and _key_files() == []


def test_the_key_in_the_environment_encrypts_new_files_and_takes_no_key_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PROLOTRACK_KEY", KEY)
    made = Clinic(tmp_path / "new.db")
    made.ok("patient", "add", "Ada Lovelace", "--chart", "P-1")
    assert _header(made.path) != PLAIN and _key_files() == []
    demo = tmp_path / "demo.db"
    made.ok("demo", "--file", str(demo))
    assert _header(demo) != PLAIN
    exported = tmp_path / "patients.csv"
    made.ok("export", "patients", "-o", str(exported))
    assert "Ada Lovelace" in exported.read_text()  # exports are written plain
    made.refused("export", "patients", "-o", str(demo), "--force", says="encrypted database")
    monkeypatch.delenv("PROLOTRACK_KEY")
    made.refused("patient", "list", status=3, says="no key file")


@pytest.mark.parametrize(
    "setting, says",
    [
        (KEY, "the key in PROLOTRACK_KEY does not open"),
        ("not-a-key", "PROLOTRACK_KEY is not a key: a key is 64 hexadecimal digits"),
        (None, "there is no key file in"),
        ("malformed file", "does not hold a key"),
    ],
)
def test_a_wrong_missing_or_malformed_key_is_one_line_exit_3_and_writes_nothing(
    record, setting, says, tmp_path, monkeypatch
):
    record.ok("db", "encrypt")
    (key_file,) = _key_files()
    key_file.rename(tmp_path / "away.key")
    if setting == "malformed file":
        key_file.write_text("0123\n")
    elif setting is not None:
        monkeypatch.setenv("PROLOTRACK_KEY", setting)
    user = Installed(record.path, record.today)
    for command in (("patient", "list"), ("patient", "add", "Grace Hopper"), ("db", "check")):
        message = user.refused(*command, status=3, says=says)
        assert "sqlcipher" not in message.lower() and "hmac" not in message.lower()
    assert user.run("db", "backup").exit_code == 3
    assert not (record.path.parent / "backups").exists()


def test_a_plain_file_opened_with_a_key_set_says_it_is_not_encrypted(record, monkeypatch):
    monkeypatch.setenv("PROLOTRACK_KEY", KEY)
    user = Installed(record.path, record.today)
    user.refused("patient", "list", status=3, says="is not encrypted, but PROLOTRACK_KEY is set")


def test_restore_with_a_key_set_over_a_plain_record_refuses_and_sets_nothing_aside(
    record, tmp_path, monkeypatch
):
    """Before the fix, the record a key did not open was taken for damage: set aside, and the
    backup put in its place."""
    backup = record.ok("db", "backup", str(tmp_path / "b.db")).stdout.strip()
    monkeypatch.setenv("PROLOTRACK_KEY", KEY)
    key_file = str(tmp_path / "k")
    record.refused("--db", backup, "db", "encrypt", "--key-file", key_file, says="PROLOTRACK_KEY")
    record.ok("--db", backup, "db", "encrypt")  # the backup, encrypted with the key set
    record.refused("db", "restore", backup, status=3, says="is not encrypted")
    assert list(record.path.parent.glob("*.damaged-*")) == []
    assert not (record.path.parent / "backups").exists()


def test_a_backup_is_encrypted_and_a_plain_one_restores_into_the_encrypted_record(record, tmp_path):
    plain = record.ok("db", "backup", str(tmp_path / "before.db")).stdout.strip()
    record.ok("db", "encrypt")
    record.ok("patient", "add", "Grace Hopper")
    made = Path(record.ok("db", "backup").stdout.strip())
    assert _header(made) != PLAIN
    assert _header(Path(plain)) == PLAIN  # outside the backup folder: 'db encrypt' left it
    record.ok("db", "restore", plain)
    assert _header(record.path) != PLAIN  # the record stays encrypted
    assert [p["name"] for p in record.json("patient", "list")] == ["Ada Lovelace"]
    record.ok("db", "check")
    record.ok("db", "restore", str(made))
    assert len(record.json("patient", "list")) == 2
    record.ok("db", "check")
    strays = [p.name for p in record.path.parent.rglob(".*") if ".verified" not in p.name]
    assert strays == []


def test_a_copy_of_an_encrypted_file_is_encrypted_with_its_key(record, tmp_path):
    record.ok("db", "encrypt")
    copy = tmp_path / "copy.db"
    record.ok("db", "copy", "--to", str(copy))
    assert _header(copy) != PLAIN
    assert record.ok("--db", str(copy), "db", "check").exit_code == 0


def test_copied_to_postgresql_and_back_into_an_encrypted_file(
    record, tmp_path, request, monkeypatch
):
    record.ok("db", "encrypt")
    (key_file,) = _key_files()
    monkeypatch.setenv("PROLOTRACK_KEY", key_file.read_text().strip())
    url = request.getfixturevalue("postgres_url")
    record.ok("db", "copy", "--to", url)
    back = tmp_path / "back.db"
    record.ok("--db", url, "db", "copy", "--to", str(back))
    assert _header(back) != PLAIN
    assert record.ok("--db", str(back), "db", "check").exit_code == 0
    assert len(record.json("--db", str(back), "session", "list")) == 3


def test_a_write_waiting_while_the_file_is_replaced_writes_nothing(record, tmp_path):
    """A command that opened the file before 'db encrypt' renamed the new one into place finds
    it replaced once it has the lock, and writes nothing to the file taken away."""
    holder = sqlite3.connect(record.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    user = Installed(record.path, record.today)
    waiting = subprocess.Popen(
        [str(user_bin()), "--db", str(record.path), "patient", "add", "Grace Hopper"],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)  # it has opened the file and waits for the lock
    replacement = tmp_path / "replacement.db"
    shutil.copy2(record.path, replacement)
    os.replace(replacement, record.path)
    holder.execute("ROLLBACK")
    holder.close()
    _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 3, err
    assert "was replaced while this command waited" in err
    assert len(user.json("patient", "list")) == 1


def user_bin() -> Path:
    return Path(sys.executable).parent / "prolotrack"


PATIENTS, KILLS = 120, 4  # a conversion of about a second, killed four times


def _clinic_of(tmp_path: Path, patients: int) -> Installed:
    sheet = tmp_path / "sheet.csv"
    rows = ["chart,name,condition,started_on,session_date,site,volume_ml,solution,nrs"]
    for p in range(patients):
        for s in range(10):
            rows.append(f"C-{p},Patient {p},knee,2024-01-01,2024-{1 + s:02d}-01,MCL,0.5,D15,5")
    sheet.write_text("\n".join(rows) + "\n")
    user = Installed(tmp_path / "clinic" / "clinic.db")
    user.ok("import", str(sheet))
    return user


@pytest.mark.parametrize("way", ["encrypt", "decrypt"])
def test_a_conversion_killed_at_random_moments_leaves_the_file_whole_one_way_or_the_other(
    tmp_path, way
):
    if not user_bin().exists():
        pytest.skip("prolotrack is not installed beside this Python")
    user = _clinic_of(tmp_path, patients=PATIENTS)
    user.ok("db", "backup")
    if way == "decrypt":
        user.ok("db", "encrypt")
    folder = user.path.parent
    base = tmp_path / "base"
    shutil.copytree(folder, base)
    base_keys = tmp_path / "base-keys"
    shutil.copytree(keys.folder(), base_keys)
    started = time.monotonic()
    user.ok("db", way)
    duration = time.monotonic() - started
    rng = random.Random(33)
    seen = []
    for attempt in range(KILLS):
        shutil.rmtree(folder)
        shutil.copytree(base, folder)
        shutil.rmtree(keys.folder())
        shutil.copytree(base_keys, keys.folder())
        process = subprocess.Popen(
            [str(user_bin()), "--db", str(user.path), "db", way],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 1.05) * duration)  # the record is converted last
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert len(json.loads(user.ok("patient", "list", "-f", "json").stdout)) == PATIENTS
        seen.append(_header(user.path) == PLAIN)
        user.ok("db", "check")
        user.ok("patient", "add", f"After {attempt}")
        strays = [p.name for p in folder.rglob(".*") if ".verified" not in p.name]
        assert strays == [], strays
        if (_header(user.path) == PLAIN) == (way == "encrypt"):
            user.ok("db", way)  # converting again finishes the work
        assert (_header(user.path) == PLAIN) == (way == "decrypt")
        user.ok("db", "check")
        for backup in sorted((folder / "backups").glob("*.db")):
            assert (_header(backup) == PLAIN) == (way == "decrypt"), backup
    plain = seen.count(True)
    print(f"{way} killed {KILLS} times: plain after {plain}, encrypted {KILLS - plain}")
