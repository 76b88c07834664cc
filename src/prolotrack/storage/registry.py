"""A registry of clinics on PostgreSQL's own logical replication (docs/registry.md).

At a clinic (``registry publish``): a schema ``research`` of insert-only tables, filled by
triggers on the record's own tables in the same transaction as each change, with the rows of
courses whose patient consented to research, pseudonymised (keyed hashes, each prefixed with
the clinic's site id, so that no two clinics' keys can meet), without free text; and a
publication of those tables that publishes inserts only. Nothing is ever updated or deleted
there: a void, a change of status, a withdrawal is a new row.

At the registry (``registry subscribe``): the same tables, a subscription to each clinic's
publication, and a marker table that tells prolotrack this database is a registry: its writing
commands are refused, and ``report outcomes`` reads the pooled courses through ``with_scores``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

from prolotrack.domain.dates import parse_interval
from prolotrack.domain.models import Course, Score

if TYPE_CHECKING:
    from prolotrack.storage import Database

PUBLICATION = "prolotrack_research"
MARKER = "research.registry"
TABLES = ("courses", "course_states", "sessions", "scores", "voids")
UNSPECIFIED = "unspecified"  # the condition of a course sent without an ICD-10 code

_TABLES_SQL = """
CREATE SCHEMA IF NOT EXISTS research;
CREATE TABLE IF NOT EXISTS research.courses (
    key text PRIMARY KEY, site_id text NOT NULL, patient_key text NOT NULL,
    started_on text NOT NULL, icd10 text, region text, side text, measure text NOT NULL,
    "interval" text NOT NULL, planned_sessions bigint, follow_up text, sent_at text NOT NULL
);
CREATE TABLE IF NOT EXISTS research.course_states (
    key text PRIMARY KEY, site_id text NOT NULL, course_key text NOT NULL, seq bigint NOT NULL,
    status text NOT NULL, closed_on text, withdrawn boolean NOT NULL, sent_at text NOT NULL
);
CREATE TABLE IF NOT EXISTS research.sessions (
    key text PRIMARY KEY, site_id text NOT NULL, course_key text NOT NULL,
    date text NOT NULL, sent_at text NOT NULL
);
CREATE TABLE IF NOT EXISTS research.scores (
    key text PRIMARY KEY, site_id text NOT NULL, course_key text NOT NULL,
    instrument text NOT NULL, value double precision NOT NULL, date text NOT NULL,
    sent_at text NOT NULL
);
CREATE TABLE IF NOT EXISTS research.voids (
    key text PRIMARY KEY, site_id text NOT NULL, voided_key text NOT NULL, sent_at text NOT NULL
);
"""

# The clinic's side: what to send and when. ``research.key`` is the keyed pseudonym of a row
# (its kind and id, with the file's pseudonym key, which never leaves), prefixed with the site.
_CLINIC_SQL = """
CREATE SEQUENCE IF NOT EXISTS research.state_seq;

CREATE OR REPLACE FUNCTION research.now_text() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

CREATE OR REPLACE FUNCTION research.site() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT value FROM public.settings WHERE key = 'site-id' $$;

