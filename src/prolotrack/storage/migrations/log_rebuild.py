"""Migration 0014: the audit log rebuilt compact, on either engine, all of it or nothing.

The log of migrations 0003-0013 (``log_v1.py``) kept a JSON copy of every record after each
change beside the record itself, 64-digit hex hashes, each row's previous hash again and a
unique index on the hash. The rebuilt log (``storage/audit.py``) keeps what the tables no longer
hold, 32-byte hashes, and reads the previous hash from the row before.

The whole chain is checked first with the key, as 'db check' checks it (a chain that does not
hold is not rebuilt: rebuilding would launder it); the old chain's head (its row count, last id
and last hash) is carried into the new chain as its first row; every row keeps its id, time,
who, entity, action and reason, and its values before and after as the record's JSON is now
written (empty columns and session numbers left out); the values after are dropped where they
can be read back (the next change's values before, or the record itself) and kept where they
cannot. Every row is hashed anew after the anchor, the new chain is checked whole, and only then
does the old table go. The command's transaction holds it all, and the file was backed up before
(``storage/connection.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING

from prolotrack.domain.errors import DatabaseUnusable
from prolotrack.storage import audit, audit_sql, keys
from prolotrack.storage.migrations import file_identity, log_v1

if TYPE_CHECKING:
    from prolotrack.storage import Database
    from prolotrack.storage.migrations.dialects import Dialect

_BATCH = 2000
_NEW = "audit_log_compact"  # the new table, renamed into place at the end


def rebuild(db: Database, d: Dialect) -> None:
    file_id = file_identity(db)
    key = keys.load_key(file_id) if file_id else None
    if key is None:
        raise DatabaseUnusable(
            "the audit log cannot be upgraded here: the key of its chain"
            f" ({keys.key_path(file_id)}) is not on this machine; nothing was changed (upgrade"
            " it where the key is, or bring the key here: docs/reliability.md, moving a record)"
        )
    _refuse_if_broken(db, key)
    count, last_id, last_hash = _old_head(db)
    _create(db, d)
    anchor = {
        "id": 0 if last_id else 1,
        "at": _now(),
        "actor": audit.actor(db),
        "practitioner": audit.MIGRATION,
        "entity": audit.REBUILT[0],
        "entity_id": "",
        "action": audit.REBUILT[1],
        "before": json.dumps({"rows": count, "last_id": last_id, "hash": last_hash}),
        "after": json.dumps({"format": "compact: values after read back, 32-byte hashes"}),
        "reason": "the audit log rebuilt compact (migration 0014); the old chain's head above",
    }
    previous = _insert(db, key, [anchor], "")
    batch = []
    for row in _old_rows(db):
        batch.append(row)
        if len(batch) == _BATCH:
            previous = _insert(db, key, batch, previous)
            batch = []
    _insert(db, key, batch, previous)
    _swap(db, d)
    _refuse_if_not_whole(db, key, count + 1)


def _refuse_if_broken(db: Database, key: bytes) -> None:
    """The whole old chain, checked with the key, but for what a user took as it is."""
    taken = audit.accepted(db)
    found = [p for p in log_v1.broken_links(db, key) if f"audit: {p}" not in taken]
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise DatabaseUnusable(
            f"the audit log was not upgraded: its chain does not hold ({found[0]}{more});"
            " nothing was changed. Run 'prolotrack db check', and restore a backup with"
            " 'prolotrack db restore' (or take the file as it is with 'db check --accept')"
        )


def _old_head(db: Database) -> tuple[int, int, str]:
    count = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    last = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (count, last[0], last[1]) if last else (0, 0, "")


def _create(db: Database, d: Dialect) -> None:
    T = d.text
    blob = "BLOB" if d.name == "sqlite" else "bytea"
    db.executescript(
        f"""
        CREATE TABLE {_NEW} (
            {d.id},
            at {T} NOT NULL,
            actor {T} NOT NULL,
            practitioner {T},
            entity {T} NOT NULL,
            entity_id {T} NOT NULL,
            action {T} NOT NULL,
            before {T},
            after {T},
            reason {T},
            hash {blob} NOT NULL
        );
        """
    )


def _canonical(db: Database, table: str, text: str) -> str:
    """A record's JSON as the old log wrote it, as the new one writes it (SQL over ``text``)."""
    left_out = sorted(audit.UNLOGGED.get(table, set()))
    if db.dialect == "sqlite":
        paths = "".join(f", '$.{c}'" for c in left_out)
        stripped = f"json_patch('{{}}', {text})"
        return f"json_remove({stripped}{paths})" if left_out else stripped
    removed = ", ".join(f"'{c}'" for c in [*left_out, "rowid"])
    return f"jsonb_strip_nulls(CAST({text} AS jsonb) - ARRAY[{removed}])::text"


