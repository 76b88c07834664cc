"""Looking after a clinic's PostgreSQL database: its status, a full check, backups and restores.

A backup is a copy of the whole clinic into a new SQLite file (``storage/copying.py``), checked
and carrying its sealed head, as a file's backup is: it can be restored into PostgreSQL or used
as a file on any machine with the key. A restore replaces every table of the database with a
backup's, in one transaction, after backing up what is there; a failed restore changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from prolotrack.domain.errors import InvalidInput, Refused
from prolotrack.storage import (
    audit,
    chain,
    consistency,
    copying,
    file_care,
    file_check,
    keys,
    schema,
)

if TYPE_CHECKING:
    from prolotrack.storage.postgres import PostgresDatabase


def status(db: PostgresDatabase, shown: str) -> file_care.Status:
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in file_care.COUNTED}
    size = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    version = db.execute("SELECT count(*) FROM prolotrack_migrations").fetchone()[0]
    server = db.execute("SHOW server_version").fetchone()[0]
    file_id, _ = schema.file_key(db)
    found = file_care.backups(backup_place(db))
    return file_care.Status(
        shown,
        size,
        version,
        f"PostgreSQL {server}",
        counts,
        found[-1] if found else None,
        keys.key_path(file_id),
    )


def backup_place(db: PostgresDatabase) -> Path:
    """Where this database's backups go by default: ``backups/`` in the user data folder,
    named after the database (``DBNAME-STAMP.db``)."""
    import platformdirs

    name = db.execute("SELECT current_database()").fetchone()[0]
    return platformdirs.user_data_path("prolotrack", appauthor=False) / f"{name}.db"


def problems(
    db: PostgresDatabase, shown: str, progress: Callable[[Iterable], Iterable] = iter
) -> list[str]:
    """Everything wrong with the database: the audit chain (its rows read through
    ``progress``), its head, the audit triggers, and every record against its last audit row."""
    file_id, key = schema.file_key(db)
    found = []
    if key is None:
        found.append(
            f"audit: the key of this database's chain is not on this machine"
            f" ({keys.key_path(file_id)}): the chain cannot be checked"
        )
    found += chain.broken_links(db, key, progress)
    found += _trigger_problems(db)
    if key is not None:
        try:
            head = keys.load_head(file_id, shown)
        except keys.ForgedHead as error:
            head = None
            found.append(f"audit: {error}")
        else:
            if head is None:
                found.append(
                    f"audit: no head is recorded for {shown} on this machine: rows"
                    " taken off the end of the log could not be seen"
                )
        found += [f"audit: {p}" for p in chain.head_problems(db, head, full=True)]
    found += record_problems(db)
    found += consistency.problems(db)
    return found


def _trigger_problems(db: PostgresDatabase) -> list[str]:
    enabled = db.execute(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal"
        " AND t.tgenabled != 'D' AND n.nspname = current_schema()"
    )
    present = {r[0] for r in enabled}
    wanted = ["audit_log_no_update", "audit_log_no_delete"] + [
        f"audit_{table}_{event}"
        for table in _audited_tables(db)
        for event in ("insert", "update", "delete")
    ]
    return [
        f"audit: the trigger {name} is missing or disabled"
        for name in wanted
        if name not in present
    ]


def _audited_tables(db: PostgresDatabase) -> list[str]:
    """The audited tables this database has (one of an earlier version has fewer)."""
    present = set(db.table_names())
    return [table for table, _ in audit.AUDITED.values() if table in present]


def record_problems(db: PostgresDatabase) -> list[str]:
    """Every record that is not as its last audit row left it (compared in Python, value by
    value: numbers to 1e-9 of their size)."""
    found = []
    tables = _audited_tables(db)
    for entity, (table, key) in audit.AUDITED.items():
        if table not in tables:
            continue  # a server of an earlier version, read as it stands (db check)
        derived = audit.UNLOGGED.get(table, set())
        rows = db.execute(
            f"""
            SELECT CAST(t.{key} AS text), row_to_json(t)::text, (SELECT CASE WHEN a.after
                IS NULL AND a.action != 'delete' THEN '' ELSE a.after END FROM audit_log a
                WHERE a.entity = :entity AND a.entity_id = CAST(t.{key} AS text)
                ORDER BY a.id DESC LIMIT 1)
            FROM {table} t ORDER BY 1""",
            {"entity": entity},
        )
        listed = 0
        for record_id, now, after in rows:
            current = {k: v for k, v in json.loads(now).items() if k != "rowid"}
            if after == "":
                continue  # its values are read back from the record: the chain proves them
            if after is None:
                if table == "instruments" and current.get("builtin"):
                    continue  # a built-in instrument, there before the log began
                what = "has no audit row"
            elif consistency.same(current, json.loads(after), derived):
                continue
            else:
                what = "differs from its last audit row"
            found.append(f"record: {entity} {record_id} {what} (changed behind prolotrack's back)")
            listed += 1
            if listed == file_check.LISTED:
                found.append(f"record: (more {entity} records not as logged; not listed)")
                break
        found += _removed(db, entity, table, key)
    return found


def _removed(db: PostgresDatabase, entity: str, table: str, key: str) -> list[str]:
    rows = db.execute(
        f"""
        SELECT last.entity_id FROM (
            SELECT entity_id, max(id) AS id FROM audit_log WHERE entity = :entity
            GROUP BY entity_id) AS last
        JOIN audit_log a ON a.id = last.id
        WHERE a.action != 'delete'
          AND NOT EXISTS (SELECT 1 FROM {table} t WHERE CAST(t.{key} AS text) = last.entity_id)
        ORDER BY 1 LIMIT {file_check.LISTED}""",
        {"entity": entity},
    )
    return [
        f"record: {entity} {r[0]} is in the audit log but gone from the database"
        " (removed behind prolotrack's back)"
        for r in rows
    ]


def backup(db: PostgresDatabase, dest: Path | None = None, *, label: str = "") -> Path:
    """Copy the whole clinic into a new SQLite file (default: ``backups/`` in the user data
    folder, keeping the last ten there), checked, carrying its sealed head."""
    place = backup_place(db)
    automatic = dest is None
    if automatic:
        suffix = f"-{label}" if label else ""
        dest = file_care.backup_folder(place) / f"{place.stem}-{file_care.stamp()}{suffix}.db"
    elif dest.is_dir():
        dest = dest / f"{place.stem}-{file_care.stamp()}.db"
    expected = copying.counts(db)
    upto = len(schema.applied(db))  # a server of an earlier version: a file of that version
    with copying.new_file(
        dest,
        lambda copy: copying.check(expected, copy, str(dest)),
        upto,
        key=copying.new_file_key(db),
    ) as copy:
        copying.copy_rows(db, copy)
    file_care.seal_head(dest)
    if automatic:
        file_care.rotate(place)
    return dest


def restore(db: PostgresDatabase, shown: str, source: Path, *, force: bool) -> Path:
    """Replace every table of the database with those of ``source`` (a backup), after backing
    up what is there; returns that backup."""
    from prolotrack.storage import connection, server_schema

    if not source.is_file():
        raise InvalidInput(f"{source} is not a file")
    trouble = file_check.problems(source, backup=True)
    if any(not p.startswith("schema:") for p in trouble):
        raise Refused(f"{source} is not a sound prolotrack database: {trouble[0]}")
    held = db.execute("SELECT count(*) FROM patients").fetchone()[0]
    file_care.refuse_incomplete(shown, held, source, force=force)
    saved = backup(db, label="before-restore")
    with connection.transaction(source, write=False) as backup_db:
        expected = copying.counts(backup_db)
        server_schema.drop_schema(db)
        copying.copy_rows(backup_db, db)
        file_id, _ = schema.file_key(backup_db)
    server_schema.finish_copy(db)
    head = copying.check(expected, db, shown)
    if head is not None:
        keys.save_head(file_id, shown, head)
    return saved
