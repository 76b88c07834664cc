"""Refusing to write to a damaged file, without checking the whole file on every command.

SQLite's full integrity check reads every page (seconds on a ten-year file), too slow for each
command. But a file prolotrack left sound stays sound unless something else touches it: another
program, a sync tool copying it mid-write, a disk error. So after each write prolotrack notes
the file's identity (inode, size and modification time of the file and its write-ahead log) in
a small companion file; a write command that finds the identity changed runs the whole of 'db
check' first (storage/connection.py) and refuses a damaged or tampered file. The cost falls
only on the first write after a change made outside prolotrack (and on the first write after
an upgrade, when there is no note yet).
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def _note(path: Path) -> Path:
    return path.with_name(f".{path.name}.verified")


def _identity(path: Path) -> list:
    found = []
    for part in (path, Path(f"{path}-wal")):
        try:
            s = part.stat()
        except FileNotFoundError:
            found.append(None)
            continue
        found.append([s.st_ino, s.st_size, s.st_mtime_ns])
    return found


def changed_since_noted(path: Path) -> bool:
    try:
        noted = json.loads(_note(path).read_text())
    except (OSError, ValueError):
        return True
    return noted != _identity(path)


def note(path: Path) -> None:
    """Remember the file as prolotrack left it (best effort: without a note, the next write
    simply checks the file again)."""
    target = _note(path)
    temporary = target.with_name(f"{target.name}.{os.getpid()}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(_identity(path), handle)
        os.replace(temporary, target)
    except OSError:
        pass
