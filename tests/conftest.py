"""Fixtures: each test gets its own database file and a fixed "today"."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from prolotrack.cli.app import app

TODAY = date(2026, 3, 20)

WORKED_EXAMPLE = [
    ["patient", "add", "Ada Lovelace", "--chart", "P-0001", "--born", "1950-05-01", "--sex", "F"],
    ["course", "start", "P-0001", "--condition", "right knee osteoarthritis", "--region", "knee",
     "--side", "right", "--measure", "womac", "--every", "4w", "--sessions", "3",
     "--date", "2026-01-05"],
    ["session", "log", "P-0001", "--date", "2026-01-05", "--site", "intra-articular:6:D25",
     "--site", "MCL:0.5:D15", "--site", "pes anserine:0.5:D15", "--pain", "7",
     "--score", "womac=52"],
    ["session", "log", "P-0001", "--date", "2026-02-02", "--site", "intra-articular:6:D25",
     "--site", "MCL:0.5:D15", "--site", "pes anserine:0.5:D15", "--pain", "5",
     "--score", "womac=44"],
    ["session", "log", "P-0001", "--date", "2026-03-02", "--site", "intra-articular:6:D25",
     "--site", "MCL:0.5:D15", "--site", "pes anserine:0.5:D15", "--pain", "3",
     "--score", "womac=40"],
]  # fmt: skip


class Clinic:
    """Runs prolotrack commands against one test database with a fixed today."""

    def __init__(self, path: Path | str, today: date = TODAY):
        self.path = path
        self.today = today
        self.runner = CliRunner()

    def run(self, *args: str, input: str | None = None):
        argv = ["--db", str(self.path), "--today", self.today.isoformat(), *args]
        return self.runner.invoke(app, argv, input=input, catch_exceptions=False)

    def ok(self, *args: str, input: str | None = None):
        result = self.run(*args, input=input)
        assert result.exit_code == 0, f"{args} exited {result.exit_code}: {result.output}"
        return result

    def json(self, *args: str):
        return json.loads(self.ok(*args, "-f", "json").stdout)

    def fingerprint(self) -> str | None:
        """The file's bytes with its write-ahead log (on PostgreSQL, every table's rows): equal
        before and after means untouched."""
        if isinstance(self.path, str):
            return database_fingerprint(self.path)
        if not self.path.exists():
            return None
        digest = hashlib.sha256(self.path.read_bytes())
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists():
            digest.update(wal.read_bytes())
        return digest.hexdigest()

    def exists(self) -> bool:
        """Whether anything has been recorded (a file, or prolotrack's tables on the server)."""
        if isinstance(self.path, str):
            return self.fingerprint() is not None
        return self.path.exists()

    def refused(self, *args: str, status: int = 1, says: str = "") -> str:
        """Run a command that must fail with ``status``, one line on stderr, nothing written."""
        before = self.fingerprint()
        result = self.run(*args)
        assert result.exit_code == status, f"{args}: {result.exit_code} {result.output}"
        message = result.stderr.strip()
        assert message.startswith("error: "), message
        assert "\n" not in message, message
        assert says.lower() in message.lower(), message
        assert "Traceback" not in result.output
        assert self.fingerprint() == before, "a refused command changed the database"
        return message


INSTALLED = Path(sys.executable).parent / "prolotrack"


class Installed(Clinic):
    """The same clinic through the installed ``prolotrack``, a real process as a user runs it
    (standard error is a pipe here: messages are one line each)."""

    def run(self, *args: str, input: str | None = None):
        argv = [str(INSTALLED), "--db", str(self.path), "--today", self.today.isoformat(), *args]
        done = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=300)
        return SimpleNamespace(
            exit_code=done.returncode,
            stdout=done.stdout,
            stderr=done.stderr,
            output=done.stdout + done.stderr,
        )


def pytest_addoption(parser):
    parser.addoption(
        "--engine",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="the engine the clinic fixtures record in: a SQLite file (the default), or a new"
        " database on the PostgreSQL server PROLOTRACK_TEST_POSTGRES names",
    )

    parser.addoption(
        "--encrypted",
        action="store_true",
        help="every file the tests make is encrypted: PROLOTRACK_KEY is set to a test key for"
        " the whole run (SQLite only)",
    )


# The key of the encrypted pass (``--encrypted``): 32 bytes, as 'db encrypt' makes them.
TEST_KEY = "5eed" * 16


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "sqlite_only: run in the default pass only: about the SQLite file itself (its bytes,"
        " modes, companions), or setting up the engines it needs itself",
    )
    config.addinivalue_line(
        "markers",
        "plain_only: not in the encrypted pass: about a plain file's own bytes, or making"
        " plain files (of earlier versions) by hand",
    )
    # The key is set for the whole run, fixtures made once included (never the developer's own)
    if config.getoption("--encrypted"):
        os.environ["PROLOTRACK_KEY"] = TEST_KEY
    else:
        os.environ.pop("PROLOTRACK_KEY", None)


def encrypted_pass() -> bool:
    """Whether this run is the encrypted pass (every file made encrypted with TEST_KEY)."""
    return os.environ.get("PROLOTRACK_KEY") == TEST_KEY