CREATE OR REPLACE FUNCTION research.key(kind text, id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT research.site() || ':' || left(encode(sha256(convert_to(
        (SELECT value FROM public.secrets WHERE name = 'pseudonym-key') || ':' || kind || ':'
        || id, 'UTF8')), 'hex'), 16) $$;

CREATE OR REPLACE FUNCTION research.session_key(id bigint, day text) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT research.key('session', id) || '@' || day $$;

CREATE OR REPLACE FUNCTION research.consented(course bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM public.courses c WHERE c.id = course
        AND c.research_consent_on IS NOT NULL AND c.research_withdrawn_on IS NULL
        AND c.voided_at IS NULL) $$;

CREATE OR REPLACE FUNCTION research.sendable(instrument text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$ SELECT instrument = ANY(ARRAY[{catalogue}]) $$;

CREATE OR REPLACE FUNCTION research.send_state(course bigint, withdrawn boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE n bigint := nextval('research.state_seq');
BEGIN
    INSERT INTO research.course_states
    SELECT research.key('course', c.id) || ':' || n, research.site(), research.key('course', c.id),
           n, c.status, c.closed_on, withdrawn, research.now_text()
    FROM public.courses c WHERE c.id = course;
END $$;

CREATE OR REPLACE FUNCTION research.send_course(course bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO research.courses
    SELECT research.key('course', c.id), research.site(), research.key('patient', c.patient_id),
           c.started_on, c.icd10, c.region, c.side, c.measure, c."interval",
           c.planned_sessions, c.follow_up, research.now_text()
    FROM public.courses c WHERE c.id = course ON CONFLICT DO NOTHING;
    INSERT INTO research.sessions
    SELECT research.session_key(s.id, s.date), research.site(), research.key('course', course),
           s.date, research.now_text()
    FROM public.sessions s WHERE s.course_id = course AND s.voided_at IS NULL
    ON CONFLICT DO NOTHING;
    INSERT INTO research.scores
    SELECT research.key('score', s.id), research.site(), research.key('course', course),
           s.instrument, s.value, s.date, research.now_text()
    FROM public.scores s WHERE s.course_id = course AND s.voided_at IS NULL
      AND research.sendable(s.instrument)
    ON CONFLICT DO NOTHING;
    PERFORM research.send_state(course, false);
END $$;

CREATE OR REPLACE FUNCTION research.void(voided text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO research.voids VALUES (voided || ':void', research.site(), voided,
                                       research.now_text())
    ON CONFLICT DO NOTHING;
END $$;

CREATE OR REPLACE FUNCTION research.on_course() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF research.consented(NEW.id) THEN
        IF OLD.research_consent_on IS DISTINCT FROM NEW.research_consent_on
           OR OLD.research_withdrawn_on IS DISTINCT FROM NEW.research_withdrawn_on THEN
            PERFORM research.send_course(NEW.id);
        ELSIF OLD.status IS DISTINCT FROM NEW.status
              OR OLD.closed_on IS DISTINCT FROM NEW.closed_on THEN
            PERFORM research.send_state(NEW.id, false);
        END IF;
    ELSIF OLD.research_consent_on IS NOT NULL AND OLD.research_withdrawn_on IS NULL
          AND OLD.voided_at IS NULL THEN
        IF NEW.voided_at IS NOT NULL THEN
            PERFORM research.void(research.key('course', NEW.id));
        ELSE
            PERFORM research.send_state(NEW.id, true);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION research.on_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT research.consented(NEW.course_id) THEN RETURN NULL; END IF;
    IF TG_OP = 'UPDATE' AND (NEW.voided_at IS NOT NULL OR NEW.date IS DISTINCT FROM OLD.date)
       AND EXISTS (SELECT 1 FROM research.sessions
                   WHERE key = research.session_key(OLD.id, OLD.date)) THEN
        PERFORM research.void(research.session_key(OLD.id, OLD.date));
    END IF;
    IF NEW.voided_at IS NULL THEN
        INSERT INTO research.sessions VALUES (research.session_key(NEW.id, NEW.date),
            research.site(), research.key('course', NEW.course_id), NEW.date,
            research.now_text())
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION research.on_score() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT research.consented(NEW.course_id) OR NOT research.sendable(NEW.instrument) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.voided_at IS NULL THEN
        INSERT INTO research.scores VALUES (research.key('score', NEW.id), research.site(),
            research.key('course', NEW.course_id), NEW.instrument, NEW.value, NEW.date,
            research.now_text())
        ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'UPDATE' AND NEW.voided_at IS NOT NULL AND OLD.voided_at IS NULL THEN
        PERFORM research.void(research.key('score', NEW.id));
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS research_course ON public.courses;
CREATE TRIGGER research_course AFTER UPDATE ON public.courses
    FOR EACH ROW EXECUTE FUNCTION research.on_course();
DROP TRIGGER IF EXISTS research_session ON public.sessions;
CREATE TRIGGER research_session AFTER INSERT OR UPDATE ON public.sessions
    FOR EACH ROW EXECUTE FUNCTION research.on_session();
DROP TRIGGER IF EXISTS research_score ON public.scores;
CREATE TRIGGER research_score AFTER INSERT OR UPDATE ON public.scores
    FOR EACH ROW EXECUTE FUNCTION research.on_score();
"""


def wal_level(db: Database) -> str:
    return db.execute("SHOW wal_level").fetchone()[0]


def publish(db: Database, catalogue: list[str]) -> tuple[bool, int]:
    """The research tables, their triggers and the insert-only publication, made or brought
    up to date; the consented courses not sent yet, sent. Returns whether the publication is
    new, and how many courses were sent now."""
    listed = ", ".join("'" + code.replace("'", "''") + "'" for code in catalogue)
    db.executescript(_TABLES_SQL + _CLINIC_SQL.replace("{catalogue}", listed))
    new = not db.execute(
        "SELECT 1 FROM pg_publication WHERE pubname = :name", {"name": PUBLICATION}
    ).fetchone()
    if new:
        tables = ", ".join(f"research.{t}" for t in TABLES)
        db.execute(f"CREATE PUBLICATION {PUBLICATION} FOR TABLE {tables} WITH (publish = 'insert')")
    waiting = [
        r["id"]
        for r in db.query(
            "SELECT c.id FROM courses c WHERE research.consented(c.id) AND NOT EXISTS"
            " (SELECT 1 FROM research.courses r WHERE r.key = research.key('course', c.id))"
            " ORDER BY c.id"
        )
    ]
    for course_id in waiting:
        db.execute("SELECT research.send_course(:id)", {"id": course_id})
    return new, len(waiting)


def sent(db: Database) -> dict[str, int]:
    """How many rows of each research table this database holds."""
    return {
        t: db.execute(f"SELECT count(*) FROM research.{t}").fetchone()[0]
        for t in TABLES
        if db.execute("SELECT to_regclass(:t)", {"t": f"research.{t}"}).fetchone()[0]
    }


def is_registry(db: Database) -> bool:
    return db.execute("SELECT to_regclass(:t)", {"t": MARKER}).fetchone()[0] is not None


def subscription_name(connection, source: str) -> str:
    """One subscription per registry and clinic, named by both (its replication slot at the
    clinic takes the same name, which must not meet another registry's)."""
    here = connection.execute(
        "SELECT system_identifier || '/' || current_database() FROM pg_control_system()"
    ).fetchone()[0]
    return "prolotrack_" + hashlib.sha256(f"{here}|{source}".encode()).hexdigest()[:16]


def subscribe(connection, source: str) -> bool:
    """On the registry's database (an autocommit connection): the tables, the marker and a
    subscription to ``source``'s publication; returns whether the subscription is new."""
    connection.execute(_TABLES_SQL)
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {MARKER} (id int PRIMARY KEY CHECK (id = 1),"
        " made_at text NOT NULL);"
        f" INSERT INTO {MARKER} VALUES (1, to_char(now() AT TIME ZONE 'UTC',"
        """ 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) ON CONFLICT DO NOTHING"""
    )
    name = subscription_name(connection, source)
    if connection.execute(
        "SELECT 1 FROM pg_subscription WHERE subname = %(name)s", {"name": name}
    ).fetchone():
        return False
    quoted = source.replace("'", "''")
    connection.execute(
        f"CREATE SUBSCRIPTION {name} CONNECTION '{quoted}' PUBLICATION {PUBLICATION}"
    )
    return True


def with_scores(
    db: Database,
    *,
    started: tuple[date | None, date | None] = (None, None),
    condition: str | None = None,
) -> Iterator[tuple[Course, list[Score]]]:
    """The pooled courses, as the outcomes report reads a clinic's: each course sent and not
    voided or withdrawn since (at its latest state), with its live scores in date order."""
    states = {
        r["course_key"]: r
        for r in db.query(
            "SELECT DISTINCT ON (course_key) course_key, status, closed_on, withdrawn"
            " FROM research.course_states ORDER BY course_key, seq DESC"
        )
    }
    voided = {r["voided_key"] for r in db.query("SELECT voided_key FROM research.voids")}
    sessions: dict[str, list[date]] = {}
    for r in db.query("SELECT key, course_key, date FROM research.sessions"):
        if r["key"] not in voided:
            sessions.setdefault(r["course_key"], []).append(date.fromisoformat(r["date"]))
    scores = db.query(
        "SELECT key, course_key, instrument, value, date FROM research.scores"
        " ORDER BY course_key, date, key"
    )
    by_course = {
        k: [r for r in group if r["key"] not in voided]
        for k, group in groupby(scores, key=itemgetter("course_key"))
    }
    patients: dict[str, int] = {}
    first, last = started
    for n, r in enumerate(db.query("SELECT * FROM research.courses ORDER BY key"), start=1):
        state = states.get(r["key"])
        if r["key"] in voided or state is None or state["withdrawn"]:
            continue
        began = date.fromisoformat(r["started_on"])
        if (first and began < first) or (last and began > last):
            continue
        named = r["icd10"] or UNSPECIFIED
        if condition and named.lower() != condition.strip().lower():
            continue
        given = sorted(sessions.get(r["key"], []))
        course = Course(
            id=n,
            patient_id=patients.setdefault(r["patient_key"], len(patients) + 1),
            condition=named,
            started_on=began,
            interval=parse_interval(r["interval"]),
            measure=r["measure"],
            status=state["status"],
            region=r["region"],
            side=r["side"],
            icd10=r["icd10"],
            planned_sessions=r["planned_sessions"],
            closed_on=date.fromisoformat(state["closed_on"]) if state["closed_on"] else None,
            follow_up=r["follow_up"],
            sessions_done=len(given),
            last_session_on=given[-1] if given else None,
        )
        found = [
            Score(m, n, s["instrument"], s["value"], date.fromisoformat(s["date"]))
            for m, s in enumerate(by_course.get(r["key"], []), start=1)
        ]
        yield course, found


def subscribe_at(url: str, source: str, busy_timeout: float) -> bool:
    """Make the database at ``url`` a registry subscribed to the clinic at ``source``."""
    import psycopg

    from prolotrack.domain.errors import Refused
    from prolotrack.storage import postgres, schema

    shown = postgres.redacted(url)
    with postgres.translated_errors(shown, busy_timeout), postgres.connected(url) as connection:
        found = connection.execute(
            f"SELECT to_regclass('public.{schema.SERVER_RECORD}')"
        ).fetchone()[0]
        if found is not None:
            raise Refused(
                f"{shown} holds a clinic's record: a registry is a database of its own"
                " (create one, and subscribe it to each clinic)"
            )
        try:
            return subscribe(connection, source)
        except psycopg.Error as error:
            raise Refused(
                f"cannot subscribe to {postgres.redacted(source)}: {postgres.first_line(error)}"
                " (has the clinic run 'registry publish', with wal_level = logical?)"
            ) from None
