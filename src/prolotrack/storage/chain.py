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

from prolotrack.storage.audit import FIELDS, HEAD_SECRET, KEYED, sha256, sql_text
from prolotrack.storage.keys import Head

if TYPE_CHECKING:
    from sqlite_utils import Database


def broken_links(
    db: Database, key: bytes | None, progress: Callable[[Iterable], Iterable] = iter
) -> list[str]:
    """Every row of the log whose hash or link to the previous row does not hold (its rows
    read through ``progress``, which may show them going by).

    Rows before the keyed mark (files from before the key) are checked with plain SHA-256;
    the mark and every row after it with the key."""
    text = sql_text({k: k for k in FIELDS})  # as the triggers make it
    keyed_start = hmac.new(key, digestmod=hashlib.sha256) if key else None
    problems, previous, keyed = [], "", False
    rows = db.execute(
        f"SELECT id, prev_hash, hash, entity, action, {text} FROM audit_log ORDER BY id"
    )
    for row_id, prev_hash, stored, entity, action, content in progress(rows):
        keyed = keyed or (entity, action) == KEYED
        if prev_hash != previous:
            problems.append(f"audit log row {row_id} does not follow the row before it")
        if keyed and keyed_start is None:
            return problems  # said once by the caller: the key is missing
        if keyed:
            expected = keyed_start.copy()
            expected.update(content.encode())
        else:
            expected = hashlib.sha256(content.encode())
        if not hmac.compare_digest(expected.hexdigest(), stored):
            problems.append(
                f"audit log row {row_id} was altered or forged (its hash does not"
                " hold with this file's key)"
            )
        previous = stored
        if len(problems) >= 20:
            problems.append("(more problems in the audit log not listed)")
            break
    return problems


def head(db: Database, previous: Head | None) -> Head:
    """The log's head now: count, last row, schema digest (counted from ``previous`` when it
    still holds, so a ten-year log is not counted whole on every command)."""
    last = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    last_id, last_hash = last if last else (0, "")
    anchored = (
        previous is not None
        and db.execute(
            "SELECT 1 FROM audit_log WHERE id = :id AND hash = :hash",
            {"id": previous.last_id, "hash": previous.hash},
        ).fetchone()
    )
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
    end = db.execute(
        "SELECT hash FROM audit_log WHERE id = :id", {"id": recorded.last_id}
    ).fetchone()
    if recorded.last_id and end is None:
        rows = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        found.append(
            f"the audit log ends before its recorded head: row {recorded.last_id} of"
            f" {recorded.count} is gone ({rows} left); rows were removed"
        )
    elif recorded.last_id and end[0] != recorded.hash:
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
