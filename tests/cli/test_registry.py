"""A registry of clinics on PostgreSQL's own logical replication, with three real servers on
127.0.0.1 (two clinics and a registry, started by .ci/run with wal_level=logical): what each
clinic logs for a course with research consent arrives at the registry, and nothing else does;
withdrawal stops further rows; `report outcomes` on the registry pools both clinics, as one
record of both clinics' consented courses would report them; the registry refuses prolotrack's
writing commands."""

from __future__ import annotations

import json
import os
import time
import uuid

import pytest

from tests.conftest import Clinic

SERVERS = os.environ.get("PROLOTRACK_TEST_REGISTRY", "").split()
pytestmark = [
    pytest.mark.sqlite_only,  # it makes its own PostgreSQL databases, on servers of its own
    pytest.mark.skipif(
        len(SERVERS) != 3,
        reason="no servers for the registry (.ci/run starts three and sets"
        " PROLOTRACK_TEST_REGISTRY)",
    ),
]
psycopg = pytest.importorskip("psycopg")


def new_database(server: str) -> str:
    name = f"registry_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def wait_for(url: str, sql: str, expected: int, seconds: float = 60) -> None:
    """Replication is asynchronous: wait, boundedly, for what should arrive."""
    deadline = time.monotonic() + seconds
    while (got := count(url, sql)) != expected:
        assert time.monotonic() < deadline, f"{sql}: {got} rows, not {expected}, in {seconds} s"
        time.sleep(0.2)


KNEE = [("2026-01-05", 52, 7), ("2026-02-02", 44, 5), ("2026-03-02", 40, 3)]


def course(clinic: Clinic, chart: str, name: str, icd10: str, measure: str, scores, *,
           research: bool = True) -> None:  # fmt: skip
    clinic.ok("patient", "add", name, "--chart", chart)
    clinic.ok("course", "start", chart, "--condition", "as the patient put it",
              "--icd10", icd10, "--measure", measure, "--sessions", str(len(scores)),
              "--date", scores[0][0])  # fmt: skip
    for day, value, pain in scores:
        measured = [] if measure == "nrs" else ["--score", f"{measure}={value}"]
        clinic.ok("session", "log", chart, "--date", day, "--site", "MCL:1:D15",
                  "--pain", str(pain), *measured)  # fmt: skip
    if research:
        clinic.ok("course", "consent", chart, "--research", "--date", scores[0][0])


