"""``db check``: everything that can be wrong with a file, damage and tampering alike.

SQLite's full integrity check (quick_check misses index damage) and foreign keys; the schema's
version; the audit log's keyed hash chain against the head recorded outside the file (or, for a
backup, the sealed head it carries); the audit triggers as prolotrack writes them; and every
record against its last audited state, so that a record changed with the triggers dropped
(and put back) is found too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prolotrack.domain.errors import DatabaseUnusable
from prolotrack.domain.instruments import CATALOGUE
from prolotrack.storage import audit, audit_sql, chain, consistency, keys, schema
from prolotrack.storage.connection import BUSY_TIMEOUT_SECONDS, FileDatabase, open_file
from prolotrack.storage.disk import check_header, errors
from prolotrack.storage.migrations import log_v1

# A key missing from this machine is no damage to the file: a check names it; a backup is
# still made (its chain is checked where the key is)
NO_KEY = "audit: the key of this file's chain is not on this machine"
# No head recorded here: what this machine knows of the file, not the file (a copy elsewhere)
NO_HEAD = "audit: no head is recorded for this file here"
LISTED = 20  # problems named per kind before the rest are summed up
# What stops a check without being damage: a full disk, an I/O error, no room for temporary data
_NOT_DAMAGE = (
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
    "SQLITE_NOMEM",
    "SQLITE_BUSY",
    "SQLITE_READONLY",
    "SQLITE_LOCKED",
)


def problems(
    path: Path, *, backup: bool = False, progress: Callable[[Iterable], Iterable] = iter
) -> list[str]:
    """Everything wrong with the file, but what was accepted with a reason ('db check
    --accept'). ``backup``: the file is a copy (a backup, a restore's source), checked against
    the head it carries rather than the live file's. The audit log's rows are read through
    ``progress``."""
    try:
        check_header(path)
    except DatabaseUnusable as error:
        return [str(error)]
    conn = open_file(path, BUSY_TIMEOUT_SECONDS)  # no key to open it: refused, not a finding
    try:
        return examine(conn, path, backup=backup, progress=progress)
    finally:
        conn.close()


def examine(
    conn: sqlite3.Connection,
    path: Path,
    *,
    backup: bool = False,
    progress: Callable[[Iterable], Iterable] = iter,
    migrating: bool = False,
    against_head: bool = True,
) -> list[str]:
    """``problems`` on an open connection. ``migrating``: the command about to write will
    migrate the file, so that a schema not yet migrated is no problem; ``against_head=False``
    leaves out the comparison with the head (about to be written anew)."""
    found: list[str] = []
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            found += [f"integrity: {line}" for line in integrity]
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            found.append(f"foreign key: {table} row {rowid} points to a missing {parent} row")
        db = FileDatabase(conn, execute_plugins=False)
        try:
            pending = schema.pending(db)
        except DatabaseUnusable as error:
            found.append(str(error))
            pending = []
        if pending and not migrating:
            found.append(f"schema: not yet migrated ({', '.join(pending)} pending)")
        if "audit_log" in db.table_names():
            found += _audit_problems(
                db, path, backup=backup, progress=progress, against_head=against_head
            )
        if not pending and "audit_log" in db.table_names():
            found += consistency.problems(db)
            taken = audit.accepted(db)
            found = [p for p in found if p not in taken]
    except errors("DatabaseError") as error:
        if getattr(error, "sqlite_errorname", "").startswith(_NOT_DAMAGE):
            raise DatabaseUnusable(
                f"cannot check {path}: {error}; this says nothing of the file itself (free some"
                " room, or check it where it can be read, and run the check again)"
            ) from None
        found.append(f"integrity: the file is damaged, SQLite cannot read it ({error})")
    return found


def _audit_problems(
    db: FileDatabase,
    path: Path,
    *,
    backup: bool,
    progress: Callable[[Iterable], Iterable],
    against_head: bool = True,
) -> list[str]:
    file_id, key = schema.file_key(db)
    keyed = schema.KEYED_CHAIN in schema.applied(db)
    found = []
    if keyed and key is None:
        found.append(
            f"{NO_KEY} ({keys.key_path(file_id)}): the chain cannot be checked"
            " (docs/reliability.md: moving a record)"
        )
    found += chain.broken_links(db, key, progress)
    found += _trigger_problems(db, keyed)
    if keyed and key is not None and against_head:
        try:  # a backup carries its head; a file of this machine has its own here
            head = (_carried_head(db, key) if backup else None) or keys.load_head(file_id, path)
        except keys.ForgedHead as error:
            return [*found, f"audit: {error}", *record_problems(db)]
        if head is None and backup:
            found.append(
                "audit: the copy carries no head sealed with its key, and none is recorded for"
                " it here: rows taken off the end of its log could not be seen"
            )
        elif head is None:
            found.append(
                f"{NO_HEAD} ({keys.head_path(file_id, path)}):"
                " an older copy put in the record's place could not be told from it (a file"
                " moved from another machine is brought in with 'db restore' from a backup,"
                " which carries its head)"
            )
        found += [f"audit: {p}" for p in chain.head_problems(db, head, full=True)]
    found += record_problems(db)
    return found


def _carried_head(db: FileDatabase, key: bytes) -> keys.Head | None:
    found = "SELECT value FROM secrets WHERE name = :name"
    row = db.execute(found, {"name": audit.HEAD_SECRET}).fetchone()
    return keys.Head.unsealed(row[0], key) if row else None


def _trigger_problems(db: FileDatabase, keyed: bool) -> list[str]:
    stored = {
        r[0]: r[1] for r in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }
    guards = ("audit_log_no_update", "audit_log_no_delete")
    found = [f"audit: the trigger {name} is missing" for name in guards if name not in stored]
    if not keyed:
        return found
    tables = set(db.table_names())
    written = audit_sql.trigger_statements if chain.rebuilt(db) else log_v1.trigger_statements
    for entity, (table, _) in audit.AUDITED.items():
        if table not in tables:
            continue
        for name, sql in written(db, entity).items():
            if name not in stored:
                found.append(
                    f"audit: the trigger {name} is missing (changes to {table} go unlogged)"
                )
            elif stored[name] != sql:
                found.append(f"audit: the trigger {name} is not as prolotrack wrote it")
    return found


def record_problems(db: FileDatabase) -> list[str]:
    """Every record that is not as its last audit row left it: changed, added or removed
    behind prolotrack's back (with the audit triggers dropped, for instance)."""
    found = []
    tables = set(db.table_names())
    for entity, (table, key) in audit.AUDITED.items():
        if table not in tables:
            continue
        found += _changed(db, entity, table, key)
        found += _removed(db, entity, table, key)
    return found


