"""``db encrypt`` and ``db decrypt``: a file turned into an encrypted one, or back, in place.

Each file (the record, then each of its backups) is converted whole: SQLCipher's
``sqlcipher_export`` writes every table, index and trigger into a new file beside it, that file
is checked as 'db check' checks the record (against the same head: nothing in the record may
change), put on disk, and renamed over the old one. A kill at any moment leaves the old file
whole or the new one whole, and no stray copy that the next command does not take away
(``storage/leftovers.py``). While it converts, the file is held exclusively: a command waiting
for it finds the file replaced and writes nothing (``connection.transaction``).

The backups are converted first, the record last: converting again after a kill finishes what
was left. The key is written (and put on disk) before any file is converted with it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from prolotrack.domain.errors import DatabaseBusy, DatabaseUnusable, Refused
from prolotrack.storage import (
    cipher,
    disk,
    file_care,
    file_check,
    health,
    leftovers,
    schema,
)
from prolotrack.storage.connection import BUSY_TIMEOUT_SECONDS, FileDatabase


@dataclass(frozen=True)
class Converted:
    path: Path
    backups: int  # how many of its backups were converted with it
    key_place: str  # where the key is: a key file, or the environment variable

    @property
    def from_environment(self) -> bool:
        return self.key_place == cipher.KEY_ENV


def encrypt(path: Path, key_file: Path | None = None) -> Converted:
    """Encrypt the plain file ``path`` and its plain backups with a new random key (kept in
    ``key_file`` or beside the audit keys), or with ``PROLOTRACK_KEY`` where it is set."""
    plain = disk.check_header(path)
    left = [b for b in file_care.backups(path) if disk.check_header(b)]
    if not plain and not left:
        raise Refused(f"{path} is encrypted already; nothing was changed")
    given = cipher.key_from_environment()
    if given is not None and key_file is not None:
        raise Refused(
            f"{cipher.KEY_ENV} is set, and the file would be encrypted with it: leave out"
            f" --key-file, or unset {cipher.KEY_ENV} to have a new key written there"
        )
    if not plain:  # a conversion cut short: its backups left
        key, place = cipher.key_for(path), "the key that opens it"
    elif given is not None:
        key, place = given, cipher.KEY_ENV
    else:
        key, place = _new_key(path, key_file)
    for backup in left:
        _convert(backup, None, key, backup=True)
    if plain:
        _convert(path, None, key, backup=False)
    return Converted(path, len(left), place)


def decrypt(path: Path) -> Converted:
    """Turn the encrypted file ``path`` and its encrypted backups back into plain files. The
    key files stay: a copy kept elsewhere may still need them."""
    if disk.check_header(path):
        raise Refused(f"{path} is not encrypted; nothing was changed")
    key = cipher.key_for(path)
    left = [b for b in file_care.backups(path) if not disk.check_header(b)]
    for backup in left:
        _convert(backup, cipher.key_for(backup), None, backup=True)
    _convert(path, key, None, backup=False)
    place = cipher.KEY_ENV if cipher.key_from_environment() else "its key file"
    return Converted(path, len(left), place)


@contextlib.contextmanager
def converted(source: Path, key: bytes | None, beside: Path) -> Iterator[Path]:
    """A copy of the backup ``source`` with the key ``key`` (None: plain), beside the file
    ``beside``, for the time of a restore into a record kept otherwise than the backup (a plain
    backup made before the record was encrypted); taken away after."""
    staging = leftovers.temporary_name(beside, "part")
    conn = cipher.connect(source, cipher.key_for(source), sqlcipher=True, isolation_level=None)
    old_umask = os.umask(0o077)
    try:
        with disk.translated_errors(source):
            _export(conn, staging, key)
        conn.close()
        yield staging
    finally:
        os.umask(old_umask)
        conn.close()
        disk.discard(staging)


def _new_key(path: Path, key_file: Path | None) -> tuple[bytes, str]:
    """The key of a file encrypted for the first time, written before anything uses it:
    ``ID.dbkey`` beside the audit keys (kept if there is one from an earlier encryption of
    the same file), or ``key_file``, linked from there."""
    conn = cipher.connect(path, None)
    try:
        file_id = schema.file_identity(FileDatabase(conn, execute_plugins=False))
    finally:
        conn.close()
    if not file_id:
        raise Refused(f"{path} is not a prolotrack database (it has no identity); not encrypted")
    default = cipher.key_file(file_id)
    if key_file is None:
        if default.exists():
            return cipher.read_key_file(default), str(default)
        key = secrets.token_bytes(32)
        cipher.write_key_file(default, key)
        return key, str(default)
    key_file = key_file.expanduser().absolute()
    if key_file.parent.resolve() == path.parent.resolve():
        raise Refused(
            f"{key_file} is in the database's own folder: a key kept beside the file it locks"
            " protects nothing; give a place outside it"
        )
    if default.is_symlink() and default.resolve() == key_file.resolve() and key_file.exists():
        return cipher.read_key_file(key_file), str(key_file)  # an encryption cut short, again
    if key_file.exists() or default.is_symlink() or default.exists():
        kept = key_file if key_file.exists() else default
        raise Refused(f"{kept} exists already; a key file is never written over")
    key = secrets.token_bytes(32)
    try:
        cipher.write_key_file(key_file, key)
        default.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        default.symlink_to(key_file)
    except OSError as error:
        raise Refused(f"cannot write the key file {key_file}: {error.strerror}") from None
    return key, str(key_file)


def _convert(path: Path, old: bytes | None, new: bytes | None, *, backup: bool) -> None:
    """``path`` re-written with the key ``new`` (None: plain), checked, and renamed into place."""
    staging = leftovers.temporary_name(path, "new")
    source = cipher.connect(
        path, old, sqlcipher=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
    )
    old_umask = os.umask(0o077)
    try:
        with disk.translated_errors(path):
            _hold(source, path)
            _refuse_if_unsound(source, path, backup=backup)
            _export(source, staging, new)
            _check(staging, new, path, backup=backup)
            os.replace(staging, path)
        _sync_folder(path.parent)
    finally:
        os.umask(old_umask)
        source.close()
        disk.discard(staging)
    health.note(path)


def _hold(source, path: Path) -> None:
    """The file for this connection alone until it closes: its write-ahead log folded in and
    gone (it could not be told from the new file's), and no other connection meanwhile."""
    source.execute("PRAGMA locking_mode = EXCLUSIVE")
    mode = source.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    if mode != "delete":
        raise DatabaseBusy(
            f"another program has {path} open; close it (a 'form serve' too) and try again;"
            " nothing was converted"
        )
    source.execute("BEGIN EXCLUSIVE")  # the lock is kept after COMMIT in this locking mode
    source.execute("COMMIT")


def _refuse_if_unsound(source, path: Path, *, backup: bool) -> None:
    """A file that fails its check is not converted: what is wrong is mended first."""
    trouble = [p for p in file_check.examine(source, path, backup=backup) if not _allowed(p)]
    if trouble:
        more = f" (and {len(trouble) - 1} more)" if len(trouble) > 1 else ""
        raise DatabaseUnusable(
            f"{path} fails its check ({trouble[0]}{more}); nothing was converted. Run"
            " 'prolotrack db check'"
        )


def _allowed(problem: str) -> bool:
    """What a conversion goes on despite: what this machine lacks of the file (its audit key,
    a head for it here), which no conversion changes: the new file lacks it as the old one."""
    return problem.startswith((file_check.NO_KEY, file_check.NO_HEAD))


def _export(source, staging: Path, key: bytes | None) -> None:
    """Every table, index and trigger into the new file, then the schema's version."""
    version = int(source.execute("PRAGMA user_version").fetchone()[0])
    spelled = f"\"x'{key.hex()}'\"" if key else "''"
    source.execute(f"ATTACH DATABASE ? AS converted KEY {spelled}", [str(staging)])
    try:
        source.execute("SELECT sqlcipher_export('converted')").fetchone()
        source.execute(f"PRAGMA converted.user_version = {version}")
    finally:
        source.execute("DETACH DATABASE converted")


def _check(staging: Path, key: bytes | None, path: Path, *, backup: bool) -> None:
    """The new file as the old one was: whole, its log's chain against the same head, every
    record as logged; a record in WAL mode as records are, on disk."""
    conn = cipher.connect(staging, key, isolation_level=None)
    try:
        if not backup:
            conn.execute("PRAGMA journal_mode = WAL")
        trouble = [p for p in file_check.examine(conn, path, backup=backup) if not _allowed(p)]
    finally:
        conn.close()
    if trouble:
        raise DatabaseUnusable(
            f"the converted copy of {path} does not check ({trouble[0]}); {path} is left as it was"
        )
    with open(staging, "rb+") as handle:
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
