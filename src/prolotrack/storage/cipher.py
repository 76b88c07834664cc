"""Encrypted files: which key opens a file, and the driver that opens it with that key.

An encrypted record is a SQLCipher 4 file (the ``sqlcipher3`` driver, loaded only when an
encrypted file is opened): every page, of the file, its write-ahead log and each backup, is
AES-256 encrypted and authenticated (an HMAC), so that a copy taken without the key shows
nothing and a page changed without it is found. The key is 32 random bytes given raw, so no
key is stretched on each open: opening costs about a millisecond more than a plain
file's (docs/benchmarks.md).

Where the key comes from, first found:

- ``PROLOTRACK_KEY``: the key itself, 64 hexadecimal digits. While it is set, a new file is
  made encrypted with it, and a plain file is refused (it is not what the user asked for).
- a key file in the keys folder (``storage/keys.py``): ``ID.dbkey``, written by ``db encrypt``
  (ID is the file's identity; ``--key-file`` puts the key elsewhere, and ``ID.dbkey`` is then a
  link to it). An encrypted file is opened with whichever of these keys opens it: its first page
  is authenticated, so a wrong key is known at once and never misreads a page.

A plain file is opened with Python's own ``sqlite3``. The two drivers raise different exception
classes: code that catches SQLite's errors names them through ``disk.errors``.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from pathlib import Path

from prolotrack.domain.errors import DatabaseUnusable
from prolotrack.storage import disk, keys

KEY_ENV = "PROLOTRACK_KEY"
KEY_FILE_SUFFIX = ".dbkey"
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")
_WHERE_KEYS = "see docs/reliability.md, 'Encrypted at rest'"


class KeyRefused(DatabaseUnusable):
    """No key here opens the file, or a key is set where the file is plain: nothing is wrong
    with the file itself (a restore must not take it for damage)."""


def key_from_environment() -> bytes | None:
    """The key in ``PROLOTRACK_KEY``, or None where it is not set."""
    text = os.environ.get(KEY_ENV, "").strip()
    if not text:
        return None
    return _parsed(text, f"{KEY_ENV} is not a key")


def _parsed(text: str, what: str) -> bytes:
    if not _HEX_KEY.fullmatch(text):
        raise KeyRefused(
            f"{what}: a key is 64 hexadecimal digits (32 bytes), as 'prolotrack db encrypt'"
            " writes it; nothing was written"
        )
    return bytes.fromhex(text)


def key_file(file_id: str) -> Path:
    """Where ``db encrypt`` keeps a file's key (or a link to it), beside the audit keys."""
    return keys.folder() / f"{file_id}{KEY_FILE_SUFFIX}"


