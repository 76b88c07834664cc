"""``report outcomes`` reads only each course's first and latest score on the measure it judges:
the outcome is the one all of the course's scores give (but for the trend of every score, which
the report does not show)."""

import dataclasses

import pytest

from prolotrack.domain.outcomes import outcome
from prolotrack.storage import courses, scores
from prolotrack.storage.connection import transaction

pytestmark = pytest.mark.sqlite_only  # opens the file itself


def test_the_first_and_latest_scores_judge_a_course_as_all_of_them_do(worked):
    worked.ok("score", "add", "1", "womac=38", "nrs=2", "--date", "2026-03-09")
    worked.ok("score", "add", "1", "womac=30", "--date", "2026-03-16")  # the latest, then voided
    void = worked.json("score", "list", "1")
    worked.ok("score", "void", str(max(s["id"] for s in void)), "--reason", "wrong patient")
    worked.ok(
        "course",
        "start",
        "P-0001",
        "--condition",
        "left knee",
        "--measure",
        "womac",
        "--date",
        "2026-03-01",
    )
    with transaction(worked.path, write=False) as db:
        catalogue = {i.code: i for i in scores.instruments(db)}
        every = {course.id: (course, found) for course, found in courses.with_scores(db)}
        assert len(every) == len(courses.listing(db)) == 2  # the new course, with no score too
        for code in (None, "nrs", "womac"):
            ends = {c.id: found for c, found in courses.with_scores(db, every=False, measure=code)}
            assert list(ends) == sorted(every)
            for course, found in every.values():
                judged = catalogue[code or course.measure]
                assert untrended(outcome(judged, ends[course.id])) == untrended(
                    outcome(judged, found)
                )
                assert len(ends[course.id]) <= 2
        ends = dict((c.id, found) for c, found in courses.with_scores(db, every=False))
        assert [s.value for s in ends[1]] == [52, 38]


def untrended(found):
    return dataclasses.replace(found, scores=()) if found is not None else None
