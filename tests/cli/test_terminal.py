"""Tables on a real terminal (SPEC, second edition, "Readable on a real terminal"): every table
command on the demo clinic, run under a pseudo-terminal 80, 100 and 120 columns wide, as a
practitioner sees it. No line is wider than the terminal, and no date, number, chart number, code
or one-word value is split across lines or cut."""

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests.conftest import copy_record

BIN = Path(sys.executable).parent / "prolotrack"
TODAY = "2026-11-23"
COMMANDS = [
    ("patient", "list"),
    ("course", "list"),
    ("course", "list", "--status", "discontinued"),
    ("session", "list"),
    ("score", "list", "P-0002"),
    ("progress", "P-0002"),
    ("progress", "P-0004"),
    ("progress", "P-0003"),  # bilateral, with follow-ups done and due
    ("progress", "P-0014"),  # lost to follow-up
    ("adverse", "list"),
    ("report", "outcomes", "--at", "6m", "--by", "icd10"),
    ("summary", "--days", "7"),
    ("summary", "--week"),
    ("due",),
    ("due", "--within", "8w"),
    ("report", "outcomes"),
    ("audit",),
    ("instruments",),
    ("protocol", "list"),
    ("protocol", "show", "knee-oa-rabago"),
    ("db", "status"),
    ("patient", "show", "P-0001"),
    ("course", "show", "1"),
    ("session", "show", "1"),
    ("form", "list"),
    ("form", "show", "koos"),
    ("form", "inbox"),
    ("score", "show", "1"),
]
# On one worker, so that each command runs once a width whichever test asks for it.
pytestmark = pytest.mark.xdist_group("terminal")
KEYWORDS = (
    "substantial",
    "moderate",
    "discontinued",
    "overdue",
    "completed",
    "minimal",
    "follow-up",
    "upcoming",
    "missed",
)
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
_RULE = re.compile(r"^[─━═│┃╇╈┼┿╋—-]+$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    if not BIN.exists():
        pytest.skip("prolotrack is not installed beside this Python")
    folder = tmp_path_factory.mktemp("terminal")
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(folder / "config"),
        "HOME": str(folder),
        "PROLOTRACK_TODAY": TODAY,
    }
    for name in ("COLUMNS", "LINES", "NO_COLOR", "PROLOTRACK_DB"):
        env.pop(name, None)
    path = folder / "demo.db"
    subprocess.run(
        [str(BIN), "demo", "--file", str(path)], env=env, check=True, capture_output=True
    )
    return path, env


def on_terminal(demo, args, columns: int, raw: bool = False, **extra: str) -> str:
    """What the command shows on a terminal ``columns`` wide, escape sequences taken out (or
    left in, ``raw``); ``extra``: more environment. The demo is only read: each command is run
    once a width (and a worker), whichever test asks first."""
    path, env = demo
    asked = (str(path), tuple(args), columns, tuple(sorted(extra.items())))
    if asked not in _SHOWN:
        shown, status, errors = _on_a_pty(
            [str(BIN), "--db", str(path), *args],
            columns,
            {**env, **extra, "TERM": "xterm-256color"},
        )
        assert status == 0, errors
        _SHOWN[asked] = shown
    return _SHOWN[asked] if raw else _ESCAPE.sub("", _SHOWN[asked])


_SHOWN: dict[tuple, str] = {}


