"""One list of migrations makes the same schema on both engines: built from scratch on each, the
two are compared table by table, column by column and constraint by constraint.

What may differ is what the dialect's named fragments say differs (storage/migrations/
dialects.py), and is normalised here before the comparison: the spelling of types, a text key
compared without case (SQLite's NOCASE, PostgreSQL's unique index on lower()), the shape of an
ISO date (a GLOB or a regular expression), the catalogue's order (SQLite's rowid, a column on
PostgreSQL), and who keeps the record of migrations and the writer of the moment.
"""

from __future__ import annotations

import re

import pytest

from prolotrack.storage import schema
from prolotrack.storage.connection import FileDatabase
from prolotrack.storage.migrations.dialects import POSTGRESQL, SQLITE
from tests import raw

ENGINE_OWN = {"_sqlite_migrations", schema.SERVER_RECORD, "audit_context"}
TYPES = {
    "text": "text",
    "integer": "integer",
    "bigint": "integer",
    "real": "real",
    "double precision": "real",
    "blob": "blob",
    "bytea": "blob",
}
ISO_DATE = {SQLITE.iso_date.split("'")[1], POSTGRESQL.iso_date.split("'")[1]}


def _literals(expression: str, columns: list[str]) -> tuple:
    """What a constraint's expression says, as both engines spell it: the columns it names,
    its quoted values (an ISO date's pattern as such) and its numbers."""
    quoted = re.findall(r"'((?:[^']|'')*)'", expression)
    bare = re.sub(r"'(?:[^']|'')*'", " ", expression)
    words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", bare))
    return (
        tuple(sorted(c for c in columns if c in words)),
        tuple(sorted("<iso date>" if q in ISO_DATE else q for q in quoted)),
        tuple(sorted(float(n) for n in re.findall(r"(?<![A-Za-z_])\d+(?:\.\d+)?", bare))),
    )


def _checks(sql: str) -> list[str]:
    """The CHECK constraints of a CREATE TABLE statement, each its parenthesised expression."""
    found = []
    for match in re.finditer(r"\bCHECK\s*\(", sql, re.IGNORECASE):
        depth, i, quoted = 0, match.end() - 1, False
        for i in range(match.end() - 1, len(sql)):
            ch = sql[i]
            if ch == "'":
                quoted = not quoted
            elif not quoted and ch == "(":
                depth += 1
            elif not quoted and ch == ")":
                depth -= 1
                if depth == 0:
                    break
        found.append(sql[match.end() - 1 : i + 1])
    return found


def _default(value) -> str | None:
    if value is None:
        return None
    value = re.sub(r"::[a-z ]+", "", str(value)).strip("()")
    return value


def sqlite_schema(path) -> dict:
    conn = raw.connect(path)
    found = {}
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%'"
            " ESCAPE '!'"
        )
    ]
    for table in sorted(set(tables) - ENGINE_OWN):
        info = conn.execute(f"PRAGMA table_xinfo({table})").fetchall()
        names = [c[1] for c in info]
        pk = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]]
        nocase = {
            c for c in names if re.search(rf"\b{c}\b[^,]*COLLATE NOCASE", _table_sql(conn, table))
        }
        columns = {
            name: (TYPES[kind.lower()], bool(notnull) or name in pk, _default(default))
            for _, name, kind, notnull, default, _, _ in info
        }
        keys = {("unique", tuple(f"lower({c})" if c in nocase else c for c in pk), ())}
        for _, index, unique, origin, partial in conn.execute(f"PRAGMA index_list({table})"):
            if origin == "pk":
                continue
            parts = []
            for _, _, column, _, collation, key in conn.execute(f"PRAGMA index_xinfo({index})"):
                if key:
                    parts.append(f"lower({column})" if collation == "NOCASE" else column)
            where = ()
            if partial:
                text = conn.execute(
                    "SELECT sql FROM sqlite_master WHERE name = ?", [index]
                ).fetchone()[0]
                where = _literals(text.split(" WHERE ", 1)[1], names)
            keys.add(("unique" if unique else "index", tuple(parts), where))
        references = set()
        for _, _, other, column, to, _, on_delete, _ in conn.execute(
            f"PRAGMA foreign_key_list({table})"
        ):
            to = to or "id"
            references.add((column, other, to, on_delete))
        checks = sorted(_literals(c, names) for c in _checks(_table_sql(conn, table)))
        found[table] = {
            "columns": columns,
            "keys": keys,
            "references": references,
            "checks": checks,
        }
    conn.close()
    return found


