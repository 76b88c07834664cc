"""A listing that can grow without bound (every session) is read a batch at a time: the
batches, put together, are the listing read whole."""

from datetime import date

import pytest

from prolotrack.actions import listings
from prolotrack.storage import sessions
from prolotrack.storage.connection import transaction

pytestmark = pytest.mark.sqlite_only  # opens the file itself

DAY = date(2026, 4, 1)


def test_sessions_read_in_batches_are_the_sessions_read_whole(worked):
    worked.ok("session", "log", "P-0001", "--date", "2026-03-10", "--site", "MCL:0.5:D15")
    with transaction(worked.path, write=False) as db:
        whole = next(sessions.in_batches(db, size=1000))
        batches = list(sessions.in_batches(db, size=2))
        assert len(whole) >= 3 and all(len(b) == 2 for b in batches[:-1])
        assert [s for b in batches for s in b] == whole  # each with its own sites
        assert all(s.injections for s in whole)
        read = listings.session_list(
            db, patient=None, course=None, since=None, until=None, include_voided=False
        )
        assert [(s, c.id) for s, c in read()] == [(s, s.course_id) for s in whole]
        assert list(read()) == list(read())  # read afresh each time: a table reads it twice


def test_unsigned_sessions_read_in_batches_are_those_read_one_by_one(worked, monkeypatch):
    from prolotrack.actions import signing

    worked.ok("session", "log", "P-0001", "--date", "2026-03-10", "--site", "MCL:0.5:D15")
    monkeypatch.setattr(listings, "_BATCH", 2)
    with transaction(worked.path, write=False) as db:
        one_by_one = signing.unsigned(db, DAY, None)
        read = listings.unsigned_list(db, DAY, None)
        assert len(one_by_one) >= 3
        assert [(s.id, s.injections, c.id) for s, c in read()] == [
            (s.id, s.injections, s.course_id) for s in one_by_one
        ]