def pytest_collection_modifyitems(config, items):
    if config.getoption("--encrypted"):
        if config.getoption("--engine") == "postgresql":
            raise pytest.UsageError("--encrypted is a pass of the SQLite file; not with postgresql")
        plain = pytest.mark.skip(reason="about a plain file: not in the encrypted pass")
        for item in items:
            if item.get_closest_marker("plain_only"):
                item.add_marker(plain)
        return
    if config.getoption("--engine") != "postgresql":
        return
    only = pytest.mark.skip(reason="run in the default (SQLite) pass only")
    same = pytest.mark.skip(reason="records no clinic: the default pass runs it the same way")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(only)
        elif "clinic" not in getattr(item, "fixturenames", ()):
            item.add_marker(same)


@pytest.fixture
def clinic(request, tmp_path) -> Clinic:
    if request.config.getoption("--engine") == "postgresql":
        return Clinic(request.getfixturevalue("postgres_url"))
    return Clinic(tmp_path / "clinic.db")


def database_fingerprint(url: str) -> str | None:
    """A digest of every row of every table of a PostgreSQL database (None before any)."""
    import psycopg

    digest = hashlib.sha256()
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        if not tables:
            return None
        for table in tables:
            digest.update(table.encode())
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def copy_record(
    source: Path | str,
    target: Path | str,
    keys_folder: Path | None = None,
    into: Path | None = None,
) -> None:
    """Copy a record with its head, as if it had been recorded at ``target``: a file copied by
    hand has no head of its own and takes no write (docs/reliability.md). A PostgreSQL database
    (a URL) is copied whole on its server, ``target`` made from it as a template. The keys
    folder is this process's (``keys_folder`` for another's); ``into``: the keys folder the copy
    is used with, when another (the record's key goes there too, as on a machine it was moved
    to)."""
    import shutil

    from prolotrack.storage import keys

    folder = keys_folder or keys.folder()
    into = into or folder
    if isinstance(source, str):
        _copy_database(source, str(target))
    else:
        shutil.copy2(source, target)
    (head,) = folder.glob(f"*-{keys.place(source)}.head")
    file_id = head.name.rsplit("-", 1)[0]
    if into != folder:
        into.mkdir(mode=0o700, parents=True, exist_ok=True)
        for kept in (f"{file_id}.key", f"{file_id}.sealed"):
            if (folder / kept).exists():
                shutil.copy2(folder / kept, into / kept)
    shutil.copy2(head, into / f"{file_id}-{keys.place(target)}.head")


def _copy_database(source: str, target: str) -> None:
    """``target`` (an empty database of the test server, or none) made anew as a copy of
    ``source``; whoever is still connected to ``source`` is let go first (a template takes
    no one else)."""
    import psycopg

    source_name, target_name = source.rsplit("/", 1)[1], target.rsplit("/", 1)[1]
    with psycopg.connect(os.environ["PROLOTRACK_TEST_POSTGRES"], autocommit=True) as server:
        server.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (source_name,),
        )
        server.execute(f"DROP DATABASE IF EXISTS {target_name} WITH (FORCE)")
        server.execute(f"CREATE DATABASE {target_name} TEMPLATE {source_name}")


@pytest.fixture
def installed(clinic) -> Installed:
    """The test's clinic, through the installed command."""
    if not INSTALLED.exists():
        pytest.skip("prolotrack is not installed beside this Python")
    return Installed(clinic.path, clinic.today)


@pytest.fixture(scope="session")
def worked_record(request, tmp_path_factory) -> tuple[Path | str, Path]:
    """The worked example recorded once (per worker and engine) in a record of its own: the
    file (or the server's database) and the keys folder that holds its key and head."""
    from prolotrack.storage import keys

    folder = tmp_path_factory.mktemp("worked")
    with pytest.MonkeyPatch.context() as patch:
        _isolate(patch, folder)
        if request.config.getoption("--engine") == "postgresql":
            recorded = Clinic(request.getfixturevalue("postgres_database"))
        else:
            recorded = Clinic(folder / "clinic.db")
        for command in WORKED_EXAMPLE:
            recorded.ok(*command)
        return recorded.path, keys.folder()


@pytest.fixture
def worked(request, clinic) -> Clinic:
    """The worked example of the foundation issue, recorded: a copy of the one recorded once,
    with its key and head, as if recorded at the test's own place."""
    from prolotrack.storage import keys

    source, keys_folder = request.getfixturevalue("worked_record")
    copy_record(source, clinic.path, keys_folder, into=keys.folder())
    return clinic


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No test reads the developer's environment or writes to their user data folder."""
    _isolate(monkeypatch, tmp_path)


def _isolate(monkeypatch, folder: Path) -> None:
    for name in ("PROLOTRACK_DB", "PROLOTRACK_TODAY", "PROLOTRACK_KEYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "xdg-data"))
    monkeypatch.setenv("HOME", str(folder / "home"))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards. The server is
    ``PROLOTRACK_TEST_POSTGRES`` (a superuser's URL; ``.ci/run`` starts a throwaway one)."""
    yield from _new_database()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database kept for the whole run (of a worker)."""
    yield from _new_database()


def _new_database() -> Iterator[str]:
    admin = os.environ.get("PROLOTRACK_TEST_POSTGRES")
    if not admin:
        pytest.skip(
            "no PostgreSQL server for the tests (.ci/run starts one and sets"
            " PROLOTRACK_TEST_POSTGRES)"
        )
    import psycopg

    name = f"prolotrack_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
    yield admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
