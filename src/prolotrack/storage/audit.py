"""The audit log: every change to the record, written by triggers in the same transaction.

Triggers on each audited table append a row to ``audit_log`` for every insert, update and
delete: when (UTC), who (the operating-system user and the ``practitioner`` setting, from the
one-row ``audit_context`` table that each write command fills as it begins), the entity and its
id, the values before and after (JSON) and the reason. Each row's hash covers its content and
the previous row's hash, so a row changed or inserted behind prolotrack's back breaks the chain;
triggers refuse UPDATE and DELETE on the log itself. Doing this in triggers, not in each write
function, means no code path can change the record without leaving a trace.

The hash is an HMAC-SHA256 with a key kept outside the file (``storage/keys.py``), computed by
the SQL function ``prolotrack_chain``, which prolotrack registers on its connections: another
program can read the file but cannot write audited tables, and one that registers a function
of that name cannot make a hash that holds. Files from before the key (migration 0006) keep
their first rows hashed with plain SHA-256 up to a row that marks the change; that row and every
row after it are keyed, so the earlier rows cannot be recomputed either.

The context (who, why) lives only for one command: it is filled as a write command begins and
emptied before it commits, so a change made behind prolotrack's back is never logged under the
last user (with no context, the log's NOT NULL ``actor`` refuses it).
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

HASH_FUNCTION = "prolotrack_chain"
LEGACY_HASH_FUNCTION = "prolotrack_sha256"  # the unkeyed hash of migrations 0003-0005
SEPARATOR = "|"
MIGRATION = "prolotrack (schema migration)"  # the practitioner of a migration's changes
HEAD_SECRET = "audit-head"  # where a backup carries its sealed head, in its secrets table
KEYED = ("audit_log", "key")  # entity and action of the row from which the chain is keyed
UPGRADED = ("schema", "migrate")  # entity and action of the row of a database's upgrade
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
    "patient_flag": ("patient_flags", "id"),
    "rehabilitation": ("rehabilitation", "id"),
    "answer_set": ("answer_sets", "id"),
    "answer": ("answers", "id"),
    "form_text": ("form_texts", "id"),
    "signature": ("signatures", "id"),
    "form_link": ("form_links", "id"),
    "form_response": ("form_responses", "id"),
}
# An update that sets this column from empty is given a clinical name in the log (the first
# that applies); one that empties it again, the name after it, if any.
_NAMED_UPDATES = {
    "sessions": (("voided_at", "void", None),),
    "scores": (("voided_at", "void", None),),
    "answer_sets": (("voided_at", "void", None),),
    "form_links": (("used_at", "use", None), ("withdrawn_at", "withdraw", None)),
    "form_responses": (("reviewed_at", "review", None),),
    "patients": (("archived_at", "archive", None),),
    "courses": (("voided_at", "void", None), ("closed_on", "close", "reopen")),
    "adverse_events": (("voided_at", "void", None), ("resolved_on", "resolve", None)),
}
# Columns whose change alone is not worth a log row: session numbers follow from the dates.
DERIVED = {"sessions": {"number", "updated_at"}}
# Of those, the columns that do change without a log row (``updated_at`` changes only with a
# logged column); ``storage/consistency.py`` checks them against what they follow from.
UNLOGGED = {"sessions": {"number"}}
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


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def row_text(row: dict) -> str:
    """What a log row's hash covers: its content and the previous row's hash."""
    return SEPARATOR.join("" if row[k] is None else str(row[k]) for k in FIELDS)


def sql_text(values: dict[str, str]) -> str:
    """What a row's hash covers, as SQL over ``values`` (field -> expression)."""
    return f" || '{SEPARATOR}' || ".join(f"coalesce({values[k]}, '')" for k in FIELDS)


def sql_hash(values: dict[str, str], function: str) -> str:
    return f"{function}({sql_text(values)})"


def _json(columns: list[str], alias: str) -> str:
    return "json_object(" + ", ".join(f"'{c}', {alias}.{c}" for c in columns) + ")"


