"""The SQL of the audit log: the triggers that write a row on either engine, a record's JSON as
a row's hash covers it, and a row's values after its change read back from the record or from
the record's next change (``storage/audit.py`` says what a row holds and how it is hashed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.storage import audit

if TYPE_CHECKING:
    from sqlite_utils import Database


def record_json(db: Database, table: str, alias: str) -> str:
    """A record's JSON as the log hashes it, as SQL over the row ``alias``: its columns in
    order, but the empty ones and those no log row follows (``audit.UNLOGGED``). SQLite's
    json_patch() into an empty object leaves out the empty columns."""
    left_out = audit.UNLOGGED.get(table, set())
    if db.dialect == "sqlite":
        kept = [c for c in db.columns(table) if c not in left_out]
        pairs = ", ".join(f"'{c}', {alias}.{c}" for c in kept)
        return f"json_patch('{{}}', json_object({pairs}))"
    left_out = sorted(left_out | {"rowid"})  # PostgreSQL's rowid of its own: not the record's
    removed = ", ".join(f"'{c}'" for c in left_out)
    return f"jsonb_strip_nulls(to_jsonb({alias}) - ARRAY[{removed}])::text"


def previous_hash_sql(db: Database) -> str:
    """The last row's hash as the next row's text holds it, as SQL."""
    hexed = "lower(hex(hash))" if db.dialect == "sqlite" else "encode(hash, 'hex')"
    return f"coalesce((SELECT {hexed} FROM audit_log ORDER BY id DESC LIMIT 1), '')"


def after_sql(db: Database, alias: str = "a") -> str:
    """A log row's values after its change, as SQL over the row ``alias``: as kept, or else
    the values the record's next change replaced, or else the record as it stands (NULL when
    it is gone)."""
    follows = (
        f"(SELECT n.before FROM audit_log n WHERE n.entity = {alias}.entity"
        f" AND n.entity_id = {alias}.entity_id AND n.id > {alias}.id ORDER BY n.id LIMIT 1)"
    )
    tables = set(db.table_names())
    current = []
    for entity, (table, key) in audit.AUDITED.items():
        if table not in tables:
            continue
        wanted = as_key(db, table, key, f"{alias}.entity_id")
        current.append(
            f"WHEN '{entity}' THEN (SELECT {record_json(db, table, 't')} FROM {table} t"
            f" WHERE t.{key} = {wanted})"
        )
    return (
        f"CASE WHEN {alias}.after IS NOT NULL OR {alias}.action = 'delete' THEN {alias}.after"
        f" ELSE coalesce({follows}, CASE {alias}.entity {' '.join(current)} END) END"
    )


def current_json(db: Database, entity: str, entity_id: str) -> str | None:
    """A record's JSON as the log hashes it, as it stands (None when it is gone)."""
    table, key = audit.AUDITED[entity]
    found = db.execute(
        f"SELECT {record_json(db, table, 't')} FROM {table} t"
        f" WHERE t.{key} = {as_key(db, table, key, ':entity_id')}",
        {"entity_id": entity_id},
    ).fetchone()
    return found[0] if found else None


def as_key(db: Database, table: str, key: str, text: str) -> str:
    """An entity id (text, as the log keeps it) as the table's key, as SQL."""
    if key != "id":
        return text
    if db.dialect == "sqlite":
        return f"CAST({text} AS INTEGER)"
    return f"CASE WHEN {text} ~ '^[0-9]{{1,18}}$' THEN CAST({text} AS bigint) END"


def create_triggers(db: Database, entities: tuple[str, ...]) -> None:
    """(Re)create the audit triggers of these entities' tables from their current columns.

    Each migration names the entities it adds or changes, so that a shipped migration does
    the same thing whatever later versions add to ``audit.AUDITED``."""
    if db.dialect != "sqlite":
        from prolotrack.storage.migrations import postgresql

        db.executescript(postgresql.audit_triggers(db, entities))
        return
    for entity in entities:
        for name, sql in trigger_statements(db, entity).items():
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
            db.execute(sql)


def trigger_events(db: Database, entity: str) -> dict[str, tuple[str, ...]]:
    """Of each audit trigger of one entity's table: when it fires, the values before and after
    (SQL), the row it logs and the action, for either engine."""
    table, _ = audit.AUDITED[entity]
    columns = db.columns(table)
    watched = [c for c in columns if c not in audit.DERIVED.get(table, set()) and c != "rowid"]
    old, new = record_json(db, table, "OLD"), record_json(db, table, "NEW")
    return {
        "insert": ("INSERT", "NULL", new, "NEW", "'insert'"),
        "update": (
            f"UPDATE OF {', '.join(watched)}",
            old,
            new,
            "NEW",
            update_action(table, columns),
        ),
        "delete": ("DELETE", old, "NULL", "OLD", "'delete'"),
    }


def trigger_statements(db: Database, entity: str) -> dict:
    """The audit triggers of one entity's table as prolotrack writes them: name -> SQL, the
    text SQLite keeps in ``sqlite_master`` (so a changed trigger can be found)."""
    statements = {}
    table, key = audit.AUDITED[entity]
    for event, (when, before, after, row, action) in trigger_events(db, entity).items():
        name = f"audit_{table}_{event}"
        values = {
            "prev_hash": previous_hash_sql(db),
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
        kept = [f for f in audit.STORED if f != "after"]  # proven by the hash, not copied
        statements[name] = f"""CREATE TRIGGER {name} AFTER {when} ON {table} BEGIN
                INSERT INTO audit_log ({", ".join(kept)}, hash)
                SELECT {", ".join(f"v.{k}" for k in kept)},
                    {audit.HASH_FUNCTION}({audit.sql_text({k: f"v.{k}" for k in audit.FIELDS})})
                FROM (SELECT {", ".join(f"{values[k]} AS {k}" for k in audit.FIELDS)}) AS v;
            END"""
    return statements


def update_action(table: str, columns: list[str]) -> str:
    """The action an update of ``table`` is logged as, as an SQL expression over OLD and NEW."""
    named = [n for n in audit._NAMED_UPDATES.get(table, ()) if n[0] in columns]
    if not named:
        return "'update'"
    cases = []
    for column, action, undo in named:
        cases.append(f"WHEN OLD.{column} IS NULL AND NEW.{column} IS NOT NULL THEN '{action}'")
        if undo:
            cases.append(f"WHEN OLD.{column} IS NOT NULL AND NEW.{column} IS NULL THEN '{undo}'")
    return f"CASE {' '.join(cases)} ELSE 'update' END"
