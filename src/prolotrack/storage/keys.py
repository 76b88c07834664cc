"""The audit chain's key and head: two small files kept outside the database.

A database file is named by its random identity (``file-id`` in its ``secrets`` table, the same
in every backup of it). In the keys folder (``PROLOTRACK_KEYS``, else ``keys/`` in the user's
configuration folder, e.g. ``~/.config/prolotrack/keys``), readable by its owner alone:

- ``ID.key``: 32 random bytes in hex. Every row of the audit log is hashed with it (HMAC-SHA256),
  so whoever has a copy of the database but not this file cannot forge, edit or recompute a row.
  It is written once and never changed. Moving the record to another machine means copying it
  with the file (docs/reliability.md).
- ``ID-PLACE.head``: the log's head as prolotrack last left it: how many rows, the last row's id and
  hash, a digest of the schema (tables, indexes, triggers) and one of the file's secrets, sealed
  with the key (an HMAC), so that a head made up from an older copy's own log does not hold.
  Rewritten after every command that writes. PLACE stands for the file's path: a copy made with
  ``cp`` elsewhere has no head there; a backup carries its head inside itself. Rows taken off the
  end of the log, a trigger dropped or changed, or a secret changed behind prolotrack's back no
  longer agree with it.
- ``ID.sealed``: says that this file's heads are sealed. Heads written before heads were sealed
  are plain; one is taken as it is only while no sealed head was ever written for the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from prolotrack.domain.errors import DatabaseUnusable

KEYS_ENV = "PROLOTRACK_KEYS"


def folder() -> Path:
    """Where keys and heads are kept: ``PROLOTRACK_KEYS``, else the user configuration folder."""
    chosen = os.environ.get(KEYS_ENV)
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return platformdirs.user_config_path("prolotrack", appauthor=False) / "keys"


def key_path(file_id: str) -> Path:
    return folder() / f"{file_id}.key"


def head_path(file_id: str, database: Path | str) -> Path:
    """The head of one file at one place: a copy made with ``cp`` has a head of its own. A
    PostgreSQL database's place is its URL (without a password)."""
    return folder() / f"{file_id}-{place(database)}.head"


def place(database: Path | str) -> str:
    """What a head's name says of where its file is: a digest of its full path (or URL)."""
    where = database if "://" in str(database) else Path(database).resolve()
    return hashlib.sha256(str(where).encode()).hexdigest()[:16]


def load_key(file_id: str) -> bytes | None:
    """The key of this file's audit chain, or None when this machine does not have it."""
    try:
        text = key_path(file_id).read_text().strip()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise DatabaseUnusable(
            f"cannot read the audit key {key_path(file_id)}: {error.strerror}"
        ) from None
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise DatabaseUnusable(f"the audit key {key_path(file_id)} is not a key") from None


def create_key(file_id: str) -> tuple[bytes, Path]:
    """A new key for a new chain, written (0600, in a 0700 folder) before anything uses it."""
    path = key_path(file_id)
    key = secrets.token_bytes(32)
    _write(path, key.hex() + "\n", exclusive=True)
    return key, path


def missing_key(file_id: str) -> DatabaseUnusable:
    return DatabaseUnusable(
        f"the audit key of this database is not on this machine (expected at {key_path(file_id)});"
        " copy it from the machine the file came from (see docs/reliability.md); nothing was"
        " written"
    )