def create_triggers(db: Database, entities: tuple[str, ...], function: str = HASH_FUNCTION) -> None:
    """(Re)create the audit triggers of these entities' tables from their current columns.

    Each migration names the entities it adds or changes, so that a shipped migration does
    the same thing whatever later versions add to ``AUDITED``. ``function``: the hash of a
    SQLite file's chain (unkeyed before migration 0006); a PostgreSQL database's chain is keyed
    from its first row.
    """
    if db.dialect != "sqlite":
        from prolotrack.storage.migrations import postgresql

        db.executescript(postgresql.audit_triggers(db, entities))
        return
    for entity in entities:
        for name, sql in trigger_statements(db, entity, function).items():
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
            db.execute(sql)


def update_action(table: str, columns: list[str]) -> str:
    """The action an update of ``table`` is logged as, as an SQL expression over OLD and NEW."""
    named = [n for n in _NAMED_UPDATES.get(table, ()) if n[0] in columns]
    if not named:
        return "'update'"
    cases = []
    for column, action, undo in named:
        cases.append(f"WHEN OLD.{column} IS NULL AND NEW.{column} IS NOT NULL THEN '{action}'")
        if undo:
            cases.append(f"WHEN OLD.{column} IS NOT NULL AND NEW.{column} IS NULL THEN '{undo}'")
    return f"CASE {' '.join(cases)} ELSE 'update' END"