def _table_sql(conn, table: str) -> str:
    return conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]


def postgresql_schema(url: str) -> dict:
    import psycopg

    found = {}
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        for table in sorted(set(tables) - ENGINE_OWN):
            info = conn.execute(
                "SELECT column_name, data_type, is_nullable, column_default FROM"
                " information_schema.columns WHERE table_schema = 'public' AND table_name = %s"
                " ORDER BY ordinal_position",
                [table],
            ).fetchall()
            if table == "instruments":  # SQLite keeps the catalogue's order in its rowid
                info = [c for c in info if c[0] != "rowid"]
            names = [c[0] for c in info]
            columns = {
                name: (TYPES[kind], nullable == "NO", _default(default))
                for name, kind, nullable, default in info
            }
            keys = set()
            for (definition,) in conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s",
                [table],
            ):
                body = definition.split(" USING btree ", 1)[1]
                parts, _, where = body.partition(" WHERE ")
                parts = tuple(p.strip().strip('"') for p in parts.strip()[1:-1].split(","))
                if parts == ("rowid",):
                    continue
                kind = "unique" if definition.startswith("CREATE UNIQUE") else "index"
                keys.add((kind, parts, _literals(where, names) if where else ()))
            references, checks = set(), []
            for kind, definition in conn.execute(
                "SELECT contype, pg_get_constraintdef(c.oid) FROM pg_constraint c"
                " JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = %s",
                [table],
            ):
                if kind == "c":
                    checks.append(_literals(definition, names))
                elif kind == "f":
                    column, other, to = re.match(
                        r"FOREIGN KEY \((\w+)\) REFERENCES (\w+)\((\w+)\)", definition
                    ).groups()
                    action = re.search(r"ON DELETE (CASCADE|SET NULL|RESTRICT)", definition)
                    references.add((column, other, to, action[1] if action else "NO ACTION"))
            found[table] = {
                "columns": columns,
                "keys": keys,
                "references": references,
                "checks": sorted(checks),
            }
    return found


def test_both_engines_build_the_same_schema_from_one_list(tmp_path, postgres_url):
    pytest.importorskip("psycopg")
    from tests.storage.test_postgres import connected

    path = tmp_path / "clinic.db"
    conn = raw.connect(path, isolation_level=None)
    schema.migrate(FileDatabase(conn, execute_plugins=False))
    conn.close()
    with connected(postgres_url) as db:
        schema.migrate(db)

    on_file, on_server = sqlite_schema(path), postgresql_schema(postgres_url)

    assert sorted(on_file) == sorted(on_server)
    assert len(on_file) >= 14  # every table of the record, not an empty comparison
    for table in on_file:
        for part in ("columns", "keys", "references", "checks"):
            assert on_file[table][part] == on_server[table][part], f"{table}: {part}"
    assert sum(len(t["checks"]) for t in on_file.values()) >= 20
    assert sum(len(t["references"]) for t in on_file.values()) >= 8


def test_a_copy_between_engines_carries_every_table(tmp_path):
    """`db copy` copies the tables of storage/copying.py's list: every table of the schema is on
    it but the engines' own (a table left off loses its rows in a copy, and the copy's audit
    log then names records it does not have)."""
    from prolotrack.storage.copying import TABLES

    conn = raw.connect(tmp_path / "schema.db")
    db = FileDatabase(conn, execute_plugins=False)
    schema.migrate(db)
    made = {t for t in db.table_names() if not t.startswith("sqlite_")}
    assert made - ENGINE_OWN - {"audit_context"} == set(TABLES)
