"""The schema, as a list of forward migrations (``sqlite_utils.Migrations``).

Tables are written as plain ``CREATE TABLE`` statements because they carry CHECK constraints,
which sqlite-utils' ``create()`` cannot express; sqlite-utils keeps the record of which
migrations have run (table ``_sqlite_migrations``). Never edit a migration that has shipped:
add a new one. ``docs/data-model.md`` describes the tables for a person with ``sqlite3``.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlite_utils import Migrations

from prolotrack.domain.errors import DatabaseUnusable
from prolotrack.domain.instruments import CATALOGUE
from prolotrack.storage import audit, keys

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "prolotrack"
migrations = Migrations(MIGRATION_SET)
KNOWN: list[str] = []  # every migration this version knows, oldest first
KEYED_CHAIN = "0006_keyed_audit_chain"  # from this migration on, the audit chain has a key


def _migration(name: str):
    KNOWN.append(name)
    return migrations(name=name)


_ISO_DATE = "GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"


def _date(column: str, *, required: bool) -> str:
    check = f"CHECK ({column} IS NULL OR {column} {_ISO_DATE})"
    return f"{column} TEXT{' NOT NULL' if required else ''} {check}"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"CHECK ({column} IS NULL OR {column} IN ({listed}))"


# Spelled out rather than imported from domain.vocab: a shipped migration must not change
# when the vocabulary of a later version does.
SIDES = ("left", "right", "bilateral", "midline")
GUIDANCE = ("landmark", "ultrasound", "fluoroscopy")


@_migration("0001_records")
def _records(db: Database) -> None:
    db.executescript(
        f"""
        CREATE TABLE instruments (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            minimum REAL NOT NULL,
            maximum REAL NOT NULL CHECK (maximum > minimum),
            better TEXT NOT NULL CHECK (better IN ('lower', 'higher')),
            mcid REAL CHECK (mcid IS NULL OR mcid > 0),
            mcid_unit TEXT NOT NULL DEFAULT 'points' CHECK (mcid_unit IN ('points', 'percent')),
            source TEXT NOT NULL DEFAULT '',
            builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
        );
        CREATE TABLE patients (
            id INTEGER PRIMARY KEY,
            chart TEXT UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            {_date("born", required=False)},
            sex TEXT {_one_of("sex", ("F", "M", "X"))},
            phone TEXT,
            note TEXT,
            archived_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE courses (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients(id),
            condition TEXT NOT NULL CHECK (length(trim(condition)) > 0),
            region TEXT,
            side TEXT {_one_of("side", SIDES)},
            icd10 TEXT,
            measure TEXT NOT NULL REFERENCES instruments(code),
            interval TEXT NOT NULL,
            planned_sessions INTEGER CHECK (planned_sessions IS NULL OR planned_sessions >= 1),
            {_date("started_on", required=True)},
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'completed', 'discontinued')),
            {_date("closed_on", required=False)},
            close_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK ((status = 'active') = (closed_on IS NULL))
        );
        CREATE INDEX courses_by_patient ON courses (patient_id, status);
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            course_id INTEGER NOT NULL REFERENCES courses(id),
            number INTEGER NOT NULL,
            {_date("date", required=True)},
            practitioner TEXT,
            anesthetic TEXT,
            guidance TEXT {_one_of("guidance", GUIDANCE)},
            note TEXT,
            voided_at TEXT,
            void_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX sessions_by_course ON sessions (course_id, date)
            WHERE voided_at IS NULL;
        CREATE UNIQUE INDEX sessions_numbered ON sessions (course_id, number)
            WHERE voided_at IS NULL;
        CREATE INDEX sessions_by_date ON sessions (date);
        CREATE TABLE injections (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            position INTEGER NOT NULL CHECK (position >= 1),
            site TEXT NOT NULL CHECK (length(trim(site)) > 0),
            side TEXT {_one_of("side", SIDES)},
            solution TEXT NOT NULL CHECK (length(trim(solution)) > 0),
            volume_ml REAL NOT NULL CHECK (volume_ml > 0 AND volume_ml <= 50),
            points INTEGER NOT NULL DEFAULT 1 CHECK (points >= 1),
            guidance TEXT {_one_of("guidance", GUIDANCE)},
            UNIQUE (session_id, position)
        );
        CREATE TABLE scores (
            id INTEGER PRIMARY KEY,
            course_id INTEGER NOT NULL REFERENCES courses(id),
            session_id INTEGER REFERENCES sessions(id),
            instrument TEXT NOT NULL REFERENCES instruments(code),
            value REAL NOT NULL,
            {_date("date", required=True)},
            voided_at TEXT,
            void_reason TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX scores_by_course ON scores (course_id, date);
        CREATE INDEX scores_by_session ON scores (session_id);
        CREATE TABLE adverse_events (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            kind TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe')),
            {_date("onset", required=True)},
            {_date("resolved_on", required=False)},
            note TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX adverse_events_by_session ON adverse_events (session_id);
        CREATE INDEX adverse_events_by_onset ON adverse_events (onset);
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )
    db["instruments"].insert_all(
        {
            "code": i.code,
            "name": i.name,
            "minimum": i.minimum,
            "maximum": i.maximum,
            "better": i.better,
            "mcid": i.mcid,
            "mcid_unit": i.mcid_unit,
            "source": i.source,
            "builtin": 1,
        }
        for i in CATALOGUE
    )


@_migration("0002_secrets")
def _secrets(db: Database) -> None:
    """A random key for de-identified exports' pseudonyms (kept here, never exported) and a
    random identity of this file, the namespace of its FHIR resources' identifiers."""
    import secrets
    import uuid

    db.executescript(
        """
        CREATE TABLE secrets (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    db["secrets"].insert_all(
        [
            {"name": "pseudonym-key", "value": secrets.token_hex(32), "created_at": now},
            {"name": "file-id", "value": str(uuid.uuid4()), "created_at": now},
        ]
    )


@_migration("0003_audit_log")
def _audit_log(db: Database) -> None:
    """The append-only, hash-chained audit log and the triggers that write it."""
    db.executescript(
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            practitioner TEXT,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            action TEXT NOT NULL,
            before TEXT,
            after TEXT,
            reason TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TABLE audit_context (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            actor TEXT NOT NULL,
            practitioner TEXT,
            reason TEXT
        );
        """
    )
    audit.create_triggers(db, ("patient", "course", "session", "injection", "score",
                               "adverse_event", "instrument", "setting"),
                          audit.LEGACY_HASH_FUNCTION)  # fmt: skip


@_migration("0004_protocols")
def _protocols(db: Database) -> None:
    """The practice's own protocol templates, and the protocol a course follows."""
    db.executescript(
        f"""
        CREATE TABLE protocols (
            name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
            condition TEXT NOT NULL DEFAULT '',
            interval TEXT,
            planned_sessions INTEGER CHECK (planned_sessions IS NULL OR planned_sessions >= 1),
            measure TEXT REFERENCES instruments(code),
            source TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE TABLE protocol_sites (
            id INTEGER PRIMARY KEY,
            protocol TEXT NOT NULL REFERENCES protocols(name),
            position INTEGER NOT NULL CHECK (position >= 1),
            site TEXT NOT NULL CHECK (length(trim(site)) > 0),
            side TEXT {_one_of("side", SIDES)},
            volume_ml REAL CHECK (volume_ml IS NULL OR (volume_ml > 0 AND volume_ml <= 50)),
            solution TEXT,
            points INTEGER NOT NULL DEFAULT 1 CHECK (points >= 1),
            UNIQUE (protocol, position)
        );
        ALTER TABLE courses ADD COLUMN protocol TEXT;
        """
    )
    audit.create_triggers(
        db,
        ("course", "protocol", "protocol_site"),  # courses has a new column
        audit.LEGACY_HASH_FUNCTION,
    )


@_migration("0005_site_names_and_course_indexes")
def _site_names(db: Database) -> None:
    """Every site name used, kept as it is used (the catalogue must not scan every injection),
    and indexes for the daily summary's and the due list's lookups of courses."""
    db.executescript(
        """
        CREATE TABLE site_names (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            first_used TEXT NOT NULL
        );
        INSERT OR IGNORE INTO site_names (name, first_used)
            SELECT site, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM injections
            UNION SELECT site, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM protocol_sites;
        CREATE TRIGGER site_names_from_injections AFTER INSERT ON injections BEGIN
            INSERT OR IGNORE INTO site_names (name, first_used)
            VALUES (NEW.site, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
        END;
        CREATE TRIGGER site_names_from_protocols AFTER INSERT ON protocol_sites BEGIN
            INSERT OR IGNORE INTO site_names (name, first_used)
            VALUES (NEW.site, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
        END;
        CREATE INDEX courses_by_status ON courses (status);
        CREATE INDEX courses_by_start ON courses (started_on);
        CREATE INDEX courses_by_closing ON courses (closed_on);
        """
    )


@_migration(KEYED_CHAIN)
def _keyed_audit_chain(db: Database) -> None:
    """The audit chain keyed with a secret kept outside the file (``storage/keys.py``): the
    triggers hash with it from here on, after a row that marks the change."""
    file_id = file_identity(db)
    key = keys.load_key(file_id) or keys.create_key(file_id)[0]
    db.conn.create_function(audit.HASH_FUNCTION, 1, keys.keyed_hash(key), deterministic=True)
    audit.create_triggers(db, ("patient", "course", "session", "injection", "score",
                               "adverse_event", "instrument", "setting", "protocol",
                               "protocol_site"))  # fmt: skip
    audit.mark_keyed(db, key)


def file_identity(db: Database) -> str | None:
    """The file's random identity, the same in every backup of it (None before 0002)."""
    try:
        found = db.execute("SELECT value FROM secrets WHERE name = 'file-id'").fetchone()
    except sqlite3.OperationalError:
        return None
    return found[0] if found else None


def file_key(db: Database) -> tuple[str | None, bytes | None]:
    """The file's identity and, where this machine has it, the key of its audit chain."""
    file_id = file_identity(db)
    return file_id, keys.load_key(file_id) if file_id else None


def applied(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


def pending(db: Database) -> list[str]:
    """Migrations this file still needs; refuses a file that is not ours or is newer."""
    names = applied(db)
    stamped = version(db)
    if not names:
        tables = db.table_names()
        if tables:
            raise DatabaseUnusable(
                "this is an SQLite database but not a prolotrack one (it has tables "
                f"{', '.join(sorted(tables)[:5])}); refusing to change it"
            )
        if stamped:
            raise DatabaseUnusable(
                f"this SQLite database says it has schema version {stamped} but holds no"
                " prolotrack tables; refusing to use it (check the --db path, or restore a backup)"
            )
    unknown = [n for n in names if n not in KNOWN]
    if stamped > len(KNOWN) and not unknown:
        unknown = [f"version {stamped}"]
    if unknown:
        raise DatabaseUnusable(
            f"the database was written by a newer version of prolotrack (schema {unknown[-1]});"
            " upgrade prolotrack to use it"
        )
    return [n for n in KNOWN if n not in names]


def migrate(db: Database) -> None:
    """Apply pending migrations and record the schema version in ``PRAGMA user_version``.
    A migration that changes records is logged as prolotrack's own."""
    if "audit_context" in db.table_names():
        audit.begin(db, "prolotrack (schema migration)")
    migrations.apply(db)
    db.execute(f"PRAGMA user_version = {len(KNOWN)}")
    audit.end(db)


def version(db: Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]