def trigger_statements(db: Database, entity: str, function: str = HASH_FUNCTION) -> dict:
    """The audit triggers of one entity's table as prolotrack writes them: name -> SQL, the
    text SQLite keeps in ``sqlite_master`` (so a changed trigger can be found)."""
    statements = {}
    table, key = AUDITED[entity]
    columns = db.columns(table)
    watched = [c for c in columns if c not in DERIVED.get(table, set())]
    on_update = update_action(table, columns)
    events = {
        "insert": ("INSERT", "NULL", _json(columns, "NEW"), "NEW", "'insert'"),
        "update": (
            f"UPDATE OF {', '.join(watched)}",
            _json(columns, "OLD"),
            _json(columns, "NEW"),
            "NEW",
            on_update,
        ),
        "delete": ("DELETE", _json(columns, "OLD"), "NULL", "OLD", "'delete'"),
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


def operating_system_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name to be had (a container without one): still log the change
        return "unknown"


def begin(db: Database, practitioner: str | None) -> None:
    """Say who is making this transaction's changes; the reason starts empty."""
    db.execute(
        "INSERT INTO audit_context (id, actor, practitioner, reason)"
        " VALUES (1, :actor, :practitioner, NULL) ON CONFLICT (id) DO UPDATE SET"
        " actor = excluded.actor, practitioner = excluded.practitioner, reason = NULL",
        {"actor": operating_system_user(), "practitioner": practitioner},
    )


def as_migration(db: Database) -> None:
    """Log the changes that follow as prolotrack's own, made by a schema migration."""
    begin(db, MIGRATION)


def end(db: Database) -> None:
    """Empty the context before the command commits: nothing after it is logged under its user."""
    db.execute("DELETE FROM audit_context")


def because(db: Database, reason: str | None) -> None:
    """The reason recorded with the changes that follow, in this transaction."""
    db.execute("UPDATE audit_context SET reason = :reason WHERE id = 1", {"reason": reason})


def history(db: Database, entity: str | None = None, entity_id: str | None = None) -> list[dict]:
    """The log, newest first, optionally for one entity (and one record of it)."""
    where, params = [], {}
    if entity:
        where.append("entity = :entity")
        params["entity"] = entity
    elif entity_id is not None:  # every entity, so that the (entity, entity_id) index serves
        named = {f"e{n}": e for n, e in enumerate([*AUDITED, KEYED[0]])}
        where.append(f"entity IN ({', '.join(f':{k}' for k in named)})")
        params.update(named)
    if entity_id is not None:
        where.append("entity_id = :entity_id")
        params["entity_id"] = str(entity_id)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    found = []
    for row in db.query(f"SELECT * FROM audit_log {clause} ORDER BY id DESC", params):
        row = dict(row)
        for side in ("before", "after"):
            row[side] = json.loads(row[side]) if row[side] else None
        found.append(row)
    return found


def mark_keyed(db: Database, key: bytes) -> None:
    """Append the row from which the chain is keyed (the first row of a new file's log), then
    one row for each record older than the log itself, as it stands: from here on every record
    can be checked against its last audit row."""
    append_keyed_mark(db, key)
    if db.dialect != "sqlite":
        return  # a PostgreSQL database was made with its log: no record is older than it
    for entity, (table, id_column) in AUDITED.items():
        if table not in db.table_names():
            continue
        columns = db.columns(table)
        unlogged = db.execute(
            f"SELECT CAST({id_column} AS TEXT), {_json(columns, table)} FROM {table}"
            f" WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = '{entity}'"
            f" AND a.entity_id = CAST({table}.{id_column} AS TEXT))"
            + (" AND NOT builtin" if table == "instruments" else "")
        ).fetchall()
        for entity_id, after in unlogged:
            _append(
                db, key, entity, entity_id, "present", after, "recorded before the audit log began"
            )


ACCEPTED = ("audit_log", "accept")  # entity and action of a row taking findings as they are


def accepted(db: Database) -> set[str]:
    """Every finding of 'db check' that a user took as it is, with a reason, and that no
    repair could mend (a row of the log altered, a history broken): it is not found again."""
    rows = db.execute(
        "SELECT after FROM audit_log WHERE entity = :entity AND action = :action",
        {"entity": ACCEPTED[0], "action": ACCEPTED[1]},
    )
    return {finding for (after,) in rows for finding in json.loads(after)["standing"]}


def append_accepted(
    db: Database,
    key: bytes,
    found: list[str],
    standing: list[str],
    reason: str,
    practitioner: str | None,
) -> None:
    """The row that takes the file as it is: what the check found, what stays, and why."""
    after = json.dumps({"found": found, "standing": standing})
    _append(db, key, *ACCEPTED[:1], "", ACCEPTED[1], after, reason, practitioner=practitioner)


def relog(
    db: Database,
    key: bytes,
    entity: str,
    entity_id: str,
    before: str | None,
    after: str | None,
    reason: str,
    practitioner: str | None,
) -> None:
    """A record taken as it now stands, after the last state the log knew of it."""
    _append(
        db,
        key,
        entity,
        entity_id,
        ACCEPTED[1],
        after,
        reason,
        before=before,
        practitioner=practitioner,
    )


def append_keyed_mark(db: Database, key: bytes) -> None:
    """The row from which the chain is keyed."""
    _append(
        db,
        key,
        KEYED[0],
        "",
        KEYED[1],
        json.dumps({"hash": "HMAC-SHA256, with a key kept outside this file"}),
        "every row from here on is hashed with this file's key",
    )


def append_upgrade(db: Database, key: bytes, before: list[str], applied: list[str]) -> None:
    """The row that says a database made by an earlier version was brought up to this one:
    the schema version it had, the one it has, and the migrations that took it there."""
    from prolotrack import __version__

    version = len(before) + len(applied)
    _append(
        db,
        key,
        UPGRADED[0],
        str(version),
        UPGRADED[1],
        json.dumps({"version": version, "applied": applied}),
        f"schema upgraded by prolotrack {__version__}",
        before=json.dumps({"version": len(before)}),
    )


def _append(
    db: Database,
    key: bytes,
    entity: str,
    entity_id: str,
    action: str,
    after: str | None,
    reason: str,
    *,
    before: str | None = None,
    practitioner: str | None = MIGRATION,
) -> None:
    last = db.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    row = {
        "prev_hash": last[0] if last else "",
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "actor": actor(db),
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


def actor(db: Database) -> str:
    """Who appends a row from Python: as the triggers say it (on PostgreSQL, the database role
    with the system user in brackets)."""
    if db.dialect == "sqlite":
        return operating_system_user()
    role = db.execute("SELECT session_user").fetchone()[0]
    return f"{role} ({operating_system_user()})"