def _on_a_pty(argv, columns: int, env, stderr_too: bool = False) -> tuple[str, int, str]:
    """Run ``argv`` with a pseudo-terminal ``columns`` wide as standard output (and error,
    ``stderr_too``): what it showed, its exit status, and standard error when piped."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    process = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave if stderr_too else subprocess.PIPE, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed with the program
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    process.wait(timeout=60)
    errors = "" if stderr_too else process.stderr.read().decode()
    return b"".join(chunks).decode().replace("\r\n", "\n"), process.returncode, errors


def on_a_pipe(demo, args) -> str:
    path, env = demo
    asked = (str(path), tuple(args))
    if asked not in _PIPED:
        _PIPED[asked] = subprocess.run(
            [str(BIN), "--db", str(path), *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return _PIPED[asked]


_PIPED: dict[tuple, str] = {}


def _words(text: str) -> list[str]:
    return [w for line in text.splitlines() for w in line.split() if not _RULE.match(w)]


def _protected(word: str) -> bool:
    """A word that must never be cut: a date, a number, a chart number, a code, a keyword."""
    bare = word.strip("(),;:")
    return bool(
        re.search(r"\d", bare)
        or bare.lower() in KEYWORDS
        or re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", bare)
    )


@pytest.mark.parametrize("columns", [80, 100, 120])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_tables_read_whole_on_a_terminal(demo, args, columns):
    shown = on_terminal(demo, args, columns)
    whole = set(_words(on_a_pipe(demo, args)))
    lines = shown.splitlines()
    from rich.cells import cell_len

    too_wide = [line for line in lines if cell_len(line) > columns]
    assert too_wide == [], f"lines wider than {columns}:\n" + "\n".join(too_wide)
    caption = "\n".join(
        lines[
            next((n for n, line in enumerate(lines) if line.startswith("Not shown")), len(lines)) :
        ]
    )
    allowed = whole | set(_words(caption))
    broken = []
    for word in _words(shown):
        if word in allowed or any(word in w for w in whole if "/" in w):
            continue  # whole, or a part of a path longer than the terminal, folded
        if word.endswith("…"):
            stem = word[:-1]
            full = [w for w in whole if w.startswith(stem)]
            if full and not any(_protected(w) for w in full):
                continue  # free text shortened with an ellipsis
        broken.append(word)
    assert broken == [], f"split or cut at {columns} columns: {broken}\n{shown}"


@pytest.mark.parametrize("columns", [80, 120])
def test_progress_charts_fit_the_terminal_and_honour_no_color(demo, columns):
    from rich.cells import cell_len

    shown = on_terminal(demo, ("progress", "P-0003", "--chart"), columns)
    assert "womac: lower is better; baseline 44" in shown
    assert "nrs: lower is better; baseline 6" in shown
    assert [line for line in shown.splitlines() if cell_len(line) > columns] == []
    coloured = on_terminal(demo, ("progress", "P-0003", "--chart"), columns, raw=True)
    assert "\x1b[38;5;" in coloured  # a colour terminal gets colour
    plain = on_terminal(demo, ("progress", "P-0003", "--chart"), columns, raw=True, NO_COLOR="1")
    colour = r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9]+)*m"  # bold is not
    assert not re.search(colour, plain), "NO_COLOR was not honoured"
    assert "womac: lower is better; baseline 44" in plain


_PARTED = re.compile(r"(?:^|\s{2})(\d[\d.]*\s?(?:%|g|mg|mL)[,;]?)(?=\s|$)(?!\s=)")  # not "12% = 5"


@pytest.mark.parametrize("columns", [80, 100, 120])
@pytest.mark.parametrize(
    "args",
    [
        ("session", "list"),
        ("course", "show", "3"),
        ("progress", "P-0003"),
        ("progress", "P-0006"),
        ("session", "show", "1"),
    ],
    ids=" ".join,
)
def test_a_drug_keeps_its_strength_and_an_amount_its_unit(demo, args, columns):
    """No strength or amount begins a line of a cell: 'lidocaine' / '1%' is one value."""
    shown = on_terminal(demo, args, columns)
    parted = [line for line in shown.splitlines() if _PARTED.search(line)]
    assert parted == [], f"a strength parted from its drug at {columns} columns:\n{shown}"


@pytest.mark.parametrize("columns", [80, 100])
def test_messages_wrap_to_the_terminals_width(demo, tmp_path, columns):
    """A warning, a confirmation and an error on a terminal: no line wider than it; on a pipe
    each stays one line."""
    from rich.cells import cell_len

    path, env = demo
    copy = tmp_path / "demo.db"
    copy_record(path, copy, path.parent / "config" / "prolotrack" / "keys")
    said = []
    for args in (
        ("log", "P-0001", "--site", "MCL:2:lidocaine 1%", "--site", "LCL:1:water"),
        ("course", "show", "999999"),
    ):
        shown, _, _ = _on_a_pty(
            [str(BIN), "--db", str(copy), *args], columns, {**env, "TERM": "xterm"}, stderr_too=True
        )
        said += _ESCAPE.sub("", shown).splitlines()
    assert any(line.startswith("warning: lidocaine 20 mg given with no weight") for line in said), (
        said
    )
    assert any(line.startswith("error: no course or patient") for line in said), said
    assert [line for line in said if cell_len(line) > columns] == []
    piped = on_a_pipe_with_errors(demo, copy)
    assert any(len(line) > columns for line in piped.splitlines())  # one line each on a pipe


def on_a_pipe_with_errors(demo, copy) -> str:
    _, env = demo
    argv = [
        str(BIN),
        "--db",
        str(copy),
        "log",
        "P-0001",
        "--date",
        "2026-11-20",
        "--site",
        "MCL:2:lidocaine 1%",
    ]
    return subprocess.run(argv, env=env, capture_output=True, text=True).stderr
