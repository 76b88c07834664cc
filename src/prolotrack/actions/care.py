"""The record a command works on, and its care: one interface, written once for a file and
once for a clinic's PostgreSQL database, chosen here by ``--db`` and nowhere else.

Each command opens one ``transaction``; the ``db`` commands (status, check, backup, restore,
copy) call the same methods whichever engine holds the record. The file's own work is in
storage/file_care.py, file_check.py and acceptance.py, the server's in server_care.py."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from prolotrack.domain.errors import DatabaseMissing, Refused

if TYPE_CHECKING:
    from prolotrack.storage import Database
    from prolotrack.storage.encryption import Converted
    from prolotrack.storage.file_care import Status

Progress = Callable[[Iterable], Iterable]


def default_busy_timeout() -> float:
    """How long a write waits for a busy database, unless told."""
    from prolotrack.storage.disk import BUSY_TIMEOUT_SECONDS

    return BUSY_TIMEOUT_SECONDS


def is_url(where: str | Path | None) -> bool:
    return str(where or "").startswith(("postgresql://", "postgres://"))


def default_path() -> Path:
    """The practitioner's own database file, in the user data folder."""
    from prolotrack.storage.connection import default_path as default

    return default()


def of(where: str | Path | None) -> FileCare | ServerCare:
    """The record ``--db`` names: a PostgreSQL URL, a file, or (none) the default file."""
    if is_url(where):
        return ServerCare(str(where))
    return FileCare(Path(where).expanduser() if where else default_path())


class FileCare:
    """A record in one SQLite file."""

    checked = "integrity, foreign keys, audit chain and head, records"

    def __init__(self, path: Path):
        self.path = path
        self.name = str(path)

    def exists(self) -> bool:
        return self.path.exists()

    @contextlib.contextmanager
    def transaction(
        self, *, write: bool, busy_timeout: float, commit: bool = True, as_it_stands: bool = False
    ) -> Iterator[Database]:
        """One command's transaction (a file is never upgraded by a read: ``as_it_stands``
        changes nothing here)."""
        from prolotrack.storage.connection import transaction

        with transaction(self.path, write=write, commit=commit, busy_timeout=busy_timeout) as db:
            yield db

    def existing(self) -> Path:
        """The file, which must exist; what a killed backup or restore left (a whole copy of
        the record) goes now, not at the next writing command."""
        from prolotrack.storage import file_care, leftovers

        if not self.path.exists():
            raise DatabaseMissing(f"no database at {self.path}")
        leftovers.sweep(self.path.parent, file_care.backup_folder(self.path))
        return self.path

    def status(self, busy_timeout: float) -> Status:
        from prolotrack.storage import file_care

        return file_care.status(self.existing())

    def problems(self, busy_timeout: float, progress: Progress) -> list[str]:
        from prolotrack.storage import file_check

        return file_check.problems(self.existing(), progress=progress)

    def accept(self, reason: str) -> list[str]:
        from prolotrack.storage import acceptance

        return acceptance.accept(self.existing(), reason)

    def backup(self, dest: Path | None, busy_timeout: float) -> Path:
        from prolotrack.storage import file_care

        return file_care.backup(self.existing(), dest, checked=True)

    def restore(self, source: Path, *, force: bool, busy_timeout: float) -> Path | None:
        """Take a backup's place; return where the file it replaced is kept (if any)."""
        from prolotrack.storage import file_care

        return file_care.restore(self.path, source, force=force)

    def encrypt(self, key_file: Path | None) -> Converted:
        from prolotrack.storage import encryption

        return encryption.encrypt(self.existing(), key_file)

    def decrypt(self) -> Converted:
        from prolotrack.storage import encryption

        return encryption.decrypt(self.existing())

    def forget(self) -> None:
        """Remove the file (a demo's), its companions, its audit key and its key file."""
        from prolotrack.storage import cipher, keys, schema
        from prolotrack.storage.disk import discard

        with self.transaction(write=False, busy_timeout=default_busy_timeout()) as db:
            file_id = schema.file_identity(db)
        discard(self.path)
        if file_id:
            keys.forget(file_id, self.path)
            cipher.forget_key_file(file_id)


