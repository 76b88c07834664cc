"""Migrations 0001-0006: the first edition's schema, and the keyed audit chain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prolotrack.domain import vocab
from prolotrack.domain.instruments import CATALOGUE
from prolotrack.storage import keys, rows
from prolotrack.storage.migrations import KEYED_CHAIN, file_identity, log_v1, migration
from prolotrack.storage.migrations.dialects import Dialect, one_of, quoted

if TYPE_CHECKING:
    from prolotrack.storage import Database

SIDES = vocab.SIDES
GUIDANCE = tuple(g for g in vocab.GUIDANCE if g != "ct")  # CT guidance came with 0007
# Instruments of the catalogue that later migrations add: 0007 the global impressions, 0010 the
# scales item-level forms derive.
ADDED_LATER = (
    "pgic",
    "sane",
    "womac-pain",
    "womac-stiffness",
    "womac-function",
    "promis-gph",
    "promis-gmh",
)


@migration("0001_records")
def _records(db: Database, d: Dialect) -> None:
    T, INT = d.text, d.integer
    chart_unique, chart_index = d.nocase_unique("patients", "chart", "patients_by_chart")
    db.executescript(
        f"""
        CREATE TABLE instruments ({d.rowid}
            code {T} PRIMARY KEY,
            name {T} NOT NULL,
            minimum {d.real} NOT NULL,
            maximum {d.real} NOT NULL CHECK (maximum > minimum),
            better {T} NOT NULL CHECK (better IN ('lower', 'higher')),
            mcid {d.real} CHECK (mcid IS NULL OR mcid > 0),
            mcid_unit {T} NOT NULL DEFAULT 'points' CHECK (mcid_unit IN ('points', 'percent')),
            source {T} NOT NULL DEFAULT '',
            builtin {INT} NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
        );
        CREATE TABLE patients (
            {d.id},
            chart {T}{chart_unique},
            name {T} NOT NULL CHECK (length(trim(name)) > 0),
            {d.date("born", required=False)},
            sex {T} {one_of("sex", vocab.SEXES)},
            phone {T},
            note {T},
            archived_at {T},
            created_at {T} NOT NULL,
            updated_at {T} NOT NULL
        );{chart_index}
        CREATE TABLE courses (
            {d.id},
            patient_id {d.reference} NOT NULL REFERENCES patients(id),
            condition {T} NOT NULL CHECK (length(trim(condition)) > 0),
            region {T},
            side {T} {one_of("side", SIDES)},
            icd10 {T},
            measure {T} NOT NULL REFERENCES instruments(code),
            interval {T} NOT NULL,
            planned_sessions {INT} CHECK (planned_sessions IS NULL OR planned_sessions >= 1),
            {d.date("started_on", required=True)},
            status {T} NOT NULL DEFAULT 'active'
                CHECK (status IN ({quoted(vocab.COURSE_STATUSES)})),
            {d.date("closed_on", required=False)},
            close_reason {T},
            created_at {T} NOT NULL,
            updated_at {T} NOT NULL,
            CHECK ((status = 'active') = (closed_on IS NULL))
        );
        CREATE INDEX courses_by_patient ON courses (patient_id, status);
        CREATE TABLE sessions (
            {d.id},
            course_id {d.reference} NOT NULL REFERENCES courses(id),
            number {INT} NOT NULL,
            {d.date("date", required=True)},
            practitioner {T},
            anesthetic {T},
            guidance {T} {one_of("guidance", GUIDANCE)},
            note {T},
            voided_at {T},
            void_reason {T},
            created_at {T} NOT NULL,
            updated_at {T} NOT NULL
        );
        CREATE UNIQUE INDEX sessions_by_course ON sessions (course_id, date)
            WHERE voided_at IS NULL;
        CREATE UNIQUE INDEX sessions_numbered ON sessions (course_id, number)
            WHERE voided_at IS NULL;
        CREATE INDEX sessions_by_date ON sessions (date);
        CREATE TABLE injections (
            {d.id},
            session_id {d.reference} NOT NULL REFERENCES sessions(id),
            position {INT} NOT NULL CHECK (position >= 1),
            site {T} NOT NULL CHECK (length(trim(site)) > 0),
            side {T} {one_of("side", SIDES)},
            solution {T} NOT NULL CHECK (length(trim(solution)) > 0),
            volume_ml {d.real} NOT NULL CHECK (volume_ml > 0 AND volume_ml <= 50),
            points {INT} NOT NULL DEFAULT 1 CHECK (points >= 1),
            guidance {T} {one_of("guidance", GUIDANCE)},
            UNIQUE (session_id, position)
        );
        CREATE TABLE scores (
            {d.id},
            course_id {d.reference} NOT NULL REFERENCES courses(id),
            session_id {d.reference} REFERENCES sessions(id),
            instrument {T} NOT NULL REFERENCES instruments(code),
            value {d.real} NOT NULL,
            {d.date("date", required=True)},
            voided_at {T},
            void_reason {T},
            created_at {T} NOT NULL
        );
        CREATE INDEX scores_by_course ON scores (course_id, date);
        CREATE INDEX scores_by_session ON scores (session_id);
        CREATE TABLE adverse_events (
            {d.id},
            session_id {d.reference} NOT NULL REFERENCES sessions(id),
            kind {T} NOT NULL,
            severity {T} NOT NULL CHECK (severity IN ({quoted(vocab.SEVERITIES)})),
            {d.date("onset", required=True)},
            {d.date("resolved_on", required=False)},
            note {T},
            created_at {T} NOT NULL
        );
        CREATE INDEX adverse_events_by_session ON adverse_events (session_id);
        CREATE INDEX adverse_events_by_onset ON adverse_events (onset);
        CREATE TABLE settings (
            key {T} PRIMARY KEY,
            value {T} NOT NULL,
            updated_at {T} NOT NULL
        );
        """
    )
    rows.insert_all(
        db,
        "instruments",
        [
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
        ],
    )


@migration("0002_secrets")
def _secrets(db: Database, d: Dialect) -> None:
    """A random key for de-identified exports' pseudonyms (kept here, never exported) and a
    random identity of this database, the namespace of its FHIR resources' identifiers."""
    import secrets
    import uuid

    db.executescript(
        f"""
        CREATE TABLE secrets (
            name {d.text} PRIMARY KEY,
            value {d.text} NOT NULL,
            created_at {d.text} NOT NULL
        );
        """
    )
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows.insert_all(
        db,
        "secrets",
        [
            {"name": "pseudonym-key", "value": secrets.token_hex(32), "created_at": now},
            {"name": "file-id", "value": str(uuid.uuid4()), "created_at": now},
        ],
    )


