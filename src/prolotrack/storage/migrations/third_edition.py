"""Migrations of the third edition: the record made safe at the edges, and what grows from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain import vocab
from prolotrack.storage import audit
from prolotrack.storage.migrations import log_rebuild, log_v1, migration, second_edition
from prolotrack.storage.migrations.dialects import Dialect, one_of

if TYPE_CHECKING:
    from prolotrack.storage import Database


@migration("0009_adverse_events_voided")
def _adverse_events_voided(db: Database, d: Dialect) -> None:
    """An adverse event recorded in error is voided with a reason, as a session or a score is:
    kept, and left out of every list, report and export."""
    db.executescript(
        f"""
        ALTER TABLE adverse_events ADD COLUMN voided_at {d.text};
        ALTER TABLE adverse_events ADD COLUMN void_reason {d.text};
        """
    )
    audit.as_migration(db)
    log_v1.create_triggers(db, ("adverse_event",))


# The scales item-level forms derive besides the catalogue's totals (spelled out: what this
# migration adds must not change with a later catalogue).
_DERIVED_SCALES = ("womac-pain", "womac-stiffness", "womac-function", "promis-gph", "promis-gmh")


@migration("0010_item_level_forms")
def _item_level_forms(db: Database, d: Dialect) -> None:
    """The answers of a questionnaire, kept as given: an answer set per form filled in (its
    form's version and the scoring version followed), an answer per item (none where not
    given); each score derived from a set points to it. A clinic's own licensed wording of a
    form's items, loaded by ``form text``. The scales forms derive into join the catalogue."""
    T, INT = d.text, d.integer
    db.executescript(
        f"""
        CREATE TABLE answer_sets (
            {d.id},
            course_id {d.reference} NOT NULL REFERENCES courses(id),
            session_id {d.reference} REFERENCES sessions(id),
            form {T} NOT NULL,
            form_version {T} NOT NULL,
            scoring_version {T} NOT NULL,
            {d.date("date", required=True)},
            voided_at {T},
            void_reason {T},
            created_at {T} NOT NULL
        );
        CREATE INDEX answer_sets_by_course ON answer_sets (course_id, date);
        CREATE TABLE answers (
            {d.id},
            answer_set_id {d.reference} NOT NULL REFERENCES answer_sets(id),
            position {INT} NOT NULL CHECK (position >= 1),
            item {T} NOT NULL,
            value {INT},
            UNIQUE (answer_set_id, position),
            UNIQUE (answer_set_id, item)
        );
        CREATE TABLE form_texts (
            {d.id},
            form {T} NOT NULL,
            item {T} NOT NULL,
            text {T} NOT NULL CHECK (length(trim(text)) > 0),
            labels {T},
            UNIQUE (form, item)
        );
        ALTER TABLE scores ADD COLUMN answer_set_id {d.reference} REFERENCES answer_sets(id);
        CREATE INDEX scores_by_answer_set ON scores (answer_set_id);
        """
    )
    audit.as_migration(db)
    log_v1.create_triggers(db, ("score", "answer_set", "answer", "form_text"))
    second_edition.add_instruments(db, d, _DERIVED_SCALES)


@migration("0011_signatures")
def _signatures(db: Database, d: Dialect) -> None:
    """Signed sessions: each signature, co-signature and addendum, with its signer, time,
    meaning and the hash of what it signed; a change to a signed session goes by addendum."""
    T = d.text
    db.executescript(
        f"""
        CREATE TABLE signatures (
            {d.id},
            session_id {d.reference} NOT NULL REFERENCES sessions(id),
            kind {T} NOT NULL CHECK (kind IN ('sign', 'cosign', 'addendum')),
            signer {T} NOT NULL CHECK (length(trim(signer)) > 0),
            account {T} NOT NULL,
            signed_at {T} NOT NULL,
            meaning {T} NOT NULL,
            content_hash {T} NOT NULL,
            note {T}
        );
        CREATE INDEX signatures_by_session ON signatures (session_id);
        """
    )
    audit.as_migration(db)
    log_v1.create_triggers(db, ("signature",))


@migration("0012_form_links")
def _form_links(db: Database, d: Dialect) -> None:
    """Patients answering between visits: a one-time link per form asked for (only the hash of
    its token kept), and each response that arrives by one or from another tool's file, held
    for a practitioner's review: its answers wait here and become an answer set, with its
    scores, only when accepted."""
    T = d.text
    db.executescript(
        f"""
        CREATE TABLE form_links (
            {d.id},
            course_id {d.reference} NOT NULL REFERENCES courses(id),
            form {T} NOT NULL,
            timepoint {T},
            token_hash {T} NOT NULL UNIQUE,
            created_at {T} NOT NULL,
            {d.date("expires_on", required=True)},
            used_at {T},
            withdrawn_at {T}
        );
        CREATE INDEX form_links_by_course ON form_links (course_id);
        CREATE TABLE form_responses (
            {d.id},
            course_id {d.reference} NOT NULL REFERENCES courses(id),
            link_id {d.reference} UNIQUE REFERENCES form_links(id),
            form {T} NOT NULL,
            form_version {T} NOT NULL,
            {d.date("answered_on", required=True)},
            answers {T} NOT NULL,
            source {T} NOT NULL {one_of("source", vocab.RESPONSE_SOURCES)},
            received_at {T} NOT NULL,
            status {T} NOT NULL {one_of("status", vocab.RESPONSE_STATUSES)},
            reviewed_by {T},
            reviewed_at {T},
            reason {T},
            answer_set_id {d.reference} REFERENCES answer_sets(id),
            external_id {T}
        );
        CREATE INDEX form_responses_by_status ON form_responses (status, course_id);
        """
    )
    audit.as_migration(db)
    log_v1.create_triggers(db, ("form_link", "form_response"))


@migration("0013_research_consent")
def _research_consent(db: Database, d: Dialect) -> None:
    """A course's consent to research (``course consent --research``), and its withdrawal: what
    a registry of clinics takes rows of, and stops taking them at."""
    db.executescript(
        f"""
        ALTER TABLE courses ADD COLUMN {d.date("research_consent_on", required=False)};
        ALTER TABLE courses ADD COLUMN {d.date("research_withdrawn_on", required=False)};
        """
    )
    audit.as_migration(db)
    log_v1.create_triggers(db, ("course",))


@migration("0014_compact_audit_log")
def _compact_audit_log(db: Database, d: Dialect) -> None:
    """The audit log rebuilt to keep what the tables no longer hold, 32-byte hashes, no copy of
    the previous hash nor index on the hash; the old chain checked first and its head carried
    into the new one (``log_rebuild.py``)."""
    log_rebuild.rebuild(db, d)