def read_key_file(path: Path) -> bytes:
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        target = f" (a link to {os.readlink(path)})" if path.is_symlink() else ""
        raise KeyRefused(
            f"the key file {path}{target} is missing; nothing was written ({_WHERE_KEYS})"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        why = getattr(error, "strerror", None) or "not text"
        raise KeyRefused(f"cannot read the key file {path}: {why}") from None
    return _parsed(text, f"the key file {path} does not hold a key")


def write_key_file(path: Path, key: bytes) -> None:
    """A new key file, readable by its owner alone; never over an existing one."""
    old_umask = os.umask(0o077)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key.hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    finally:
        os.umask(old_umask)


def key_for(path: Path) -> bytes | None:
    """The key ``path`` opens with, None for a plain file. Refused, with one line saying why:
    what is plainly not a whole database (``disk.check_header``), a plain file while
    ``PROLOTRACK_KEY`` is set, an encrypted file no key here opens."""
    given = key_from_environment()
    if disk.check_header(path):
        if given is not None:
            raise KeyRefused(
                f"{path} is not encrypted, but {KEY_ENV} is set: encrypt it with 'prolotrack db"
                f" encrypt', or unset {KEY_ENV} to use it as it is; nothing was written"
            )
        return None
    if given is not None:
        if opens(path, given):
            return given
        raise KeyRefused(
            f"the key in {KEY_ENV} does not open {path} (a wrong key, or not a prolotrack"
            " database); nothing was written"
        )
    stored, unreadable = _stored_keys()
    for key in stored:
        if opens(path, key):
            return key
    if unreadable:
        raise KeyRefused(f"{path} is encrypted and {unreadable[0]}")
    tried = (
        f"none of the {len(stored)} key files in {keys.folder()} opens it"
        if stored
        else (f"there is no key file in {keys.folder()}")
    )
    raise KeyRefused(
        f"{path} is encrypted (or is not a database) and {tried}: set {KEY_ENV} to its key, or"
        f" put its key file there ({_WHERE_KEYS}); nothing was written"
    )


def _stored_keys() -> tuple[list[bytes], list[str]]:
    """The keys in the key files here, and what is wrong with each key file that holds none."""
    stored, unreadable = [], []
    for found in sorted(keys.folder().glob(f"*{KEY_FILE_SUFFIX}")):
        try:
            stored.append(read_key_file(found))
        except DatabaseUnusable as error:
            unreadable.append(str(error))
    return stored, unreadable


def opens(path: Path, key: bytes) -> bool:
    """Whether ``key`` opens the encrypted file: its first page decrypts and authenticates. A
    first page that opens on a file cut short or damaged is refused here, as what it is."""
    # Read-only only where it must be (a read-only connection leaves the write-ahead log's
    # companions behind): in a folder it cannot write to, or on a full disk, as the file stands
    mode = ""
    if disk.full(path) and not disk.has_log(path):
        mode = "?mode=ro&immutable=1"
    elif not os.access(Path(path).parent, os.W_OK):
        mode = "?mode=ro"
    conn = connect(f"{Path(path).resolve().as_uri()}{mode}", key, uri=True)
    try:
        conn.execute("PRAGMA user_version").fetchone()  # the first page, and only it
        return True
    except disk.errors("DatabaseError") as error:
        name = getattr(error, "sqlite_errorname", "")
        if name == "SQLITE_NOTADB":  # not this file's key
            return False
        if name.startswith("SQLITE_CORRUPT"):
            raise DatabaseUnusable(
                f"{path} is truncated or damaged ({error}); refusing to use it (restore it"
                " from a backup)"
            ) from None
        raise DatabaseUnusable(f"cannot read {path}: {error}") from None
    finally:
        conn.close()


def opened_by_a_key_here(path: Path) -> bool:
    """Whether ``path`` is an encrypted file that a key here opens (``-o`` never writes over
    one; a file encrypted with a key kept elsewhere cannot be told from random bytes)."""
    if path.stat().st_size % disk.ENCRYPTED_PAGE or not path.stat().st_size:
        return False
    candidates = _stored_keys()[0]
    with contextlib.suppress(DatabaseUnusable):  # a key set but malformed opens nothing
        given = key_from_environment()
        candidates += [given] if given else []
    for key in candidates:
        with contextlib.suppress(DatabaseUnusable):
            if opens(path, key):
                return True
    return False


def connect(
    target: str | Path, key: bytes | None, *, sqlcipher: bool = False, **options
) -> sqlite3.Connection:
    """A connection to ``target`` through the driver its key needs: Python's ``sqlite3`` for a
    plain file, SQLCipher's for an encrypted one (which then behaves as the plain one does:
    no recursive triggers, temporary data in memory, no log lines of its own). ``sqlcipher``:
    SQLCipher's for a plain file too (to convert it)."""
    if key is None and not sqlcipher:
        return sqlite3.connect(target, **options)
    from sqlcipher3 import dbapi2

    conn = dbapi2.connect(str(target), **options)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA recursive_triggers = OFF")
        conn.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        conn.close()
        raise
    return conn


def is_encrypted(conn: sqlite3.Connection) -> bool:
    """Whether a connection is SQLCipher's (a file opened with a key)."""
    return type(conn).__module__.startswith("sqlcipher3")


def forget_key_file(file_id: str) -> None:
    """Take away a discarded file's key file (the demo's); a key kept elsewhere stays."""
    with contextlib.suppress(OSError):
        key_file(file_id).unlink()
