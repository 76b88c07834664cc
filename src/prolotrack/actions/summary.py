"""The daily (or weekly) summary, read from the record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from prolotrack.actions import schedule, signing
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.instruments import PAIN
from prolotrack.domain.settings import SETTINGS
from prolotrack.storage import courses, form_links, scores, sessions, settings, signatures

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.summary import MAX_DAYS, Given, Summary


def summarise(db: Database, last_day: date, days: int = 1, today: date | None = None) -> Summary:
    """The ``days`` days ending on ``last_day``; due and overdue as of ``last_day``, or of
    ``today`` when the period ends after it (a week not yet over is not overdue from its end)."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"--days {days} is out of range (from 1 to {MAX_DAYS})")
    first_day = last_day - timedelta(days=days - 1)
    found = sessions.listing(db, since=first_day, until=last_day)
    owners = {cid: courses.get(db, cid) for cid in {s.course_id for s in found}}
    taken = scores.for_sessions(db, [s.id for s in found])
    given = []
    for s in found:
        pain = next((sc.value for sc in taken[s.id] if sc.instrument == PAIN), None)
        given.append(Given(s, owners[s.course_id], pain))
    adverse = []
    for event in sessions.adverse_events_recorded(db, first_day, last_day):
        session = sessions.get(db, event.session_id)
        course = owners.get(session.course_id) or courses.get(db, session.course_id)
        adverse.append((event, Given(session, course, None)))
    unsigned, within = _unsigned(db, last_day)
    return Summary(
        waiting=[(r, courses.get(db, r.course_id)) for r in form_links.waiting(db)],
        unsigned=unsigned,
        sign_within=within,
        first_day=first_day,
        last_day=last_day,
        given=given,
        adverse=adverse,
        started=sorted(courses.listing(db, started=(first_day, last_day)), key=lambda c: c.id),
        closed=sorted(courses.listing(db, closed=(first_day, last_day)), key=lambda c: c.id),
        # due and overdue only: a follow-up whose window has not opened is not yet anyone's call
        due=[d for d in schedule.due(db, min(last_day, today or last_day)) if not d.upcoming],
    )


def _unsigned(db: Database, as_of: date) -> tuple[list[Given] | None, int]:
    """The sessions unsigned more than ``sign-within`` days after they were given, where the
    clinic signs (a signature recorded, or the setting set)."""
    within = settings.get(db, "sign-within")
    days = int(within or SETTINGS["sign-within"].default)
    if within is None and not signatures.in_use(db):
        return None, days
    found = signing.unsigned(db, as_of, days)
    owners = {cid: courses.get(db, cid) for cid in {s.course_id for s in found}}
    return [Given(s, owners[s.course_id], None) for s in found], days
