"""The PostgreSQL schema on a real server: its audit triggers make the same keyed chain as
SQLite's, checked by the same code, and guard the log the same way."""

from __future__ import annotations

import contextlib
import secrets

import pytest

from prolotrack.storage import audit, chain, keys, postgres, rows, schema

sqlalchemy = pytest.importorskip("sqlalchemy")


@contextlib.contextmanager
def connected(url: str):
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as connection:
            yield postgres.PostgresDatabase(connection)
    finally:
        engine.dispose()


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
    with pytest.raises(sqlalchemy.exc.DBAPIError), connected(clinic_db) as db:
        db.begin_audit_context()
        db.execute("INSERT INTO audit_context (id, actor) VALUES (1, 'alice')")
        rows.insert(db, "patients", row)  # no key: the hash cannot be made
    with pytest.raises(sqlalchemy.exc.DBAPIError), connected(clinic_db) as db:
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
            pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"),
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
