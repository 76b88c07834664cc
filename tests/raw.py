"""A test's own hands on a record file, as another program has them: Python's ``sqlite3`` on a
plain file, SQLCipher with the key on an encrypted one. In the encrypted pass (``--encrypted``:
``PROLOTRACK_KEY`` set for the whole run) a file made here is encrypted too, as prolotrack would
make it, and a tampering test tampers as someone holding the key would."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from prolotrack.storage import cipher, disk


def connect(path: Path | str, **options) -> sqlite3.Connection:
    path = Path(path)
    given = os.environ.get(cipher.KEY_ENV)
    key = bytes.fromhex(given) if given else None
    if path.exists() and path.stat().st_size and disk.check_header(path):
        key = None  # a plain file, whatever is set
    return cipher.connect(path, key, **options)


def errors(name: str) -> tuple[type[Exception], ...]:
    """SQLite's exception ``name`` as either driver raises it (for ``pytest.raises``)."""
    return disk.errors(name)
