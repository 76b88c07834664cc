"""A use case is one trip: it reads what it needs once, refuses before it writes anything,
then writes. Watched through SQLite's own trace of the statements a command runs."""

from __future__ import annotations

import re
from datetime import date

import pytest

from prolotrack.actions import courses, lookup, patients, sessions
from prolotrack.domain.courses import CoursePlan
from prolotrack.domain.errors import InvalidInput, NotFound
from prolotrack.domain.sessions import SessionEntry
from prolotrack.domain.sites import parse_site
from prolotrack.storage.connection import transaction

pytestmark = pytest.mark.sqlite_only  # the statements are watched through SQLite's trace

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def traced(path, work):
    """The statements ``work(db)`` runs, in order; the transaction is rolled back."""
    seen: list[str] = []
    with transaction(path, write=True, commit=False) as db:
        db.conn.set_trace_callback(seen.append)
        try:
            work(db)
        finally:
            db.conn.set_trace_callback(None)
    return seen


def entry(**more) -> SessionEntry:
    return SessionEntry(date(2026, 3, 16), [parse_site("MCL:0.5:D15")], **more)


def logged(db, **more):
    course = lookup.course(db, "1")
    return sessions.log(db, course, entry(**more), date(2026, 3, 20), None)


def test_log_reads_the_instruments_and_the_protocol_once(worked):
    seen = traced(
        worked.path,
        lambda db: logged(db, scores=[("nrs", 4), ("womac", 38)], protocol="knee-oa-rabago"),
    )
    assert len([s for s in seen if "FROM instruments" in s]) == 1
    assert len([s for s in seen if re.search(r"FROM protocols\b", s)]) == 1


@pytest.mark.parametrize(
    ("more", "error"),
    [
        ({"scores": [("nrs", 4)], "adverse": [("flare", "catastrophic")]}, InvalidInput),
        ({"scores": [("nrs", 4), ("nonsense", 1)]}, NotFound),
        ({"scores": [("womac", 40)], "adverse": [("rash", None)]}, InvalidInput),
    ],
)
def test_log_refuses_before_it_writes_anything(worked, more, error):
    def work(db):
        with pytest.raises(error):
            logged(db, **more)

    seen = traced(worked.path, work)
    writes = [s for s in seen if WRITES.match(s) and "audit" not in s.split("(")[0]]
    assert writes == []


def test_due_reads_the_scores_of_every_finished_course_in_one_query(clinic):
    from prolotrack.actions import schedule

    for n in range(1, 4):  # three finished courses, each with its 3m follow-up open
        clinic.ok("patient", "add", f"Patient {n}", "--chart", f"P-{n:04d}")
        clinic.ok(
            "course",
            "start",
            f"P-{n:04d}",
            "--condition",
            "knee",
            "--measure",
            "nrs",
            "--sessions",
            "1",
            "--date",
            "2025-11-03",
        )
        clinic.ok("log", f"P-{n:04d}", "--date", "2025-11-03", "--site", "MCL:1:D15", "--pain", "6")
        clinic.ok("course", "close", str(n), "--status", "completed", "--date", "2025-12-01")
    seen = traced(clinic.path, lambda db: schedule.follow_ups_due(db, date(2026, 3, 20)))
    assert len([s for s in seen if re.search(r"\bscores\b", s)]) == 1
    with transaction(clinic.path, write=False) as db:
        assert len(schedule.follow_ups_due(db, date(2026, 3, 20))) == 3


SHEET = """chart,name,condition,started_on,session_date,site,volume_ml,solution,side,nrs
P-1,Ada Test,knee,2026-01-02,2026-01-10,MCL,1,D15,left,6
P-1,Ada Test,knee,2026-01-02,2026-01-03,MCL,1,D15,left,7
P-1,Ada Test,knee,2026-01-02,2026-01-17,MCL,1,D15,left,5
P-1,Ada Test,knee,2026-01-02,2026-01-03,LCL,1,D15,left,7
"""


