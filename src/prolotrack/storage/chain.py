"""The audit chain checked: each row's keyed hash and its link to the row before, and the head
(``storage/keys.py``) that says where prolotrack last left the log, the schema and the secrets.

``storage/audit.py`` says what is logged and how a row is hashed; this module reads the log back
and says where it does not hold.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from prolotrack.storage import audit, audit_sql
from prolotrack.storage.audit import HEAD_SECRET, sha256
from prolotrack.storage.keys import Head

if TYPE_CHECKING:
    from sqlite_utils import Database


LISTED = 20  # rows named before the rest are summed up


def rebuilt(db: Database) -> bool:
    """Whether the log is of the format of migration 0014 on (no copy of the previous hash)."""
    return "prev_hash" not in db.columns("audit_log")


def broken_links(
    db: Database, key: bytes | None, progress: Callable[[Iterable], Iterable] = iter
) -> list[str]:
    """Every row of the log whose keyed hash does not hold with the row before it (its rows
    read through ``progress``, which may show them going by). A row whose values after its
    change are read back from the record (``audit_sql.after_sql``) holds only while the record is
    as the row left it: a record changed behind prolotrack's back is found here."""
    if not rebuilt(db):
        from prolotrack.storage.migrations import log_v1

        return [f"audit: {p}" for p in log_v1.broken_links(db, key, progress)]
    if key is None:
        return []  # said once by the caller: the key is missing
    found = [_problem(db, *row) for row in unproven(db, key, progress, limit=LISTED + 1)]
    if len(found) > LISTED:
        found[LISTED:] = ["audit: (more problems in the audit log not listed)"]
    return found


def unproven(
    db: Database, key: bytes, progress: Callable[[Iterable], Iterable] = iter, limit: int = -1
) -> list[tuple[int, str, str, bool]]:
    """The rows whose hash does not hold: (id, entity, entity id, whether its values after
    are read back rather than kept), at most ``limit`` of them."""
    values = {k: f"a.{k}" for k in audit.STORED} | {"after": audit_sql.after_sql(db)}
    text = f" || '{audit.SEPARATOR}' || ".join(f"coalesce({values[k]}, '')" for k in audit.STORED)
    rows = db.execute(
        "SELECT a.id, a.hash, a.entity, a.entity_id, a.after IS NULL AND a.action != 'delete',"
        f" {text} FROM audit_log a ORDER BY a.id"
    )
    keyed = hmac.new(key, digestmod=hashlib.sha256)
    found, previous = [], ""
    for row_id, stored, entity, entity_id, read_back, content in progress(rows):
        stored = bytes(stored) if isinstance(stored, memoryview) else stored
        expected = keyed.copy()
        expected.update(f"{previous}{audit.SEPARATOR}{content}".encode())
        if not isinstance(stored, bytes) or not hmac.compare_digest(expected.digest(), stored):
            found.append((row_id, entity, entity_id, bool(read_back)))
            if len(found) == limit:
                break
        previous = audit.hex_of(stored)
    return found


def next_change(db: Database, row_id: int, entity: str, entity_id: str) -> int | None:
    """The id of the record's next row in the log after ``row_id``, None if it is the last."""
    found = db.execute(
        "SELECT id FROM audit_log WHERE entity = :entity AND entity_id = :entity_id"
        " AND id > :id ORDER BY id LIMIT 1",
        {"entity": entity, "entity_id": entity_id, "id": row_id},
    ).fetchone()
    return found[0] if found else None


def _problem(db: Database, row_id: int, entity: str, entity_id: str, read_back: bool) -> str:
    altered = f"audit log row {row_id} was altered or forged or does not follow the row before it"
    if not read_back:
        return f"audit: {altered} (a row before it removed, or rows moved)"
    following = next_change(db, row_id, entity, entity_id)
    if following is None:  # its values after are the record's: either may have been changed
        return (
            f"record: {entity} {entity_id} differs from its last audit row (changed behind"
            f" prolotrack's back), or {altered}"
        )
    return (
        f"history: change {following} to {entity} {entity_id} starts from values that change"
        f" {row_id} did not leave (changed behind prolotrack's back in between), or {altered}"
    )


