"""The audit log as it was written up to migration 0013, frozen: what the migrations that shipped
with it make, and how a log of that format is checked (a backup taken before the upgrade, a
file read before it is upgraded, and the upgrade itself, which checks the whole chain first).

Each row kept a JSON copy of the record after the change beside the record itself, the values it
replaced, its hash as 64 hex digits and the previous row's hash again. Never change what this
module writes: the migrations of 0003-0013 make exactly these triggers and rows, whatever later
versions do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prolotrack.storage import audit, audit_sql

if TYPE_CHECKING:
    from sqlite_utils import Database

HASH_FUNCTION = "prolotrack_chain"  # HMAC-SHA256 as 64 hex digits, keyed (migration 0006 on)
LEGACY_HASH_FUNCTION = "prolotrack_sha256"  # the unkeyed hash of migrations 0003-0005
FIELDS = (
    "prev_hash",
    "at",
    "actor",
    "practitioner",
    "entity",
    "entity_id",
    "action",
    "before",
    "after",
    "reason",
)


def row_text(row: dict) -> str:
    """What a log row's hash covers: its content and the previous row's hash."""
    return audit.SEPARATOR.join("" if row[k] is None else str(row[k]) for k in FIELDS)


def sql_text(values: dict[str, str]) -> str:
    """What a row's hash covers, as SQL over ``values`` (field -> expression)."""
    return f" || '{audit.SEPARATOR}' || ".join(f"coalesce({values[k]}, '')" for k in FIELDS)


def sql_hash(values: dict[str, str], function: str) -> str:
    return f"{function}({sql_text(values)})"


def json_of(columns: list[str], alias: str) -> str:
    return "json_object(" + ", ".join(f"'{c}', {alias}.{c}" for c in columns) + ")"


def create_triggers(db: Database, entities: tuple[str, ...], function: str = HASH_FUNCTION) -> None:
    """(Re)create the audit triggers of these entities' tables from their current columns.

    Each migration names the entities it adds or changes, so that a shipped migration does
    the same thing whatever later versions add to ``AUDITED``. ``function``: the hash of a
    SQLite file's chain (unkeyed before migration 0006); a PostgreSQL database's chain is keyed
    from its first row.
    """
    if db.dialect != "sqlite":
        db.executescript(audit_triggers_on_server(db, entities))
        return
    for entity in entities:
        for name, sql in trigger_statements(db, entity, function).items():
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
            db.execute(sql)


def trigger_statements(db: Database, entity: str, function: str = HASH_FUNCTION) -> dict:
    """The audit triggers of one entity's table as prolotrack wrote them: name -> SQL, the
    text SQLite keeps in ``sqlite_master`` (so a changed trigger can be found)."""
    statements = {}
    table, key = audit.AUDITED[entity]
    columns = db.columns(table)
    watched = [c for c in columns if c not in audit.DERIVED.get(table, set())]
    on_update = audit_sql.update_action(table, columns)
    events = {
        "insert": ("INSERT", "NULL", json_of(columns, "NEW"), "NEW", "'insert'"),
        "update": (
            f"UPDATE OF {', '.join(watched)}",
            json_of(columns, "OLD"),
            json_of(columns, "NEW"),
            "NEW",
            on_update,
        ),
        "delete": ("DELETE", json_of(columns, "OLD"), "NULL", "OLD", "'delete'"),
    }
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
        statements[name] = f"""CREATE TRIGGER {name} AFTER {when} ON {table} BEGIN
                INSERT INTO audit_log ({", ".join(FIELDS)}, hash)
                SELECT {", ".join(f"v.{k}" for k in FIELDS)},
                    {sql_hash({k: f"v.{k}" for k in FIELDS}, function)}
                FROM (SELECT coalesce({values["prev_hash"]}, '') AS prev_hash,
                    {", ".join(f"{values[k]} AS {k}" for k in FIELDS[1:])}) AS v;
            END"""
    return statements