def test_an_import_reads_each_course_once_and_numbers_its_sessions_by_date(tmp_path):
    """What each session's checks read of its course (its sessions, the days of its scores,
    its patient's flags, its adverse events) is read once for the course, and kept as
    sessions are added: a session dated before those already added still numbers them by
    date, and one of a day already added clashes."""
    import io

    from prolotrack.actions.importer import Importer
    from prolotrack.domain.errors import ProlotrackError
    from prolotrack.render.delimited import unquote

    found = {}

    def work(db):
        ada = patients.add(db, date(2026, 3, 20), name="Ada Test", chart="P-1")
        courses.start(db, ada, CoursePlan("knee", date(2026, 1, 2)), date(2026, 3, 20))
        importer = Importer(db, "sheet.csv", date(2026, 3, 20), None, unquote)
        importer.read(io.StringIO(SHEET, newline=""))
        with pytest.raises(ProlotrackError) as refused:
            importer.finish()
        found["problems"] = refused.value.details
        found["numbers"] = db.execute("SELECT date, number FROM sessions ORDER BY date").fetchall()

    seen = traced(tmp_path / "clinic.db", work)
    assert len([s for s in seen if "FROM patient_flags" in s]) == 1
    assert len([s for s in seen if "FROM adverse_events" in s]) == 1
    assert len([s for s in seen if "FROM signatures g" in s]) == 1
    # the days its scores were taken, once for the course; the practice's instruments once
    # for the import (the first, as the course starts before it), none for a session; no
    # session's number counted from the stored sessions
    assert len([s for s in seen if re.search(r"FROM scores\b", s)]) == 1
    instruments = [s for s in seen if "FROM instruments" in s]
    assert len(instruments) == 2 and "WHERE code = 'nrs'" in instruments[0]
    assert not [s for s in seen if "count(CASE" in s]
    assert found["numbers"] == [("2026-01-03", 1), ("2026-01-10", 2), ("2026-01-17", 3)]
    # the fourth row is of the session of 2026-01-03, apart from its other row
    assert found["problems"] == [
        "sheet.csv:5: session_date: the rows of one session must stand together"
        " (this session began at line 3)"
    ]


INTERLEAVED = """chart,name,condition,started_on,session_date,site,volume_ml,solution,side,nrs
P-1,Ada Test,knee,2026-01-02,2026-01-10,MCL,1,D15,left,6
P-2,Bo Test,hip,2026-01-02,2026-01-11,GT,1,D15,left,6
P-1,Ada Test,knee,2026-01-02,2026-01-03,MCL,1,D15,left,7
P-2,Bo Test,hip,2026-01-02,2026-01-04,GT,1,D15,left,7
P-1,Ada Test,knee,2026-01-02,2026-01-17,MCL,1,D15,left,5
"""


def test_an_import_whose_courses_interleave_beyond_those_kept_reads_them_again(
    tmp_path, monkeypatch
):
    """The facts of only so many courses are kept: a course read again when its turn comes
    back is read as it now stands, its sessions numbered and found as if it had been kept."""
    import io

    from prolotrack.actions.importer import Importer
    from prolotrack.render.delimited import unquote

    monkeypatch.setattr(Importer, "RECENT_COURSES", 1)
    found = {}

    def work(db):
        for run in ("first", "again"):
            importer = Importer(db, "sheet.csv", date(2026, 3, 20), None, unquote)
            importer.read(io.StringIO(INTERLEAVED, newline=""))
            found[run] = importer.finish()
        found["numbers"] = db.execute(
            "SELECT course_id, date, number FROM sessions ORDER BY course_id, date"
        ).fetchall()

    seen = traced(tmp_path / "clinic.db", work)
    # read at each turn of a course (five in each run) but a course's first in the first run,
    # when the import starts it; the flags only to record a session (the first run's three)
    assert len([s for s in seen if "FROM signatures g" in s]) == 8
    assert len([s for s in seen if "FROM patient_flags" in s]) == 3
    assert found["numbers"] == [
        (1, "2026-01-03", 1),
        (1, "2026-01-10", 2),
        (1, "2026-01-17", 3),
        (2, "2026-01-04", 1),
        (2, "2026-01-11", 2),
    ]
    assert (found["first"].sessions_added, found["first"].sessions_skipped) == (5, 0)
    assert (found["again"].sessions_added, found["again"].sessions_skipped) == (0, 5)


