"""``db check --accept REASON``: taking a file as it is, with the reason in its audit log.

A file whose check fails takes no write (storage/connection.py). Restoring a backup is the
usual way out; when the finding is understood (a file moved here without 'db restore', a record
mended by hand, a row of the log a tool altered), the user takes the file as it is instead. In
one transaction:

- what follows from the record is put right: the audit triggers and the log's guards as
  prolotrack writes them, the schema version, session numbers from their dates, the site names;
- each record not as its last audit row left it is logged as it now stands (action ``accept``,
  the last logged state as its "before"), so that its history goes on from here;
- one row records what was found, what no repair can mend (a row of the log altered, a history
  broken: not found again), who accepted it and why;
- and a new head is recorded for the file here.

Damage (the file's own integrity, a broken link between rows) and a missing key are not
accepted: a backup is restored.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from prolotrack.domain.errors import DatabaseUnusable
from prolotrack.storage import (
    audit,
    audit_sql,
    chain,
    consistency,
    file_check,
    health,
    keys,
    schema,
)
from prolotrack.storage.connection import BUSY_TIMEOUT_SECONDS, FileDatabase, open_file
from prolotrack.storage.disk import private_file, translated_errors
from prolotrack.storage.sessions import renumber

_GUARDS = {
    "audit_log_no_update": "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "audit_log_no_delete": "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
}
_NOT_ACCEPTED = ("integrity:", "foreign key:")


def accept(path: Path, reason: str) -> list[str]:
    """Take the file as it is; the findings taken (none: nothing needed taking)."""
    conn = open_file(path, BUSY_TIMEOUT_SECONDS)
    try:
        with translated_errors(path):
            found, head, file_id = _accept(conn, path, reason)
    finally:
        if conn.in_transaction:
            conn.rollback()
        conn.close()
    if found:
        keys.save_head(file_id, path, head)
        private_file(path)
        health.note(path)
    return found


def _accept(conn: sqlite3.Connection, path: Path, reason: str):
    db = FileDatabase(conn, execute_plugins=False)
    file_id, key = schema.file_key(db)
    if key is None:
        raise keys.missing_key(file_id or "?")
    keys.register(conn, key)
    conn.execute("BEGIN IMMEDIATE")
    found = file_check.examine(conn, path)
    if not found:
        return [], None, file_id
    damage = [p for p in found if p.startswith(_NOT_ACCEPTED)]
    if damage:
        raise DatabaseUnusable(
            f"{path}: {damage[0]}: damage is not accepted; restore a backup with"
            " 'prolotrack db restore'"
        )
    _put_right(db)
    practitioner = db.execute("SELECT value FROM settings WHERE key = 'practitioner'").fetchone()
    who = practitioner[0] if practitioner else None
    _log_as_they_stand(db, key, reason, who)
    standing = file_check.examine(conn, path, against_head=False)
    audit.append_accepted(db, key, found, standing, reason, who)
    head = chain.head(db, None)
    conn.execute("COMMIT")
    return found, head, file_id


def _put_right(db: FileDatabase) -> None:
    """What follows from the record, as prolotrack writes it."""
    applied = schema.applied(db)
    if schema.version(db) != len(applied):
        db.execute(f"PRAGMA user_version = {len(applied)}")
    present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for name, sql in _GUARDS.items():
        if name not in present:
            db.execute(sql)
    tables = set(db.table_names())
    audit_sql.create_triggers(db, tuple(e for e, (t, _) in audit.AUDITED.items() if t in tables))
    courses = {r[0] for r in db.execute("SELECT course_id FROM sessions WHERE voided_at IS NULL")}
    for course_id in sorted(courses):
        renumber(db, course_id)
    _mend_site_names(db)


def _mend_site_names(db: FileDatabase) -> None:
    never_used, missing = consistency.site_name_differences(db)
    for name in never_used:
        db.execute("DELETE FROM site_names WHERE name = :name", {"name": name})
    for name in missing:
        db.execute(
            "INSERT OR IGNORE INTO site_names (name, first_used)"
            " VALUES (:name, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            {"name": name},
        )


def _log_as_they_stand(db: FileDatabase, key: bytes, reason: str, who: str | None) -> None:
    tables = set(db.table_names())
    for entity, (table, id_column) in audit.AUDITED.items():
        if table not in tables:
            continue
        for row in list(file_check.unlike_their_log(db, entity, table, id_column)):
            audit.relog(db, key, entity, str(row[id_column]), row["after"], row["now"], reason, who)
        for entity_id, after in file_check.gone(db, entity, table, id_column):
            audit.relog(db, key, entity, entity_id, after, None, reason, who)
    if chain.rebuilt(db):  # a last row read back from a record changed since: what it was is
        for row_id, entity, entity_id, read_back in chain.unproven(db, key):  # not kept
            if read_back and chain.next_change(db, row_id, entity, entity_id) is None:
                now = audit_sql.current_json(db, entity, entity_id)
                if now is not None:
                    audit.relog(db, key, entity, entity_id, None, now, reason, who)
