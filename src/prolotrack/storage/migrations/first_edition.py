"""Migrations 0001-0006: the first edition's schema, and the keyed audit chain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prolotrack.domain.instruments import CATALOGUE
from prolotrack.storage import audit, keys
from prolotrack.storage.migrations import KEYED_CHAIN, file_identity, migration
from prolotrack.storage.migrations import date_column as _date
from prolotrack.storage.migrations import one_of as _one_of

if TYPE_CHECKING:
    from sqlite_utils import Database

# Spelled out rather than imported from domain.vocab: a shipped migration must not change
# when the vocabulary of a later version does.
SIDES = ("left", "right", "bilateral", "midline")
GUIDANCE = ("landmark", "ultrasound", "fluoroscopy")
ADDED_LATER = ("pgic", "sane")  # instruments of the catalogue that migration 0007 adds


@migration("0001_records")
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
        if i.code not in ADDED_LATER
    )


@migration("0002_secrets")
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


@migration("0003_audit_log")
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


@migration("0004_protocols")
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


@migration("0005_site_names_and_course_indexes")
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


@migration(KEYED_CHAIN)
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