_NOW_ON_SERVER = (
    """to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""
)


def audit_triggers_on_server(db: Database, entities: tuple[str, ...]) -> str:
    """The audit triggers of these entities' tables from their current columns, (re)made, as
    ``trigger_statements`` writes them for SQLite: the same log row, the same hash (the keyed
    one: a PostgreSQL database's chain is keyed from its first row)."""
    from prolotrack.storage.migrations.postgresql import CHAIN_LOCK

    statements = []
    for entity in entities:
        table, key = audit.AUDITED[entity]
        columns = db.columns(table)
        watched = [c for c in columns if c not in audit.DERIVED.get(table, set())]
        events = {
            "insert": ("INSERT", "NULL", "row_to_json(NEW)::text", "NEW", "'insert'"),
            "update": (
                f"UPDATE OF {', '.join(watched)}",
                "row_to_json(OLD)::text",
                "row_to_json(NEW)::text",
                "NEW",
                audit_sql.update_action(table, columns),
            ),
            "delete": ("DELETE", "row_to_json(OLD)::text", "NULL", "OLD", "'delete'"),
        }
        for event, (when, before, after, row, action) in events.items():
            name = f"audit_{table}_{event}"
            values = {
                "prev_hash": "coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '')",
                "at": _NOW_ON_SERVER,
                # the database role, which no client can forge, and the system user
                "actor": "session_user || ' (' || (SELECT actor FROM audit_context"
                " WHERE id = 1) || ')'",
                "practitioner": "(SELECT practitioner FROM audit_context WHERE id = 1)",
                "entity": f"'{entity}'",
                "entity_id": f"CAST({row}.{key} AS text)",
                "action": action,
                "before": before,
                "after": after,
                "reason": "(SELECT reason FROM audit_context WHERE id = 1)",
            }
            fields = ", ".join(FIELDS)
            statements.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({CHAIN_LOCK});  -- appends to the chain one at a time
    INSERT INTO audit_log ({fields}, hash)
    SELECT {", ".join(f"v.{k}" for k in FIELDS)},
        {sql_hash({k: f"v.{k}" for k in FIELDS}, HASH_FUNCTION)}
    FROM (SELECT {", ".join(f"{values[k]} AS {k}" for k in FIELDS)}) AS v;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} AFTER {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();""")
    return "\n".join(statements)


def mark_keyed(db: Database, key: bytes) -> None:
    """Append the row from which the chain is keyed (the first row of a new file's log), then
    one row for each record older than the log itself, as it stands: from here on every record
    can be checked against its last audit row."""
    append_keyed_mark(db, key)
    if db.dialect != "sqlite":
        return  # a PostgreSQL database was made with its log: no record is older than it
    for entity, (table, id_column) in audit.AUDITED.items():
        if table not in db.table_names():
            continue
        columns = db.columns(table)
        unlogged = db.execute(
            f"SELECT CAST({id_column} AS TEXT), {json_of(columns, table)} FROM {table}"
            f" WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = '{entity}'"
            f" AND a.entity_id = CAST({table}.{id_column} AS TEXT))"
            + (" AND NOT builtin" if table == "instruments" else "")
        ).fetchall()
        for entity_id, after in unlogged:
            append(
                db, key, entity, entity_id, "present", after, "recorded before the audit log began"
            )


def append_keyed_mark(db: Database, key: bytes) -> None:
    """The row from which the chain is keyed."""
    append(
        db,
        key,
        audit.KEYED[0],
        "",
        audit.KEYED[1],
        json.dumps({"hash": "HMAC-SHA256, with a key kept outside this file"}),
        "every row from here on is hashed with this file's key",
    )


def append(
    db: Database,
    key: bytes,
    entity: str,
    entity_id: str,
    action: str,
    after: str | None,
    reason: str,
    *,
    before: str | None = None,
    practitioner: str | None = audit.MIGRATION,
) -> None:
    last = db.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    row = {
        "prev_hash": last[0] if last else "",
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "actor": audit.actor(db),
        "practitioner": practitioner,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "before": before,
        "after": after,
        "reason": reason,
    }
    row["hash"] = hmac.new(key, row_text(row).encode(), hashlib.sha256).hexdigest()
    db.execute(
        f"INSERT INTO audit_log ({', '.join(row)}) VALUES ({', '.join(f':{k}' for k in row)})",
        row,
    )


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
        keyed = keyed or (entity, action) == audit.KEYED
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
