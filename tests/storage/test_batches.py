"""A listing that can grow without bound (every session) is read a batch at a time: the
batches, put together, are the listing read whole."""

import pytest

from prolotrack.actions import listings
from prolotrack.storage import sessions
from prolotrack.storage.connection import transaction

pytestmark = pytest.mark.sqlite_only  # opens the file itself


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