@pytest.fixture(scope="module")
def network():
    """Clinic A and clinic B, each publishing; the registry, subscribed to both."""
    a, b, registry = (new_database(s) for s in SERVERS)
    yield Clinic(a), Clinic(b), Clinic(registry)
    with psycopg.connect(registry, autocommit=True) as conn:  # and their slots at the clinics
        for (name,) in conn.execute(
            "SELECT subname FROM pg_subscription WHERE subdbid ="
            " (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall():
            conn.execute(f"DROP SUBSCRIPTION {name}")


def test_a_registry_pools_the_consented_courses_of_two_clinics(network, tmp_path):
    a, b, registry = network
    a.ok("config", "set", "site-id", "clinic-a")
    course(a, "A-1", "Ada Lovelace", "M17.11", "womac", KNEE)
    course(a, "A-2", "Alan Turing", "M77.11", "nrs", [("2026-01-12", 6, 6), ("2026-02-09", 3, 3)],
           research=False)  # fmt: skip
    b.ok("config", "set", "site-id", "clinic-b")
    course(b, "B-1", "Grace Hopper", "M17.11", "womac",
           [("2026-01-06", 60, 8), ("2026-02-03", 50, 6), ("2026-03-03", 30, 2)])  # fmt: skip
    course(b, "B-2", "Edsger Dijkstra", "M54.50", "odi", [("2026-01-07", 40, 6)])
    b.ok("score", "add", "B-1", "odi=20", "--date", "2026-03-10")
    b.ok("score", "void", "9", "--reason", "typed on the wrong course")  # before publishing

    for clinic in (a, b):
        made = clinic.ok("registry", "publish")
        assert "Published prolotrack_research" in made.stderr
    again = a.ok("registry", "publish")
    assert "Publishing prolotrack_research as site clinic-a: 0 course(s)" in again.stderr
    assert count(a.path, "SELECT count(*) FROM research.courses") == 1  # A-2 never leaves
    for clinic in (a, b):
        said = registry.ok("registry", "subscribe", "--from", clinic.path).stderr
        assert said.startswith("Subscribed to")
    assert "Already subscribed" in registry.ok("registry", "subscribe", "--from", a.path).stderr

    wait_for(registry.path, "SELECT count(*) FROM research.courses", 3)
    wait_for(registry.path, "SELECT count(*) FROM research.scores", 6 + 6 + 2)
    # logged after the subscription: arrives; after a withdrawal: never leaves the clinic
    a.ok("score", "add", "A-1", "womac=35", "--date", "2026-03-16")
    b.ok("course", "consent", "B-2", "--research", "--withdraw")
    b.ok("score", "add", "B-2", "odi=30", "--date", "2026-03-12")
    b.ok("score", "add", "B-1", "nrs=3", "--date", "2026-03-11")
    b.ok("score", "void", "11", "--reason", "typed twice")  # sent, then a void row follows it
    wait_for(registry.path, "SELECT count(*) FROM research.scores", 6 + 6 + 2 + 1 + 1)
    wait_for(registry.path, "SELECT count(*) FROM research.voids", 1)
    wait_for(registry.path, "SELECT count(*) FROM research.course_states WHERE withdrawn", 1)
    assert count(b.path, "SELECT count(*) FROM research.scores WHERE value = 30") == 1  # B-1's
    keys = [r for r in _column(registry.path, "SELECT key FROM research.scores")]
    assert {k.split(":")[0] for k in keys} == {"clinic-a", "clinic-b"}
    text = json.dumps(_rows(registry.path))
    for word in ("Ada", "Grace", "A-1", "B-1", "as the patient put it"):
        assert word not in text

    pooled = Clinic(tmp_path / "pooled.db")  # one record of both clinics' consented courses
    course(pooled, "A-1", "Ada Lovelace", "M17.11", "womac", KNEE)
    pooled.ok("score", "add", "A-1", "womac=35", "--date", "2026-03-16")
    course(pooled, "B-1", "Grace Hopper", "M17.11", "womac",
           [("2026-01-06", 60, 8), ("2026-02-03", 50, 6), ("2026-03-03", 30, 2)])  # fmt: skip
    for args in (["--by", "icd10"], ["--by", "icd10", "--measure", "nrs"],
                 ["--at", "3m", "--by", "region"]):  # fmt: skip
        assert registry.json("report", "outcomes", *args) == pooled.json(
            "report", "outcomes", *args
        ), args
    [knee] = registry.json("report", "outcomes", "--by", "icd10")
    assert (knee["icd10"], knee["courses"], knee["median_baseline"]) == ("M17.11", 2, 56)

    registry.refused("patient", "add", "Someone", says="is a research registry")
    registry.refused("patient", "list", says="is a research registry")
    registry.refused("registry", "publish", says="is a research registry")
    registry.refused("registry", "subscribe", "--from", "clinic.db", says="postgresql://")
    a.refused("registry", "subscribe", "--from", b.path, says="holds a clinic's record")
    assert a.run("db", "check").exit_code == 0


def _column(url: str, sql: str) -> list:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(sql)]


def _rows(url: str) -> dict:
    with psycopg.connect(url) as conn:
        return {
            t: [list(map(str, r)) for r in conn.execute(f"SELECT * FROM research.{t}")]
            for t in ("courses", "course_states", "sessions", "scores", "voids")
        }


def test_publishing_needs_a_site_id_and_logical_replication(tmp_path):
    clinic = Clinic(new_database(SERVERS[0]))
    clinic.ok("patient", "add", "Ada Lovelace", "--chart", "A-1")
    clinic.refused("registry", "publish", says="config set site-id")
    clinic.refused("config", "set", "site-id", "Clinic North!", says="site-id")
    file = Clinic(tmp_path / "clinic.db")
    file.ok("patient", "add", "Ada Lovelace", "--chart", "A-1")
    file.refused("registry", "publish", says="export redcap")
