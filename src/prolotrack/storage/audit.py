"""The audit log: every change to the record, written by triggers in the same transaction.

Triggers on each audited table append a row to ``audit_log`` for every insert, update and
delete: when (UTC), who (the operating-system user and the ``practitioner`` setting, from the
one-row ``audit_context`` table that each write command fills as it begins), the entity and its
id, the action and the reason. Each row's hash covers that, the record's values before and after
the change (JSON) and the previous row's hash, so a row changed or inserted behind prolotrack's
back breaks the chain; triggers refuse UPDATE and DELETE on the log itself. Doing this in
triggers, not in each write function, means no code path can change the record without leaving
a trace.

The log keeps only what the tables no longer hold: an update or a delete keeps the values it
replaced (``before``); the values after a change are the record's own, or the values the next
change of the record replaced, so the log does not copy them (``after`` is empty): its hash
proves them. A row whose values cannot be read back that way keeps them (rows prolotrack appends
itself, and a log copied from the other engine, whose JSON is written differently). A record's
JSON leaves out empty columns (a column a later migration adds changes no hash) and what follows
from other columns without a log row of its own (a session's number).

The hash is an HMAC-SHA256 with a key kept outside the file (``storage/keys.py``), 32 bytes,
computed by the SQL function ``prolotrack_hmac``, which prolotrack registers on its connections:
another program can read the file but cannot write audited tables, and one that registers a
function of that name cannot make a hash that holds. The previous row's hash is the row before
it in the order of the log's ids, as 64 hex digits in the text hashed. Logs written before
migration 0014 kept more (``storage/migrations/log_v1.py``); that migration rebuilt them.

The context (who, why) lives only for one command: it is filled as a write command begins and
emptied before it commits, so a change made behind prolotrack's back is never logged under the
last user (with no context, the log's NOT NULL ``actor`` refuses it).
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

HASH_FUNCTION = "prolotrack_hmac"  # a row's keyed hash, 32 bytes (migration 0014 on)
SEPARATOR = "|"
MIGRATION = "prolotrack (schema migration)"  # the practitioner of a migration's changes
HEAD_SECRET = "audit-head"  # where a backup carries its sealed head, in its secrets table
REBUILT = ("audit_log", "rebuild")  # entity and action of the first row of a rebuilt log
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


# What a row's hash covers, in this order: the previous row's hash (hex), then the row.
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
STORED = tuple(f for f in FIELDS if f != "prev_hash")  # the log's columns, with id and hash


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def hex_of(stored: bytes | str | None) -> str:
    """A row's hash as the next row's text holds it (a hash written before migration 0014, or
    forged, is text already)."""
    if stored is None:
        return ""
    return stored.hex() if isinstance(stored, bytes | memoryview) else str(stored)


def row_text(row: dict) -> str:
    """What a log row's hash covers: its content and the previous row's hash."""
    return SEPARATOR.join("" if row[k] is None else str(row[k]) for k in FIELDS)


def sql_text(values: dict[str, str]) -> str:
    """What a row's hash covers, as SQL over ``values`` (field -> expression)."""
    return f" || '{SEPARATOR}' || ".join(f"coalesce({values[k]}, '')" for k in FIELDS)


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


def history(
    db: Database, entity: str | None = None, entity_id: str | None = None
) -> Iterator[dict]:
    """The log, newest first, optionally for one entity (and one record of it), each row with
    its values after the change read back where the log does not copy them; a row at a time."""
    from prolotrack.storage.audit_sql import after_sql

    where, params = [], {}
    if entity:
        where.append("a.entity = :entity")
        params["entity"] = entity
    elif entity_id is not None:  # every entity, so that the (entity, entity_id) index serves
        named = {f"e{n}": e for n, e in enumerate([*AUDITED, KEYED[0]])}
        where.append(f"a.entity IN ({', '.join(f':{k}' for k in named)})")
        params.update(named)
    if entity_id is not None:
        where.append("a.entity_id = :entity_id")
        params["entity_id"] = str(entity_id)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    names = [c for c in ("id", *STORED, "hash") if c != "after"]
    columns = ", ".join(f"a.{c}" for c in names)
    sql = f"SELECT {columns}, {after_sql(db)} AS after FROM audit_log a {clause} ORDER BY a.id DESC"
    for values in db.stream(sql, params):  # from a server-side cursor on PostgreSQL
        row = dict(zip([*names, "after"], values, strict=True))
        for side in ("before", "after"):
            row[side] = json.loads(row[side]) if row[side] else None
        row["hash"] = hex_of(row["hash"])
        yield row


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
    append(db, key, *ACCEPTED[:1], "", ACCEPTED[1], after, reason, practitioner=practitioner)


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
    append(
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


def append_upgrade(db: Database, key: bytes, before: list[str], applied: list[str]) -> None:
    """The row that says a database made by an earlier version was brought up to this one:
    the schema version it had, the one it has, and the migrations that took it there."""
    from prolotrack import __version__

    version = len(before) + len(applied)
    append(
        db,
        key,
        UPGRADED[0],
        str(version),
        UPGRADED[1],
        json.dumps({"version": version, "applied": applied}),
        f"schema upgraded by prolotrack {__version__}",
        before=json.dumps({"version": len(before)}),
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
    practitioner: str | None = MIGRATION,
) -> None:
    """A row prolotrack appends itself, its values after kept (no table holds them)."""
    import hmac
    from datetime import UTC, datetime

    if "prev_hash" in db.columns("audit_log"):  # a log not yet rebuilt (before migration 0014)
        from prolotrack.storage.migrations import log_v1

        kept = {"before": before, "practitioner": practitioner}
        return log_v1.append(db, key, entity, entity_id, action, after, reason, **kept)
    last = db.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    row = {
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "actor": actor(db),
        "practitioner": practitioner,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "before": before,
        "after": "" if after is None else after,  # kept, even as nothing: never read back
        "reason": reason,
    }
    text = row_text({"prev_hash": hex_of(last[0]) if last else "", **row})
    row["hash"] = hmac.new(key, text.encode(), hashlib.sha256).digest()
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
