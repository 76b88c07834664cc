"""The fragments of the schema that differ between SQLite and PostgreSQL: types, a few
constraints, the time now, and the bodies of the log's guards and of the site-name triggers.

Each migration is written once (``first_edition.py`` ...) with these fragments in it. Types are
SQLite's on both engines, so that both hand back the same values: text (dates and times as ISO
text; on PostgreSQL in the "C" collation, SQLite's byte order), 64-bit integer ids, double
precision, and integers 0/1 for yes/no. SQLite's fragments give, word for word, the text its
files have always kept in ``sqlite_master``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    text: str  # a text column
    integer: str  # a plain integer column
    real: str  # a number with a fraction
    id: str  # the id column of a table: its primary key, given by the database
    reference: str  # a column holding another table's id
    iso_date: str  # the condition that a column holds YYYY-MM-DD, after the column's name
    rowid: str  # the catalogue's order where SQLite keeps it in its own rowid (instruments)
    nocase_key: str  # a text primary key compared without ASCII case (site names)
    now: str  # the time now in UTC to the second, as ISO text
    insert_or_ignore: str  # an INSERT that leaves a row already there as it is ...
    or_ignore: str  # ... and what ends it
    log_guards: str  # the audit log takes no update and no delete
    audit_context: str  # who is writing: a table of the file, or each transaction's own
    chain_function: str  # the keyed hash of the audit chain, where the database computes it

    def date(self, column: str, *, required: bool) -> str:
        check = f"CHECK ({column} IS NULL OR {column} {self.iso_date})"
        return f"{column} {self.text}{' NOT NULL' if required else ''} {check}"

    def nocase_unique(self, table: str, column: str, index: str) -> tuple[str, str]:
        """A text column unique without ASCII case: what its definition ends with, and the
        statement that follows the table (SQLite: NOCASE; PostgreSQL: an index on lower())."""
        if self.name == SQLITE.name:
            return " UNIQUE COLLATE NOCASE", ""
        return "", f"CREATE UNIQUE INDEX {index} ON {table} (lower({column}));"

    def widen_check(self, db, tables: tuple[str, ...], column: str, was: str, now: str) -> None:
        """Let ``column`` of ``tables`` take more values: its CHECK ``was`` becomes ``now`` (both
        as ``one_of`` writes them), the stored rows left as they are.

        SQLite cannot alter a CHECK; its documented way for a change that leaves the rows valid
        (https://sqlite.org/lang_altertable.html#otheralter) is to write the new constraint into
        the table's text in the schema and bump the schema version, inside the transaction.
        PostgreSQL drops the column's constraint and adds the new one."""
        if self.name == POSTGRESQL.name:
            for t in tables:
                db.executescript(
                    f"ALTER TABLE {t} DROP CONSTRAINT {t}_{column}_check,"
                    f" ADD CONSTRAINT {t}_{column}_check {now}"
                )
            return
        version = db.execute("PRAGMA schema_version").fetchone()[0]
        db.execute("PRAGMA writable_schema = ON")
        try:
            names = ", ".join(f"'{t}'" for t in tables)
            db.execute(
                "UPDATE sqlite_master SET sql = replace(sql, ?, ?)"
                f" WHERE type = 'table' AND name IN ({names})",
                [was, now],
            )
            db.execute(f"PRAGMA schema_version = {version + 1}")
        finally:
            db.execute("PRAGMA writable_schema = OFF")

    def site_name_triggers(self) -> str:
        """Every site name used is remembered as it is first used."""
        if self.name == SQLITE.name:
            return f"""
        CREATE TRIGGER site_names_from_injections AFTER INSERT ON injections BEGIN
            INSERT OR IGNORE INTO site_names (name, first_used)
            VALUES (NEW.site, {self.now});
        END;
        CREATE TRIGGER site_names_from_protocols AFTER INSERT ON protocol_sites BEGIN
            INSERT OR IGNORE INTO site_names (name, first_used)
            VALUES (NEW.site, {self.now});
        END;"""
        return f"""
        CREATE FUNCTION site_names_remember() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO site_names (name, first_used) VALUES (NEW.site, {self.now})
                ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$;
        CREATE TRIGGER site_names_from_injections AFTER INSERT ON injections
            FOR EACH ROW EXECUTE FUNCTION site_names_remember();
        CREATE TRIGGER site_names_from_protocols AFTER INSERT ON protocol_sites
            FOR EACH ROW EXECUTE FUNCTION site_names_remember();"""


def quoted(values: tuple[str, ...]) -> str:
    """A vocabulary as SQL's list of its values."""
    return ", ".join(f"'{v}'" for v in values)


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"CHECK ({column} IS NULL OR {column} IN ({quoted(values)}))"


SQLITE = Dialect(
    name="sqlite",
    text="TEXT",
    integer="INTEGER",
    real="REAL",
    id="id INTEGER PRIMARY KEY",
    reference="INTEGER",
    iso_date="GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'",
    rowid="",
    nocase_key="TEXT PRIMARY KEY COLLATE NOCASE",
    now="strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
    insert_or_ignore="INSERT OR IGNORE",
    or_ignore="",
    log_guards="""
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
    audit_context="""
        CREATE TABLE audit_context (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            actor TEXT NOT NULL,
            practitioner TEXT,
            reason TEXT
        );""",
    chain_function="",  # registered by prolotrack on each connection (storage/connection.py)
)

_PG_TEXT = 'text COLLATE "C"'
POSTGRESQL = Dialect(
    name="postgresql",
    text=_PG_TEXT,
    integer="integer",
    real="double precision",
    id="id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    reference="bigint",
    iso_date="~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'",
    rowid="rowid bigint GENERATED ALWAYS AS IDENTITY UNIQUE,",
    nocase_key=f"{_PG_TEXT} NOT NULL",  # unique through an index on lower(name)
    now="""to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""",
    insert_or_ignore="INSERT",
    or_ignore=" ON CONFLICT DO NOTHING",
    log_guards="""
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only';
        END $$;
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();""",
    audit_context="",  # a temporary table of each writing transaction (storage/postgres.py)
    # HMAC-SHA256 with PostgreSQL's own sha256(), from the two padded keys prolotrack sets for
    # its own transaction only (storage/postgres.py, chain_settings)
    chain_function="""
        CREATE FUNCTION prolotrack_chain(message text) RETURNS text LANGUAGE sql AS $$
            SELECT encode(sha256(decode(current_setting('prolotrack.chain_outer'), 'hex')
                || sha256(decode(current_setting('prolotrack.chain_inner'), 'hex')
                || convert_to(message, 'UTF8'))), 'hex')
        $$;""",
)

DIALECTS = {d.name: d for d in (SQLITE, POSTGRESQL)}
