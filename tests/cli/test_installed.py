"""The installed program, run as a user runs it: a real process, a real pipe."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _run(*args, env_extra=None, tmp_path):
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path / "home"),
        "PROLOTRACK_TODAY": "2026-03-20",
        **(env_extra or {}),
    }
    env.pop("PROLOTRACK_DB", None)
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def prolotrack():
    script = BIN / "prolotrack"
    if not script.exists():
        pytest.skip("prolotrack is not installed beside this Python")
    return str(script)


def test_demo_builds_its_own_file_and_suggests_commands(prolotrack, tmp_path):
    result = _run(prolotrack, "demo", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    demo = tmp_path / "data" / "prolotrack" / "demo.db"
    assert f"Built a sample clinic in {demo}" in result.stdout
    assert result.stdout.count(f"prolotrack --db {demo} ") == 4
    assert f"prolotrack --db {demo} report course P-0003 -o report.html" in result.stdout
    assert "prolotrack --help" in result.stdout  # where to learn more
    assert "prolotrack patient add" in result.stdout  # and how to begin one's own clinic
    assert not (tmp_path / "data" / "prolotrack" / "prolotrack.db").exists()
    assert oct(demo.stat().st_mode & 0o777) == "0o600"
    again = _run(prolotrack, "demo", tmp_path=tmp_path)  # a demo file is rebuilt, not refused
    assert again.returncode == 0, again.stderr
    listed = _run(prolotrack, "--db", str(demo), "patient", "list", "-f", "json", tmp_path=tmp_path)
    patients = json.loads(listed.stdout)
    assert len(patients) == 14 and patients[0]["chart"].startswith("P-")


def test_demo_never_replaces_a_file_that_is_not_a_demo(prolotrack, tmp_path):
    mine = tmp_path / "mine.db"
    made = _run(prolotrack, "--db", str(mine), "patient", "add", "Ada", tmp_path=tmp_path)
    assert made.returncode == 0, made.stderr
    before = mine.read_bytes()
    result = _run(prolotrack, "demo", "--file", str(mine), tmp_path=tmp_path)
    assert result.returncode == 1
    assert "not a demo file" in result.stderr
    assert mine.read_bytes() == before


def test_module_entry_point_and_errors_without_traceback(tmp_path):
    result = _run(
        sys.executable,
        "-m",
        "prolotrack",
        "--db",
        str(tmp_path / "x.db"),
        "patient",
        "show",
        "nobody",
        tmp_path=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: no database at")
    assert "Traceback" not in result.stderr


def test_table_through_a_pipe_neither_wraps_nor_colours(prolotrack, tmp_path):
    db = str(tmp_path / "c.db")
    long_condition = "chronic right lateral epicondylosis with common extensor origin tendinopathy"
    steps = [
        ("patient", "add", "Maximilian Alexander Featherstonehaugh-Cholmondeley", "--chart", "P-1"),
        ("course", "start", "P-1", "--condition", long_condition, "--date", "2026-03-01"),
    ]
    for step in steps:
        assert _run(prolotrack, "--db", db, *step, tmp_path=tmp_path).returncode == 0
    result = _run(
        prolotrack,
        "--db",
        db,
        "course",
        "list",
        tmp_path=tmp_path,
        env_extra={"COLUMNS": "60", "FORCE_COLOR": ""},
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b[" not in result.stdout
    rows = [line for line in result.stdout.splitlines() if "P-1" in line]
    assert len(rows) == 1
    assert long_condition in rows[0]
    assert "Maximilian Alexander Featherstonehaugh-Cholmondeley" in rows[0]


def test_version_of_the_installed_program(prolotrack, tmp_path):
    from prolotrack import __version__

    for command in ([prolotrack, "--version"], [sys.executable, "-m", "prolotrack", "--version"]):
        result = _run(*command, tmp_path=tmp_path)
        assert (result.returncode, result.stdout) == (0, f"prolotrack {__version__}\n")


HEAVY = ("matplotlib", "plotext", "openpyxl", "playwright", "fhir", "flask", "waitress", "segno")


@pytest.mark.parametrize(
    "args",
    [["--help"], ["progress", "1"], ["due"], ["export", "scores"], ["form", "inbox"],
     ["summary"]],
    ids=" ".join,
)  # fmt: skip
def test_commands_that_draw_no_chart_load_no_chart_library(worked, args):
    """Start-up stays light: matplotlib, plotext and openpyxl load only in the commands that
    need them (report course, progress --chart, export -f xlsx), the web stack only in
    form serve, the QR codes only with --qr or -o."""
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: print('LOADED', sorted(m for m in {HEAVY!r} if m in"
        " sys.modules), file=sys.stderr))\n"
        "from prolotrack.cli.entry import main\n"
        f"sys.argv = ['prolotrack', '--db', {str(worked.path)!r}, *{args!r}]\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PROLOTRACK_TODAY": "2026-03-20"},
    )
    assert "LOADED []" in result.stderr, result.stderr
    charted = subprocess.run(
        [sys.executable, "-c", code.replace(repr(args), repr(["progress", "1", "--chart"]))],
        capture_output=True,
        text=True,
    )
    assert "'plotext'" in charted.stderr and "'matplotlib'" not in charted.stderr


def test_a_command_builds_only_itself(worked):
    """Start-up pays for the named command alone: 'summary' imports its own module and
    none of the other commands' (each is built when it is named; --help builds them all)."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('CLI', sorted(m for m in sys.modules"
        " if m.startswith('prolotrack.cli.')), file=sys.stderr))\n"
        "from prolotrack.cli.entry import main\n"
        f"sys.argv = ['prolotrack', '--db', {str(worked.path)!r}, *sys.argv[1:]]\n"
        "main()\n"
    )

    def modules(*args):
        env = {**os.environ, "PROLOTRACK_TODAY": "2026-03-20"}
        result = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, result.stderr
        return {
            m.removeprefix("prolotrack.cli.")
            for m in ast.literal_eval(result.stderr.split("CLI ")[-1].strip())
        }

    commands = {
        "adverse",
        "courses",
        "data",
        "database",
        "demo",
        "patients",
        "protocols",
        "scores",
        "sessions",
        "report_course",
        "admin",
    }
    assert "reports" in modules("summary")
    assert modules("summary") & commands == {"report_course"}  # 'report course' lives beside it
    assert modules("patient", "list") & commands == {"patients"}
    assert modules("--help") >= commands | {"reports"}


def test_a_command_on_postgresql_loads_no_sqlite_utils(postgres_url):
    """sqlite-utils is the file's: a command on a server does without it, and without numpy,
    which sqlite-utils imports when it is installed (0.08 s of every command there)."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('LOADED', sorted(m for m in ('sqlite_utils', 'numpy')"
        " if m in sys.modules), file=sys.stderr))\n"
        "from prolotrack.cli.entry import main\n"
        f"sys.argv = ['prolotrack', '--db', {postgres_url!r}, *sys.argv[1:]]\n"
        "main()\n"
    )
    for args in (["patient", "add", "Ada Test", "--chart", "P-1"], ["patient", "list"]):
        result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "LOADED []" in result.stderr, (args, result.stderr)