class ServerCare:
    """A clinic's record in a PostgreSQL database (docs/clinic-server.md)."""

    checked = "audit chain and head, triggers, records"

    def __init__(self, url: str):
        from prolotrack.storage.postgres import redacted

        self.url = url
        self.name = redacted(url)  # never its password

    def exists(self) -> bool:
        try:
            with self.transaction(write=False, busy_timeout=default_busy_timeout()):
                return True
        except DatabaseMissing:
            return False

    @contextlib.contextmanager
    def transaction(
        self, *, write: bool, busy_timeout: float, commit: bool = True, as_it_stands: bool = False
    ) -> Iterator[Database]:
        """One command's transaction; ``as_it_stands``: read without bringing the server's
        schema up to this version (db status, check, backup)."""
        from prolotrack.storage.postgres import transaction

        with transaction(
            self.url,
            write=write,
            commit=commit,
            busy_timeout=busy_timeout,
            as_it_stands=as_it_stands,
        ) as db:
            yield db

    def status(self, busy_timeout: float) -> Status:
        from prolotrack.storage import server_care

        with self.transaction(write=False, busy_timeout=busy_timeout, as_it_stands=True) as db:
            return server_care.status(db, self.name)

    def problems(self, busy_timeout: float, progress: Progress) -> list[str]:
        from prolotrack.storage import server_care

        with self.transaction(write=False, busy_timeout=busy_timeout, as_it_stands=True) as db:
            return server_care.problems(db, self.name, progress)

    def accept(self, reason: str) -> list[str]:
        raise Refused(
            "--accept takes a file as it is; a clinic's server is mended by its administrator"
            " or restored from a backup (docs/clinic-server.md)"
        )

    def backup(self, dest: Path | None, busy_timeout: float) -> Path:
        from prolotrack.storage import server_care

        with self.transaction(write=False, busy_timeout=busy_timeout, as_it_stands=True) as db:
            return server_care.backup(db, dest)

    def encrypt(self, key_file: Path | None) -> Converted:
        raise Refused(
            "'db encrypt' encrypts a file; a clinic's PostgreSQL database is kept encrypted by"
            " its server's own disk encryption (docs/clinic-server.md)"
        )

    def decrypt(self) -> Converted:
        raise Refused("'db decrypt' turns an encrypted file back; this is a PostgreSQL database")

    def restore(self, source: Path, *, force: bool, busy_timeout: float) -> Path | None:
        from prolotrack.storage import server_care

        with self.transaction(write=True, busy_timeout=busy_timeout) as db:
            return server_care.restore(db, self.name, source, force=force)


def copy(db: Database, to: str, *, busy_timeout: float, progress: Progress) -> dict[str, int]:
    """Copy the whole clinic into a new file or an empty PostgreSQL database; how many rows of
    each kind it holds."""
    from prolotrack.storage import copying

    return copying.copy_clinic(db, to, busy_timeout=busy_timeout, progress=progress)


def shown(where: str) -> str:
    """A file's path, or a database's URL without its password."""
    from prolotrack.storage.postgres import redacted

    return redacted(where) if is_url(where) else where


def audited_entities() -> tuple[str, ...]:
    """What the audit log names (``audit --entity``): each kind of record it follows, and the
    schema, whose upgrades it records."""
    from prolotrack.storage import audit

    return (*audit.AUDITED, audit.UPGRADED[0])


def history(db: Database, entity: str | None, entity_id: str | None) -> Iterator[dict]:
    """The audit log, newest first: one entity's, one record's, or all; a row at a time."""
    from prolotrack.storage import audit

    return audit.history(db, entity, entity_id)


# -- writing a file beside the record (an export, a report) ------------------------------------


def places_of_the_record(database: Path | str | None) -> tuple[set[Path], Path | None, Path]:
    """What ``-o`` must never write over: the database in use and its companions, its
    backup folder (none for a server), and the folder of the audit keys and heads."""
    from prolotrack.storage import file_care, keys

    live: set[Path] = set()
    backups = None
    if database is not None and not is_url(database):
        path = Path(database).resolve()
        live = {path, *(Path(f"{path}{end}") for end in ("-wal", "-shm", "-journal"))}
        backups = file_care.backup_folder(path).resolve()
    return live, backups, keys.folder().resolve()


def is_encrypted_database(path: Path) -> bool:
    """Whether a key this machine has (``PROLOTRACK_KEY``, the key files) opens ``path``."""
    from prolotrack.storage import cipher

    return cipher.opened_by_a_key_here(path)


def temporary_beside(path: Path, kind: str) -> Path:
    """A temporary name beside ``path``, after sweeping what a killed command left there."""
    from prolotrack.storage import leftovers

    folder = path.parent if str(path.parent) else Path(".")
    leftovers.sweep(folder)
    return leftovers.temporary_name(path, kind)