def _changed(db: FileDatabase, entity: str, table: str, key: str) -> list[str]:
    found = []
    for row in unlike_their_log(db, entity, table, key):
        what = "has no audit row" if row["after"] is None else "differs from its last audit row"
        found.append(f"record: {entity} {row[key]} {what} (changed behind prolotrack's back)")
        if len(found) == LISTED:
            found.append(f"record: (more {entity} records not as logged; not listed)")
            break
    return found


def unlike_their_log(db: FileDatabase, entity: str, table: str, key: str) -> Iterator[dict]:
    """Each record of the table not as its last audit row left it: the row, with ``now`` (its
    JSON as the triggers make it) and ``after`` (the last audit row's JSON, None if none)."""
    columns = db[table].columns
    derived = audit.UNLOGGED.get(table, set())
    differs = []
    for column in columns:
        if column.name in derived:
            continue
        was = f"json_extract(after, '$.{column.name}')"
        if column.type.upper() == "REAL":  # JSON keeps 15 digits: compare as numbers
            same = f"({was} IS t.{column.name} OR coalesce(abs({was} - t.{column.name})"
            same += f" <= 1e-9 * max(1.0, abs(t.{column.name})), 0))"
        else:
            same = f"{was} IS t.{column.name}"
        # a column added by a later migration is not in older rows' JSON: nothing to compare
        differs.append(f"(json_type(after, '$.{column.name}') IS NOT NULL AND NOT {same})")
    # The log's JSON of an unchanged record is, nearly always, the very text json_object()
    # makes of it now: one comparison of text, and the column by column check only otherwise.
    now = "json_object(" + ", ".join(f"'{c.name}', t.{c.name}" for c in columns) + ")"
    # A last row that does not keep the values after its change reads them back from the
    # record, and its hash holds only while they are as it left them: the chain proves it
    # ('' here, never JSON). A record with no row at all has no last row (NULL).
    sql = f"""
        SELECT * FROM (
            SELECT t.*, {now} AS now, (SELECT CASE WHEN a.after IS NULL
                AND a.action != 'delete' THEN '' ELSE a.after END FROM audit_log a
                WHERE a.entity = '{entity}' AND a.entity_id = CAST(t.{key} AS TEXT)
                ORDER BY a.id DESC LIMIT 1) AS after
            FROM {table} t) AS t
        WHERE after IS NULL OR CASE WHEN after = '' OR after = now THEN 0
            ELSE ({" OR ".join(differs)}) END
    """
    for row in db.query(sql):
        if not (row["after"] is None and _seeded(table, row)):
            yield row


def _seeded(table: str, row: dict) -> bool:
    """A built-in instrument put in by the first migration, before the log began, as it was."""
    if table != "instruments" or not row.get("builtin"):
        return False
    shipped = next((i for i in CATALOGUE if i.code == row["code"]), None)
    return shipped is not None and all(
        row[field] == getattr(shipped, field)
        for field in ("name", "minimum", "maximum", "better", "mcid", "mcid_unit", "source")
    )


def _removed(db: FileDatabase, entity: str, table: str, key: str) -> list[str]:
    return [
        f"record: {entity} {entity_id} is in the audit log but gone from the file"
        " (removed behind prolotrack's back)"
        for entity_id, _ in gone(db, entity, table, key, limit=LISTED)
    ]


def gone(
    db: FileDatabase, entity: str, table: str, key: str, *, limit: int = -1
) -> list[tuple[str, str]]:
    """Records the log last left in place that are not in the file: (id, last JSON)."""
    typed = "CAST(last.entity_id AS INTEGER)" if key == "id" else "last.entity_id"
    sql = f"""
        SELECT last.entity_id, a.after FROM (
            SELECT entity_id, max(id) AS id FROM audit_log WHERE entity = '{entity}'
            GROUP BY entity_id) AS last
        JOIN audit_log a ON a.id = last.id
        WHERE a.action != 'delete'
          AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = {typed})
        LIMIT {limit}
    """
    return db.execute(sql).fetchall()
