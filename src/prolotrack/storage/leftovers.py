"""Temporary files a killed command left behind, and taking them away.

Every file prolotrack writes on its way to a finished one (the staging file of a new database,
a backup's copy before it is checked, an export before it is renamed into place, the note of
the file's identity) carries the process id of the command that writes it:
``.NAME.PID.new``, ``.NAME.PID.part``, ``.NAME.verified.PID``. A command that finishes or
fails removes its own; one killed outright (SIGKILL, a power cut) cannot, so the next command
in that folder removes those whose process no longer runs. A file of a process still running
is never touched: it may be another prolotrack at work.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

# .NAME.PID.new and .NAME.PID.part, with SQLite's -wal, -shm or -journal; .NAME.verified.PID
_LEFT = re.compile(r"^\..+\.(?P<pid>\d+)\.(?:new|part)(?:-wal|-shm|-journal)?$")
_NOTE = re.compile(r"^\..+\.verified\.(?P<pid>\d+)$")


def temporary_name(path: Path, kind: str) -> Path:
    """Where a command writes ``path`` before it is whole: ``.NAME.PID.KIND`` beside it."""
    return path.with_name(f".{path.name}.{os.getpid()}.{kind}")


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OverflowError:  # no process can have that number
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep(*folders: Path) -> list[Path]:
    """Remove what killed commands left in these folders; returns what was removed."""
    removed = []
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            found = _LEFT.match(name) or _NOTE.match(name)
            if found and not _running(int(found["pid"])):
                with contextlib.suppress(OSError):
                    (folder / name).unlink()
                    removed.append(folder / name)
    return removed