@migration("0003_audit_log")
def _audit_log(db: Database, d: Dialect) -> None:
    """The append-only, hash-chained audit log and the triggers that write it."""
    T = d.text
    db.executescript(
        f"""
        CREATE TABLE audit_log (
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
            prev_hash {T} NOT NULL,
            hash {T} NOT NULL UNIQUE
        );
        CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);
        {d.log_guards}
        {d.audit_context}
        {d.chain_function}
        """
    )
    log_v1.create_triggers(
        db,
        (
            "patient",
            "course",
            "session",
            "injection",
            "score",
            "adverse_event",
            "instrument",
            "setting",
        ),
        log_v1.LEGACY_HASH_FUNCTION,
    )


@migration("0004_protocols")
def _protocols(db: Database, d: Dialect) -> None:
    """The practice's own protocol templates, and the protocol a course follows."""
    T, INT = d.text, d.integer
    db.executescript(
        f"""
        CREATE TABLE protocols (
            name {T} PRIMARY KEY CHECK (length(trim(name)) > 0),
            condition {T} NOT NULL DEFAULT '',
            interval {T},
            planned_sessions {INT} CHECK (planned_sessions IS NULL OR planned_sessions >= 1),
            measure {T} REFERENCES instruments(code),
            source {T} NOT NULL DEFAULT '',
            note {T} NOT NULL DEFAULT '',
            created_at {T} NOT NULL
        );
        CREATE TABLE protocol_sites (
            {d.id},
            protocol {T} NOT NULL REFERENCES protocols(name),
            position {INT} NOT NULL CHECK (position >= 1),
            site {T} NOT NULL CHECK (length(trim(site)) > 0),
            side {T} {one_of("side", SIDES)},
            volume_ml {d.real} CHECK (volume_ml IS NULL OR (volume_ml > 0 AND volume_ml <= 50)),
            solution {T},
            points {INT} NOT NULL DEFAULT 1 CHECK (points >= 1),
            UNIQUE (protocol, position)
        );
        ALTER TABLE courses ADD COLUMN protocol {T};
        """
    )
    log_v1.create_triggers(
        db,
        ("course", "protocol", "protocol_site"),  # courses has a new column
        log_v1.LEGACY_HASH_FUNCTION,
    )


@migration("0005_site_names_and_course_indexes")
def _site_names(db: Database, d: Dialect) -> None:
    """Every site name used, kept as it is used (the catalogue must not scan every injection),
    and indexes for the daily summary's and the due list's lookups of courses."""
    _, name_index = d.nocase_unique("site_names", "name", "site_names_by_name")
    db.executescript(
        f"""
        CREATE TABLE site_names (
            name {d.nocase_key},
            first_used {d.text} NOT NULL
        );{name_index}
        {d.insert_or_ignore} INTO site_names (name, first_used)
            SELECT site, {d.now} FROM injections
            UNION SELECT site, {d.now} FROM protocol_sites{d.or_ignore};{d.site_name_triggers()}
        CREATE INDEX courses_by_status ON courses (status);
        CREATE INDEX courses_by_start ON courses (started_on);
        CREATE INDEX courses_by_closing ON courses (closed_on);
        """
    )


@migration(KEYED_CHAIN)
def _keyed_audit_chain(db: Database, d: Dialect) -> None:
    """The audit chain keyed with a secret kept outside the database (``storage/keys.py``): the
    triggers hash with it from here on, after a row that marks the change."""
    file_id = file_identity(db)
    key = keys.load_key(file_id) or keys.create_key(file_id)[0]
    db.use_key(key)
    log_v1.create_triggers(
        db,
        (
            "patient",
            "course",
            "session",
            "injection",
            "score",
            "adverse_event",
            "instrument",
            "setting",
            "protocol",
            "protocol_site",
        ),
    )
    log_v1.mark_keyed(db, key)
