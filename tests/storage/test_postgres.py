"""The PostgreSQL schema on a real server: its audit triggers make the same keyed chain as
SQLite's, checked by the same code, and guard the log the same way."""

from __future__ import annotations

import contextlib
import secrets

import pytest

from prolotrack.storage import audit, chain, keys, postgres, rows, schema

psycopg = pytest.importorskip("psycopg")


@contextlib.contextmanager
def connected(url: str):
    """One transaction on the server, as storage sees it: committed unless it raises."""
    with postgres.connected(url) as connection, connection.transaction():
        yield postgres.PostgresDatabase(connection)


def _write(db, key: bytes, who: str = "alice") -> None:
    db.use_key(key)
    db.begin_audit_context()
    db.execute("INSERT INTO audit_context (id, actor) VALUES (1, :who)", {"who": who})


@pytest.fixture
def clinic_db(postgres_url):
    """A new database given the schema by the migrations, as the first write gives it."""
    with connected(postgres_url) as db:
        schema.migrate(db)
    return postgres_url


@pytest.fixture
def key(clinic_db) -> bytes:
    with connected(clinic_db) as db:
        return keys.load_key(schema.file_identity(db))


def test_a_change_is_logged_with_a_hash_that_the_sqlite_checker_holds(clinic_db, key):
    with connected(clinic_db) as db:
        _write(db, key)
        made = rows.insert(db, "patients", {"name": "Núñez", "created_at": "x", "updated_at": "x"})
        rows.update(db, "patients", made, {"phone": "555"})
    with connected(clinic_db) as db:
        logged = list(db.query("SELECT * FROM audit_log ORDER BY id"))
        # the log rebuilt compact by migration 0014 starts at its anchor; keyed from the first
        assert [(r["entity"], r["action"]) for r in logged[:2]] == [audit.REBUILT, audit.KEYED]
        assert {r["practitioner"] for r in logged[:-2]} == {audit.MIGRATION}
        assert [(r["entity"], r["action"], r["actor"]) for r in logged[-2:]] == [
            ("patient", "insert", "postgres (alice)"),
            ("patient", "update", "postgres (alice)"),
        ]
        assert "prev_hash" not in logged[-1] and len(bytes(logged[-1]["hash"])) == 32
        assert logged[-2]["after"] is None  # the record holds it; the hash proves it
        assert chain.broken_links(db, key) == []
        assert chain.broken_links(db, secrets.token_bytes(32)) != []  # another key: no


def test_without_the_key_or_who_is_writing_nothing_is_written(clinic_db):
    row = {"name": "Ada", "created_at": "x", "updated_at": "x"}
    with pytest.raises(psycopg.Error), connected(clinic_db) as db:
        db.begin_audit_context()
        db.execute("INSERT INTO audit_context (id, actor) VALUES (1, 'alice')")
        rows.insert(db, "patients", row)  # no key: the hash cannot be made
    with pytest.raises(psycopg.Error), connected(clinic_db) as db:
        db.use_key(secrets.token_bytes(32))
        rows.insert(db, "patients", row)  # no context: who is writing is unknown
    with connected(clinic_db) as db:
        assert db.execute("SELECT count(*) FROM patients").fetchone()[0] == 0


def test_the_log_refuses_to_be_changed(clinic_db, key):
    with connected(clinic_db) as db:
        _write(db, key)
        setting = {"key": "practitioner", "value": "Dr A", "updated_at": "x"}
        rows.insert_all(db, "settings", [setting])
    for change in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with (
            pytest.raises(psycopg.Error, match="append-only"),
            connected(clinic_db) as db,
        ):
            db.execute(change)


def test_the_hmac_pads_are_rfc_2104s():
    import hashlib
    import hmac

    key = secrets.token_bytes(32)
    pads = postgres.chain_settings(key)
    inner = bytes.fromhex(pads["prolotrack.chain_inner"])
    outer = bytes.fromhex(pads["prolotrack.chain_outer"])
    message = b"a|b|c"
    expected = hmac.new(key, message, hashlib.sha256).hexdigest()
    assert hashlib.sha256(outer + hashlib.sha256(inner + message).digest()).hexdigest() == expected


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("SELECT * FROM t WHERE id = :id", "SELECT * FROM t WHERE id = %(id)s"),
        (":a, :b_2,:a", "%(a)s, %(b_2)s,%(a)s"),  # a name used twice, no space before
        ("SELECT x::text, '12:30', :when", "SELECT x::text, '12:30', %(when)s"),  # not casts
        ("WHERE name LIKE 'a%' AND n = :n", "WHERE name LIKE 'a%%' AND n = %(n)s"),
        ("to_char(now(), 'HH24:MI:SS')", "to_char(now(), 'HH24:MI:SS')"),
        ("SELECT 1", "SELECT 1"),
        (":a::int", ":a::int"),  # as for text(): a parameter cast is written CAST(:a AS int)
    ],
)
def test_named_parameters_are_spelled_as_psycopg_takes_them(written, sent):
    assert postgres.pyformat(written) == sent


def test_the_pyformat_statement_binds_on_a_real_server(postgres_url):
    with postgres.connected(postgres_url) as connection:
        db = postgres.PostgresDatabase(connection)
        found = db.query(
            "SELECT CAST(:a AS int) * 2 AS twice, '10:30' AS at, 'x%' LIKE 'x%' AS literal",
            {"a": 21},
        )
        assert list(found) == [{"twice": 42, "at": "10:30", "literal": True}]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://dr:s3cret@db.clinic:5432/rec", "postgresql://dr:***@db.clinic:5432/rec"),
        ("postgresql://dr@db.clinic/rec", "postgresql://dr@db.clinic/rec"),
        ("postgresql://db.clinic/rec?password=s3cret", "postgresql://db.clinic/rec?password=***"),
        (
            "postgres://dr:p%40ss@h/rec?sslmode=require&password=x",
            "postgres://dr:***@h/rec?sslmode=require&password=***",
        ),
    ],
)
def test_a_url_is_shown_without_its_password(url, shown):
    assert postgres.redacted(url) == shown


def test_a_command_runs_without_jit_compilation(postgres_url):
    """The server's JIT compiled report outcomes' query for 0.24 s of its 0.40 s: off."""
    with postgres.connected(postgres_url) as connection:
        assert connection.execute("SHOW jit").fetchone()[0] == "off"