def _old_rows(db: Database):
    """Each old row as the new log keeps it, with the values after it will read back (None
    where it reads back none)."""
    tables = set(db.table_names())
    before, after, read_back = [], [], []
    for entity, (table, key) in audit.AUDITED.items():
        if table not in tables:
            continue
        when = f"WHEN '{entity}' THEN"
        before.append(f"{when} {_canonical(db, table, 'o.before')}")
        after.append(f"{when} {_canonical(db, table, 'o.after')}")
        wanted = audit_sql.as_key(db, table, key, "o.entity_id")
        follows = (
            f"(SELECT {_canonical(db, table, 'n.before')} FROM audit_log n"
            " WHERE n.entity = o.entity AND n.entity_id = o.entity_id AND n.id > o.id"
            " ORDER BY n.id LIMIT 1)"
        )
        made = audit_sql.record_json(db, table, "t")
        record = f"(SELECT {made} FROM {table} t WHERE t.{key} = {wanted})"
        read_back.append(f"{when} coalesce({follows}, {record})")
    rows = db.execute(
        f"""
        SELECT o.id, o.at, o.actor, o.practitioner, o.entity, o.entity_id, o.action,
            CASE o.entity {" ".join(before)} ELSE o.before END,
            CASE o.entity {" ".join(after)} ELSE o.after END,
            o.reason,
            CASE WHEN o.action = 'delete' THEN NULL
                ELSE CASE o.entity {" ".join(read_back)} END END
        FROM audit_log o ORDER BY o.id"""
    )
    fields = ("id", *audit.STORED)
    for *values, readable in rows:
        row = dict(zip(fields, values, strict=True))
        row["read_back"] = readable
        yield row


def _insert(db: Database, key: bytes, rows: list[dict], previous: str) -> str:
    """Hash ``rows`` in order after ``previous`` and insert them; the last one's hash (hex)."""
    kept = []
    for row in rows:
        text = audit.row_text({**row, "prev_hash": previous})
        digest = hmac.new(key, text.encode(), hashlib.sha256).digest()
        after = row["after"]
        if after is not None and after == row.get("read_back"):
            after = None  # read back from the record or its next change: the hash proves it
        elif after is None and row["action"] != "delete":
            after = ""  # nothing after, and nothing to read back: kept as nothing
        kept.append({**{k: row[k] for k in ("id", *audit.STORED)}, "after": after, "hash": digest})
        previous = digest.hex()
    if kept:
        columns = ("id", *audit.STORED, "hash")
        db.executemany(
            f"INSERT INTO {_NEW} ({', '.join(columns)}) VALUES"
            f" ({', '.join(f':{c}' for c in columns)})",
            kept,
        )
    return previous


def _swap(db: Database, d: Dialect) -> None:
    """The old table out, the new one in its place, with its index, guards and triggers."""
    tables = set(db.table_names())
    entities = tuple(e for e, (t, _) in audit.AUDITED.items() if t in tables)
    granted: dict[str, list[tuple[str, str]]] = {}
    if d.name == "sqlite":  # the triggers name the log: none may outlive it
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit%'"
        ).fetchall():
            db.execute(f"DROP TRIGGER {name}")
        guards = d.log_guards
    else:
        from prolotrack.storage.migrations import postgresql

        db.executescript(postgresql.HMAC_FUNCTION)
        granted = {  # the practitioners' roles keep what the administrator gave them
            "table": _privileges(db, "'audit_log'"),
            "sequence": _privileges(db, "pg_get_serial_sequence('audit_log', 'id')"),
        }
        guards = """
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();"""
    db.executescript(
        f"""
        DROP TABLE audit_log;
        ALTER TABLE {_NEW} RENAME TO audit_log;
        CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);
        {guards}
        """
    )
    if d.name != "sqlite":
        from prolotrack.storage.migrations import postgresql

        postgresql.continue_identities(db)
        sequence = db.execute("SELECT pg_get_serial_sequence('audit_log', 'id')").fetchone()[0]
        for kind, relation in (("table", "audit_log"), ("sequence", sequence)):
            for grantee, privilege in granted[kind]:
                db.execute(f"GRANT {privilege} ON {kind.upper()} {relation} TO {grantee}")
    audit_sql.create_triggers(db, entities)


def _privileges(db: Database, relation: str) -> list[tuple[str, str]]:
    """Who other than its owner may do what on a table or sequence (SQL naming it), as GRANT
    spells them."""
    return db.execute(
        f"""SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END,
            a.privilege_type FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = to_regclass({relation}) AND a.grantee <> c.relowner"""
    ).fetchall()


def _refuse_if_not_whole(db: Database, key: bytes, count: int) -> None:
    """The new chain checked whole: every row, the anchor first."""
    from prolotrack.storage import chain

    found = chain.broken_links(db, key)
    rows = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    if found or rows != count:
        raise DatabaseUnusable(
            "the audit log was not upgraded: the rebuilt chain did not hold"
            f" ({found[0] if found else f'{rows} rows, not {count}'}); nothing was changed"
        )


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
