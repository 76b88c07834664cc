"""What PostgreSQL keeps of prolotrack's schema beyond the migrations' fragments: the audit
triggers (PL/pgSQL writing the same rows as SQLite's triggers, hashed the same way), each
table's ids continued after a copy, and a digest of the schema as the server keeps it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.storage import audit, audit_sql

if TYPE_CHECKING:
    from prolotrack.storage.postgres import PostgresDatabase

CHAIN_LOCK = 0x70726F6C6F  # pg_advisory_xact_lock key of the audit chain's appends
_NOW = """to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""
# HMAC-SHA256 as 32 bytes with PostgreSQL's own sha256(), from the two padded keys prolotrack
# sets for its own transaction only (storage/postgres.py, chain_settings)
HMAC_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {audit.HASH_FUNCTION}(message text) RETURNS bytea LANGUAGE sql AS $$
    SELECT sha256(decode(current_setting('prolotrack.chain_outer'), 'hex')
        || sha256(decode(current_setting('prolotrack.chain_inner'), 'hex')
        || convert_to(message, 'UTF8')))
$$;"""


def audit_triggers(db: PostgresDatabase, entities: tuple[str, ...]) -> str:
    """The audit triggers of these entities' tables from their current columns, (re)made, as
    ``audit_sql.trigger_statements`` writes them for SQLite: the same log row, hashed the same way
    (each engine writes a record's JSON its own way)."""
    statements = []
    for entity in entities:
        table, key = audit.AUDITED[entity]
        for event, (when, before, after, row, action) in audit_sql.trigger_events(
            db, entity
        ).items():
            name = f"audit_{table}_{event}"
            values = {
                "prev_hash": audit_sql.previous_hash_sql(db),
                "at": _NOW,
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
            kept = [f for f in audit.STORED if f != "after"]  # proven by the hash, not copied
            text = audit.sql_text({k: f"v.{k}" for k in audit.FIELDS})
            statements.append(f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({CHAIN_LOCK});  -- appends to the chain one at a time
    INSERT INTO audit_log ({", ".join(kept)}, hash)
    SELECT {", ".join(f"v.{k}" for k in kept)}, {audit.HASH_FUNCTION}({text})
    FROM (SELECT {", ".join(f"{values[k]} AS {k}" for k in audit.FIELDS)}) AS v;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} AFTER {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();""")
    return "\n".join(statements)


def continue_identities(db: PostgresDatabase) -> None:
    """After rows came in with their ids: each table's next id follows its largest."""
    for table in db.table_names():
        if "id" in db.columns(table):
            db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )


def schema_digest(db: PostgresDatabase) -> str:
    """A digest of the tables' columns, the indexes, the triggers and prolotrack's functions,
    as PostgreSQL keeps them: a change made outside prolotrack no longer matches it."""
    import hashlib
    import json

    found = [
        *db.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default"
            " FROM information_schema.columns WHERE table_schema = current_schema()"
            " ORDER BY table_name, ordinal_position"
        ),
        *db.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " ORDER BY indexname"
        ),
        *db.execute(
            "SELECT t.tgname, pg_get_triggerdef(t.oid), t.tgenabled FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY t.tgname"
        ),
        *db.execute(
            "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n"
            " ON n.oid = p.pronamespace WHERE n.nspname = current_schema() ORDER BY p.proname"
        ),
    ]
    text = json.dumps([[str(v) for v in row] for row in found])
    return hashlib.sha256(text.encode()).hexdigest()
