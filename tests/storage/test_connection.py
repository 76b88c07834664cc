"""The file: where it is, its mode, its journal, one transaction per command, its schema."""

import os
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prolotrack.domain.errors import DatabaseBusy, DatabaseMissing, DatabaseUnusable
from prolotrack.storage import patients, schema
from prolotrack.storage.connection import default_path, transaction
from tests import raw

pytestmark = pytest.mark.sqlite_only  # about the SQLite file itself


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_file_and_its_companions_are_readable_by_the_owner_alone(tmp_path):
    path = tmp_path / "new-folder" / "clinic.db"
    old = os.umask(0o022)
    try:
        with transaction(path, write=True) as db:
            patients.add(db, {"name": "Ada"})
            companions = [p for p in path.parent.iterdir() if p.name != path.name]
            modes = {p.name: _mode(p) for p in companions}
    finally:
        os.umask(old)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert modes and all(m == 0o600 for m in modes.values()), modes
    assert os.umask(0o022) == 0o022  # the process's umask is given back


def test_wal_foreign_keys_and_schema_version(tmp_path):
    path = tmp_path / "clinic.db"
    with transaction(path, write=True) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert schema.version(db) == len(schema.KNOWN)
        with pytest.raises(raw.errors("IntegrityError")):
            db.execute(
                "INSERT INTO courses (patient_id, condition, measure, interval,"
                " started_on, created_at, updated_at)"
                " VALUES (99, 'x', 'nrs', '4w', '2026-01-01', 'now', 'now')"
            )


def test_a_failing_command_writes_nothing(tmp_path):
    path = tmp_path / "clinic.db"
    with transaction(path, write=True) as db:
        patients.add(db, {"name": "Ada"})
    with pytest.raises(RuntimeError), transaction(path, write=True) as db:
        patients.add(db, {"name": "Grace"})
        raise RuntimeError("the command failed halfway")
    with transaction(path, write=False) as db:
        assert [r["name"] for r in db.query("SELECT name FROM patients")] == ["Ada"]


def test_reading_a_missing_file_creates_nothing(tmp_path):
    path = tmp_path / "absent" / "clinic.db"
    with pytest.raises(DatabaseMissing), transaction(path, write=False):
        pass
    assert not path.parent.exists()


def test_a_write_waits_then_fails_busy_without_writing(tmp_path):
    path = tmp_path / "clinic.db"
    with transaction(path, write=True) as db:
        patients.add(db, {"name": "Ada"})
    holder = raw.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with (
            pytest.raises(DatabaseBusy, match="busy"),
            transaction(path, write=True, busy_timeout=0.2) as db,
        ):
            patients.add(db, {"name": "Grace"})
    finally:
        holder.rollback()
        holder.close()
    with transaction(path, write=False) as db:
        assert db.execute("SELECT count(*) FROM patients").fetchone()[0] == 1


def test_a_damaged_file_is_refused(tmp_path):
    path = tmp_path / "clinic.db"
    with transaction(path, write=True) as db:
        patients.add(db, {"name": "Ada"})
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page, keep the header
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseUnusable), transaction(path, write=True):
        pass


def test_default_path_is_in_the_user_data_folder(tmp_path):
    assert default_path() == tmp_path / "xdg-data" / "prolotrack" / "prolotrack.db"


def test_the_catalogue_is_seeded_with_its_sources(tmp_path):
    with transaction(tmp_path / "c.db", write=True) as db:
        womac = db["instruments"].get("womac")
    assert (womac["minimum"], womac["maximum"], womac["better"]) == (0, 96, "lower")
    assert (womac["mcid"], womac["mcid_unit"]) == (12, "percent")
    assert "PMC7990728" in womac["source"]


@given(st.lists(st.sampled_from(["id", "id_2", "name", "name_2", "name_3", "date"]), max_size=8))
def test_repeated_column_names_are_numbered_as_sqlite_utils_numbers_them(names):
    from sqlite_utils.utils import dedupe_keys

    from prolotrack.storage import rows

    assert rows.keys(iter(names)) == dedupe_keys(names)
