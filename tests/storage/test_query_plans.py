"""The per-day and per-course queries use indexes: no full scan of the big tables."""

import re
from datetime import date

import pytest

from prolotrack.actions import lookup, progress, schedule, sessions, summary
from prolotrack.domain.sessions import SessionEntry
from prolotrack.domain.sites import SiteSpec
from prolotrack.storage.connection import transaction

pytestmark = pytest.mark.sqlite_only  # about the SQLite file itself

BIG_TABLES = ("sessions", "injections", "scores", "audit_log", "adverse_events")


def _scans(db, statements) -> list[str]:
    """Every full scan of a big table in the plans of the traced statements."""
    found = []
    for sql, params in statements:
        if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            continue
        plan = db.execute(f"EXPLAIN QUERY PLAN {sql}", params or []).fetchall()
        aliases = {
            m.group(2): m.group(1)
            for m in re.finditer(r"\b(\w+)\s+(?:AS\s+)?(\w+)\b", sql)
            if m.group(1) in BIG_TABLES
        }
        for row in plan:
            detail = row[-1]
            match = re.match(r"SCAN (\w+)", detail)
            if match and aliases.get(match.group(1), match.group(1)) in BIG_TABLES:
                found.append(f"{detail}  <-  {' '.join(sql.split())[:160]}")
    return found


@pytest.fixture
def traced(worked):
    statements = []
    with (
        transaction(worked.path, write=True, commit=False) as db,
        db.tracer(lambda sql, params: statements.append((sql, params))),
    ):
        yield db, statements


def test_per_course_queries_use_indexes(traced):
    db, statements = traced
    course = lookup.course(db, "P-0001")
    progress.of_course(db, course, date(2026, 3, 20))
    entry = SessionEntry(
        date(2026, 3, 10), [SiteSpec("MCL", 0.5, "dextrose 15%")], scores=[("nrs", 4)]
    )
    sessions.log(db, course, entry, date(2026, 3, 20), None)
    assert statements
    assert _scans(db, statements) == []


def test_per_day_queries_use_indexes(traced):
    db, statements = traced
    summary.summarise(db, date(2026, 3, 2), 1)
    schedule.due(db, date(2026, 3, 20))
    assert statements
    assert _scans(db, statements) == []


def test_one_records_history_uses_the_index_even_without_its_entity(traced):
    """`audit --id N` alone asks every kind of record for its N: by the index, not a scan."""
    from prolotrack.storage import audit

    db, statements = traced
    found = list(audit.history(db, None, "1"))
    assert {row["entity"] for row in found} >= {"patient", "course", "session"}
    assert all(row["entity_id"] == "1" for row in found)
    assert _scans(db, statements) == []
