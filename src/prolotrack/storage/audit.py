"""The audit log: every change to the record, written by triggers in the same transaction.

Triggers on each audited table append a row to ``audit_log`` for every insert, update and
delete: when (UTC), who (the operating-system user and the ``practitioner`` setting, from the
one-row ``audit_context`` table that each write command fills as it begins), the entity and its
id, the values before and after (JSON) and the reason. Each row's hash covers its content and
the previous row's hash, so a row changed or inserted behind prolotrack's back breaks the chain;
triggers refuse UPDATE and DELETE on the log itself. Doing this in triggers, not in each write
function, means no code path can change the record without leaving a trace.

The hash is computed by the SQL function ``prolotrack_sha256``, which prolotrack registers on
every connection; another program can read the file but cannot write audited tables.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

HASH_FUNCTION = "prolotrack_sha256"
SEPARATOR = "|"
# entity name in the log -> table; the key column identifies the row
AUDITED = {
    "patient": ("patients", "id"),
    "course": ("courses", "id"),
    "session": ("sessions", "id"),
    "injection": ("injections", "id"),
    "score": ("scores", "id"),
    "adverse_event": ("adverse_events", "id"),
    "instrument": ("instruments", "code"),
    "setting": ("settings", "key"),
    "protocol": ("protocols", "name"),
    "protocol_site": ("protocol_sites", "id"),
}
# An update that sets this column from empty is given a clinical name in the log.
_NAMED_UPDATES = {
    "sessions": ("voided_at", "void"),
    "scores": ("voided_at", "void"),
    "patients": ("archived_at", "archive"),
    "courses": ("closed_on", "close"),
    "adverse_events": ("resolved_on", "resolve"),
}
# Columns whose change alone is not worth a log row: session numbers follow from the dates.
_DERIVED = {"sessions": {"number", "updated_at"}}
_FIELDS = ("prev_hash", "at", "actor", "practitioner", "entity", "entity_id", "action",
           "before", "after", "reason")  # fmt: skip


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def row_hash(row: dict) -> str:
    """The hash of a log row: its content and the previous row's hash, as the triggers make it."""
    return sha256(SEPARATOR.join("" if row[k] is None else str(row[k]) for k in _FIELDS))


def _sql_hash(values: dict[str, str]) -> str:
    parts = f" || '{SEPARATOR}' || ".join(f"coalesce({values[k]}, '')" for k in _FIELDS)
    return f"{HASH_FUNCTION}({parts})"


def _json(columns: list[str], alias: str) -> str:
    return "json_object(" + ", ".join(f"'{c}', {alias}.{c}" for c in columns) + ")"


def create_triggers(db: Database, entities: tuple[str, ...]) -> None:
    """(Re)create the audit triggers of these entities' tables from their current columns.

    Each migration names the entities it adds or changes, so that a shipped migration does
    the same thing whatever later versions add to ``AUDITED``.
    """
    for entity in entities:
        table, key = AUDITED[entity]
        columns = [c.name for c in db[table].columns]
        watched = [c for c in columns if c not in _DERIVED.get(table, set())]
        named = _NAMED_UPDATES.get(table)
        update_action = (
            f"CASE WHEN OLD.{named[0]} IS NULL AND NEW.{named[0]} IS NOT NULL"
            f" THEN '{named[1]}' ELSE 'update' END"
            if named
            else "'update'"
        )
        events = {
            "insert": ("INSERT", "NULL", _json(columns, "NEW"), "NEW", "'insert'"),
            "update": (f"UPDATE OF {', '.join(watched)}", _json(columns, "OLD"),
                       _json(columns, "NEW"), "NEW", update_action),
            "delete": ("DELETE", _json(columns, "OLD"), "NULL", "OLD", "'delete'"),
        }  # fmt: skip
        for event, (when, before, after, row, action) in events.items():
            name = f"audit_{table}_{event}"
            values = {
                "prev_hash": "(SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)",
                "at": "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                "actor": "(SELECT actor FROM audit_context WHERE id = 1)",
                "practitioner": "(SELECT practitioner FROM audit_context WHERE id = 1)",
                "entity": f"'{entity}'",
                "entity_id": f"CAST({row}.{key} AS TEXT)",
                "action": action,
                "before": before,
                "after": after,
                "reason": "(SELECT reason FROM audit_context WHERE id = 1)",
            }
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
            db.execute(
                f"""CREATE TRIGGER {name} AFTER {when} ON {table} BEGIN
                    INSERT INTO audit_log ({", ".join(_FIELDS)}, hash)
                    SELECT {", ".join(f"v.{k}" for k in _FIELDS)},
                        {_sql_hash({k: f"v.{k}" for k in _FIELDS})}
                    FROM (SELECT coalesce({values["prev_hash"]}, '') AS prev_hash,
                        {", ".join(f"{values[k]} AS {k}" for k in _FIELDS[1:])}) AS v;
                END"""
            )


def operating_system_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name to be had (a container without one): still log the change
        return "unknown"


def begin(db: Database, practitioner: str | None) -> None:
    """Say who is making this transaction's changes; the reason starts empty."""
    db.execute(
        "INSERT OR REPLACE INTO audit_context (id, actor, practitioner, reason)"
        " VALUES (1, ?, ?, NULL)",
        [operating_system_user(), practitioner],
    )


def because(db: Database, reason: str | None) -> None:
    """The reason recorded with the changes that follow, in this transaction."""
    db.execute("UPDATE audit_context SET reason = ? WHERE id = 1", [reason])


def history(db: Database, entity: str | None = None, entity_id: str | None = None) -> list[dict]:
    """The log, newest first, optionally for one entity (and one record of it)."""
    where, params = [], []
    if entity:
        where.append("entity = ?")
        params.append(entity)
    if entity_id is not None:
        where.append("entity_id = ?")
        params.append(str(entity_id))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    found = []
    for row in db.query(f"SELECT * FROM audit_log {clause} ORDER BY id DESC", params):
        row = dict(row)
        for side in ("before", "after"):
            row[side] = json.loads(row[side]) if row[side] else None
        found.append(row)
    return found


def broken_links(db: Database) -> list[str]:
    """Every row of the log whose hash or link to the previous row does not hold."""
    problems, previous = [], ""
    for row in db.query("SELECT * FROM audit_log ORDER BY id"):
        if row["prev_hash"] != previous:
            problems.append(f"audit log row {row['id']} does not follow row before it")
        if row_hash(row) != row["hash"]:
            problems.append(f"audit log row {row['id']} was altered (its hash does not match)")
        previous = row["hash"]
    return problems
