"""``score add --form CODE --ask`` at a real terminal: the installed command under a
pseudo-terminal, answered item by item as a practitioner would, and stopped with Ctrl-C."""

import os
import select
import signal
import subprocess
import time

import pytest

from tests.conftest import INSTALLED

pytestmark = pytest.mark.sqlite_only  # a terminal session on the test's own file


def _start(clinic, *args):
    master, slave = os.openpty()
    argv = [str(INSTALLED), "--db", str(clinic.path), "--today", clinic.today.isoformat(), *args]
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    return process, master


def _read_until(master, wanted: str, shown: list[str], timeout: float = 30) -> str:
    """Read the terminal until ``wanted`` has been shown (everything shown goes to ``shown``)."""
    deadline = time.monotonic() + timeout
    while wanted not in "".join(shown):
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {wanted!r} in:\n{''.join(shown)}")
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown.append(chunk.decode(errors="replace").replace("\r\n", "\n"))
    return "".join(shown)


def _answer(master, shown, item: str, reply: str) -> None:
    _read_until(master, f"{item} (", shown)
    os.write(master, f"{reply}\n".encode())
    shown.append(f"<{reply}>")  # so that the next wait looks past this prompt
    shown[:] = ["".join(shown).split(f"{item} (", 1)[1]]


def test_ask_goes_item_by_item_with_the_clinics_wording_and_shows_the_scores_first(
    worked, installed, tmp_path
):
    sheet = tmp_path / "odi.csv"
    sheet.write_text("item,text,labels\nQ1,How bad is the pain just now,0=None|5=Worst\n")
    worked.ok("form", "text", "odi", str(sheet))
    process, master = _start(worked, "score", "add", "P-0001", "--form", "odi", "--ask",
                             "--date", "2026-03-16")  # fmt: skip
    seen, everything = [], []
    try:
        first = _read_until(master, "Q1 (", seen)
        everything.append(first)
        assert "How bad is the pain just now" in first and "0=None" in first
        for item, reply in [("Q1", "3"), ("Q2", "3"), ("Q3", "2"), ("Q4", "-"), ("Q5", "9")]:
            _answer(master, seen, item, reply)
        everything.append(_read_until(master, "out of its range 0-5", seen))
        for item, reply in [("Q5", "3"), ("Q6", "1"), ("Q7", "2"), ("Q8", "1"), ("Q9", "1")]:
            _answer(master, seen, item, reply)
        _answer(master, seen, "Q10", "0")
        preview = _read_until(master, "Record these?", seen)
        assert "odi=35.6" in preview  # shown before anything is written
        assert worked.json("score", "list", "P-0001", "--instrument", "odi") == []
        os.write(master, b"y\n")
        process.wait(timeout=60)
    finally:
        process.kill()
        os.close(master)
    assert process.returncode == 0
    [odi] = worked.json("score", "list", "P-0001", "--instrument", "odi")
    assert odi["value"] == 35.6 and odi["date"] == "2026-03-16"
    answers = worked.json("score", "show", str(odi["id"]))["answers"]
    assert [a["value"] for a in answers] == [3, 3, 2, None, 3, 1, 2, 1, 1, 0]


def test_ctrl_c_while_asking_writes_nothing(worked, installed):
    before = worked.fingerprint()
    process, master = _start(worked, "score", "add", "P-0001", "--form", "odi", "--ask")
    seen = []
    try:
        _answer(master, seen, "Q1", "3")
        _answer(master, seen, "Q2", "3")
        _read_until(master, "Q3 (", seen)
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        process.wait(timeout=60)
    finally:
        process.kill()
        os.close(master)
    assert process.returncode == 1
    assert worked.fingerprint() == before


def test_a_refusal_after_the_questions_writes_nothing_either(worked, installed):
    """All ten answered, then declined at the preview: nothing is written."""
    before = worked.fingerprint()
    process, master = _start(worked, "score", "add", "P-0001", "--form", "odi", "--ask")
    seen = []
    try:
        for n in range(1, 11):
            _answer(master, seen, f"Q{n}", "1")
        _read_until(master, "Record these?", seen)
        os.write(master, b"n\n")
        process.wait(timeout=60)
    finally:
        process.kill()
        os.close(master)
    assert process.returncode == 1
    assert worked.fingerprint() == before