def register(conn, key: bytes) -> None:
    """The SQL functions that hash a log row with this file's key, on a SQLite connection:
    ``prolotrack_hmac`` (32 bytes, the log's format from migration 0014) and
    ``prolotrack_chain`` (64 hex digits, the triggers of migrations 0006-0013)."""

    def digest(text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    def hexdigest(text: str) -> str:
        return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()

    conn.create_function("prolotrack_hmac", 1, digest, deterministic=True)
    conn.create_function("prolotrack_chain", 1, hexdigest, deterministic=True)


@dataclass(frozen=True)
class Head:
    """The end of the audit log, the schema and the secrets, as prolotrack last left them."""

    count: int
    last_id: int
    hash: str
    schema: str
    secrets: str = ""  # empty in heads written before secrets were counted: not compared
    # While a restore copies a backup in, the file is either as it was or as the backup: a kill
    # between the copy and the new head must not make the record look tampered with.
    alternate: Head | None = None

    def to_json(self) -> str:
        found = _without_defaults(asdict(self))
        if self.alternate is not None:
            found["alternate"] = _without_defaults(found["alternate"])
        return json.dumps(found, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Head:
        return cls._read(json.loads(text))

    @classmethod
    def _read(cls, found: dict) -> Head:
        other = found.get("alternate")
        return cls(
            int(found["count"]),
            int(found["last_id"]),
            str(found["hash"]),
            str(found["schema"]),
            str(found.get("secrets", "")),
            cls._read(other) if other else None,
        )

    def sealed(self, key: bytes) -> str:
        """The head with a MAC: the head file, and the head a backup carries inside itself."""
        text = self.to_json()
        mac = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
        return json.dumps({"head": json.loads(text), "mac": mac}, sort_keys=True)

    @classmethod
    def unsealed(cls, text: str, key: bytes) -> Head | None:
        """The sealed head, or None when its MAC does not hold."""
        try:
            found = json.loads(text)
            head = cls.from_json(json.dumps(found["head"]))
        except (ValueError, KeyError, TypeError):
            return None
        mac = hmac.new(key, head.to_json().encode(), hashlib.sha256).hexdigest()
        return head if hmac.compare_digest(mac, str(found.get("mac"))) else None


def _without_defaults(found: dict) -> dict:
    """A head's fields, leaving out those a head written before them did not have."""
    return {k: v for k, v in found.items() if not (k in ("alternate", "secrets") and not v)}


def sealed_path(file_id: str) -> Path:
    return folder() / f"{file_id}.sealed"


class ForgedHead(DatabaseUnusable):
    """A head file that prolotrack did not write: its seal does not hold with the file's key."""

    def __init__(self, path: Path):
        super().__init__(
            f"the head recorded for this file here ({path}) is not one prolotrack sealed with"
            " the file's key: it was written or changed outside prolotrack"
        )


def load_head(file_id: str, database: Path | str) -> Head | None:
    """The head recorded for this file at this place, or None where there is none. A head
    whose seal does not hold (or a plain one, where this file's heads are sealed) raises
    ForgedHead."""
    path = head_path(file_id, database)
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        raise ForgedHead(path) from None
    if isinstance(found, dict) and "mac" in found:
        key = load_key(file_id)
        head = Head.unsealed(text, key) if key is not None else None
        if head is None:
            raise ForgedHead(path)
        return head
    if sealed_path(file_id).exists():
        raise ForgedHead(path)
    try:  # a head from before heads were sealed
        return Head.from_json(text)
    except (ValueError, KeyError, TypeError):
        raise ForgedHead(path) from None


def save_head(file_id: str, database: Path | str, head: Head) -> None:
    """Best effort after a commit: a head left behind (the log ran past it) is not damage;
    a head that is written is written whole, sealed with the file's key."""
    from prolotrack.storage import leftovers

    key = load_key(file_id)
    if key is None:
        return
    with contextlib.suppress(OSError):
        leftovers.sweep(folder())  # a head a killed command was writing
        marker = sealed_path(file_id)
        if not marker.exists():
            _write(marker, "heads of this file are sealed with its key\n", exclusive=False)
        _write(head_path(file_id, database), head.sealed(key) + "\n", exclusive=False)


def forget(file_id: str, database: Path) -> None:
    """Take away a discarded file's key and head (the demo's, rebuilt from scratch)."""
    for path in (key_path(file_id), head_path(file_id, database), sealed_path(file_id)):
        path.unlink(missing_ok=True)


def _write(path: Path, text: str, *, exclusive: bool) -> None:
    old_umask = os.umask(0o077)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.parent.stat().st_mode & 0o077:  # a folder made by another hand: ours alone
            os.chmod(path.parent, 0o700)
        if exclusive:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            return
        temporary = path.with_name(f".{path.name}.{os.getpid()}.part")  # see leftovers
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(temporary, path)
    finally:
        os.umask(old_umask)