def head(db: Database, previous: Head | None) -> Head:
    """The log's head now: count, last row, schema digest (counted from ``previous`` when it
    still holds, so a ten-year log is not counted whole on every command)."""
    last = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    last_id, last_hash = (last[0], audit.hex_of(last[1])) if last else (0, "")
    anchored = previous is not None and _hash_of(db, previous.last_id) == previous.hash
    if anchored:
        count = (
            previous.count
            + db.execute(
                "SELECT count(*) FROM audit_log WHERE id > :id", {"id": previous.last_id}
            ).fetchone()[0]
        )
    else:
        count = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    return Head(count, last_id, last_hash, schema_digest(db), secrets_digest(db))


def _hash_of(db: Database, row_id: int) -> str | None:
    """A row's hash as hex, None when there is no such row."""
    found = db.execute("SELECT hash FROM audit_log WHERE id = :id", {"id": row_id}).fetchone()
    return audit.hex_of(found[0]) if found else None


def secrets_digest(db: Database) -> str:
    """A digest of the file's secrets (its identity, the key of its pseudonyms), which no
    trigger logs: the head holds it, so a secret changed or removed is found. The head a
    backup carries among them is left out."""
    rows = db.execute(
        "SELECT name, value FROM secrets WHERE name != :carried ORDER BY name",
        {"carried": HEAD_SECRET},
    ).fetchall()
    return sha256(json.dumps([list(r) for r in rows]))


def schema_digest(db: Database) -> str:
    """A digest of every table, index and trigger as the engine keeps them."""
    if db.dialect != "sqlite":
        from prolotrack.storage.migrations import postgresql

        return postgresql.schema_digest(db)
    entries = db.execute(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    ).fetchall()
    return sha256(json.dumps(entries))


def head_problems(db: Database, recorded: Head | None, *, full: bool) -> list[str]:
    """Where the log and schema disagree with the head prolotrack recorded: rows taken off the
    end, the whole log emptied, a table or trigger changed behind its back. A log that ran
    past its head is fine (a command killed after its commit, before the head was written).
    ``full`` also counts the rows up to the head (``db check``; a write looks only at its end)."""
    if recorded is None:
        return []
    found = _against(db, recorded, full)
    if found and recorded.alternate and not _against(db, recorded.alternate, full):
        return []  # a restore killed before its copy: the file is as it was
    return found


def _against(db: Database, recorded: Head, full: bool) -> list[str]:
    found = []
    end = _hash_of(db, recorded.last_id)
    if recorded.last_id and end is None:
        rows = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        found.append(
            f"the audit log ends before its recorded head: row {recorded.last_id} of"
            f" {recorded.count} is gone ({rows} left); rows were removed"
        )
    elif recorded.last_id and end != recorded.hash:
        found.append(f"audit log row {recorded.last_id} is not the row its recorded head names")
    elif full and recorded.last_id:
        counted = db.execute(
            "SELECT count(*) FROM audit_log WHERE id <= :id", {"id": recorded.last_id}
        ).fetchone()[0]
        if counted != recorded.count:
            found.append(
                f"the audit log holds {counted} rows up to row {recorded.last_id}, its recorded"
                f" head says {recorded.count}: rows were removed or added"
            )
    if recorded.secrets and secrets_digest(db) != recorded.secrets:
        found.append(
            "a secret of the record (its identity, or the key of its pseudonyms) was changed or"
            " removed outside prolotrack since it last wrote"
        )
    if schema_digest(db) != recorded.schema:
        found.append(
            "the schema (a table, index or trigger) was changed outside prolotrack since it"
            " last wrote"
        )
    return found
