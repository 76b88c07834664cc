"""The guide's commands work when pasted: every `prolotrack` line of docs/guide.md's blocks,
in order, into a new clinic (a line with a placeholder such as `...` is an example, skipped)."""

import re
import shlex
from pathlib import Path

import pytest

GUIDE = Path(__file__).parents[2] / "docs" / "guide.md"
_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)


def _commands() -> list[list[str]]:
    found = []
    for block in _BLOCK.findall(GUIDE.read_text()):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if not words or words[0] != "prolotrack" or "..." in line or "demo" in words:
                continue
            if words[1:3] in (["db", "restore"],):  # names a backup made at another time
                continue
            found.append(words[1:])
    return found


@pytest.mark.sqlite_only  # the file's own commands (db backup) are in the guide
def test_every_command_of_the_guide_runs_as_written(clinic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    commands = _commands()
    assert len(commands) > 30
    for words in commands:
        clinic.ok(*words)