def test_a_course_the_import_starts_is_known_without_reading_it(tmp_path):
    """A course the import starts, of a patient it adds, has no sessions, scores, flags or
    adverse events on file: none is read, nor whether the course is on file, nor the
    measure's instrument (the import read the practice's), nor the follow-up setting."""
    import io

    from prolotrack.actions.importer import Importer
    from prolotrack.render.delimited import unquote

    found = {}

    def work(db):
        importer = Importer(db, "sheet.csv", date(2026, 3, 20), None, unquote)
        importer.read(io.StringIO(INTERLEAVED, newline=""))
        found["tally"] = importer.finish()

    seen = traced(tmp_path / "clinic.db", work)
    for table in ("patient_flags", "adverse_events", "signatures g", "scores"):
        assert not [s for s in seen if re.search(rf"FROM {table}\b", s)], table
    assert not [s for s in seen if "lower(c.condition)" in s]  # is it on file already?
    assert len([s for s in seen if "FROM instruments" in s]) == 1
    assert len([s for s in seen if "FROM settings" in s]) == 1
    assert (found["tally"].courses_added, found["tally"].sessions_added) == (2, 5)


def test_a_patient_added_and_a_course_started_are_returned_as_stored(tmp_path):
    """Each comes back from its insert (RETURNING), not read again after it: what the commands
    show is what a read of the record gives."""
    from prolotrack.storage import courses as stored_courses
    from prolotrack.storage import patients as stored_patients

    made = {}

    def work(db):
        today = date(2026, 3, 20)
        made["patient"] = patients.add(db, today, name="Ada Test", chart="P-1", sex="F")
        plan = CoursePlan("knee", date(2026, 1, 2), side="left", planned_sessions=4)
        made["course"] = courses.start(db, made["patient"], plan, today)
        made["read"] = (
            stored_patients.get(db, made["patient"].id),
            stored_courses.get(db, made["course"].id),
        )

    seen = traced(tmp_path / "clinic.db", work)
    assert made["read"] == (made["patient"], made["course"])
    reads = [s for s in seen if s.lstrip().startswith("SELECT") and "WHERE id = " in s]
    assert len([s for s in seen if "c.id = " in s]) == 1  # the test's own read of the course
    assert len(reads) == 1  # the test's own read of the patient


def test_an_import_writes_a_session_its_sites_and_scores_without_reading_its_id(tmp_path):
    """A session's sites and scores name it in SQL, as the engine numbered it: nothing waits
    for its id to come back (on a server, a round trip for every session). Each site and
    score is the session's of its own line."""
    import io

    from prolotrack.actions.importer import Importer
    from prolotrack.render.delimited import unquote

    found = {}

    def work(db):
        Importer(db, "sheet.csv", date(2026, 3, 20), None, unquote).read(
            io.StringIO(INTERLEAVED, newline="")
        )
        found["sites"] = db.execute(
            "SELECT s.date, i.site FROM injections i JOIN sessions s ON s.id = i.session_id"
            " ORDER BY s.date"
        ).fetchall()
        found["scores"] = db.execute(
            "SELECT s.date, c.date, c.value FROM scores c JOIN sessions s ON s.id = c.session_id"
            " ORDER BY s.date"
        ).fetchall()

    seen = traced(tmp_path / "clinic.db", work)
    # (SQLite's trace shows a statement again for each trigger it fires)
    inserts = {s for s in seen if s.lstrip().startswith("INSERT INTO sessions")}
    assert len(inserts) == 5 and not [s for s in inserts if "RETURNING" in s]
    days = ["2026-01-03", "2026-01-04", "2026-01-10", "2026-01-11", "2026-01-17"]
    assert found["sites"] == list(zip(days, ["MCL", "GT", "MCL", "GT", "MCL"], strict=True))
    nrs = [7, 7, 6, 6, 5]
    assert found["scores"] == [(day, day, n) for day, n in zip(days, nrs, strict=True)]
