"""The demo's sample clinic, recorded through the same use cases as real work."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from prolotrack.actions import courses, patients, safety, scores, sessions
from prolotrack.domain import follow_up
from prolotrack.domain.courses import CoursePlan
from prolotrack.domain.dates import parse_interval
from prolotrack.domain.sessions import SessionEntry
from prolotrack.domain.sites import SiteSpec, solution
from prolotrack.storage import courses as stored_courses

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.sample_clinic import (
    ADVERSE,
    FLAGS,
    OPTIONS,
    PATIENTS,
    SamplePatient,
    value_at,
)


def build(
    db: Database, today: date, practitioner: str = "Dr. Demo", mark: str | None = None
) -> dict[str, int]:
    """Fill an empty database with the sample clinic; return what was made. ``mark``: the
    setting that says the file is a sample (and may be replaced by the next demo)."""
    made = {
        "patients": 0,
        "courses": 0,
        "sessions": 0,
        "injections": 0,
        "scores": 0,
        "adverse events": 0,
    }
    for number, sample in enumerate(PATIENTS, start=1):
        patient = patients.add(
            db,
            today,
            name=sample.name,
            chart=f"P-{number:04d}",
            born=date.fromisoformat(sample.born),
            sex=sample.sex,
        )
        every = parse_interval(sample.every)
        started = today - timedelta(weeks=sample.started_weeks_ago)
        protocol = sample.plan if isinstance(sample.plan, str) else None
        plan = CoursePlan(
            condition=sample.condition,
            started_on=started,
            region=sample.region,
            side=sample.side,
            icd10=sample.icd10,
            measure=sample.measure,
            interval=every,
            planned_sessions=sample.planned,
            protocol=protocol,
        )
        course = courses.start(db, patient, plan, today)
        course = courses.consent(db, course, started, "prolotherapy consent, version 3", today)
        if sample.name in FLAGS:
            safety.add_flag(db, patient, *FLAGS[sample.name])
        if protocol == "achilles-yelland":  # Yelland 2011: injections with eccentric loading
            courses.rehabilitation(
                db, course, "exercise", started, None, "eccentric heel drops, 3 x 15 twice a day"
            )
        made["patients"] += 1
        made["courses"] += 1
        given, count = started, 0
        while given <= today and count < sample.planned:
            fraction = sample.response * count / max(sample.planned - 1, 1)
            entry = SessionEntry(
                given_on=given,
                sites=[]
                if protocol
                else [SiteSpec(s, v, solution(sol)) for s, v, sol in sample.plan],
                volume_ml=OPTIONS.get(protocol, (None, None))[0],
                solution=OPTIONS.get(protocol, (None, None))[1],
                scores=[
                    ("nrs", value_at("nrs", sample.baseline_pain, fraction)),
                    (sample.measure, value_at(sample.measure, sample.baseline_measure, fraction)),
                ],
                guidance="ultrasound" if sample.region in ("pelvis", "hand") else "landmark",
                anesthetic="lidocaine 1% skin wheal",
                practitioner=practitioner,
            )
            if count == 1 and sample.name in ADVERSE:
                entry.adverse = [ADVERSE[sample.name]]
                made["adverse events"] += 1
            session = sessions.log(db, course, entry, given, None)  # logged on the day
            made["sessions"] += 1
            made["injections"] += len(session.injections)
            made["scores"] += len(entry.scores)
            count += 1
            given = every.after(given)
        if sample.close and count:
            done = stored_courses.get(db, course.id)
            closed_on = min(done.last_session_on + timedelta(weeks=1), today)
            reason = (
                "planned sessions given"
                if sample.close == "completed"
                else "flare after the second session; patient declined more"
            )
            courses.close(db, done, sample.close, closed_on, today, reason)
        made["scores"] += _follow_ups(db, sample, course.id, today)
    if mark:
        from prolotrack.storage import settings

        settings.put(db, mark, f"sample clinic as of {today.isoformat()}")
    made["responses waiting"] = _answered_between_visits(db, today)
    return made


def _answered_between_visits(db: Database, today: date, most: int = 2) -> int:
    """Patients whose follow-up is due answered its form through a link, and the answers wait
    for review. The demo's last writes: the audit names the patient, by the link, from here."""
    from prolotrack.actions import form_links
    from prolotrack.actions.schedule import follow_ups_due
    from prolotrack.domain.form_catalogue import FORMS
    from prolotrack.domain.form_links import form_for

    made = 0
    for due in follow_ups_due(db, today):
        chosen = form_for(due.course.measure, FORMS)
        if due.upcoming or chosen is None or made == most:
            continue
        course = stored_courses.get(db, due.course.id)
        issued = form_links.issue(db, course, chosen, today, timepoint=due.timepoint)
        form_links.submit(db, issued.token, _answers_near_latest(db, course, chosen), today)
        made += 1
    return made


def _answers_near_latest(db: Database, course, chosen) -> dict[str, str]:
    """Every item answered alike, near where the course's measure stood last."""
    from prolotrack.storage import scores as stored_scores

    measure = stored_scores.instrument(db, course.measure)
    latest = [s for s in stored_scores.for_course(db, course.id) if s.instrument == measure.code]
    share = (latest[-1].value - measure.minimum) / (measure.maximum - measure.minimum)
    if measure.better == "higher":
        share = 1 - share
    return {it.id: str(round(it.low + share * (it.high - it.low))) for it in chosen.items}


def _follow_ups(db: Database, sample: SamplePatient, course_id: int, today: date) -> int:
    """Score the patient at the timepoints they came back for, on the day each was due."""
    course = stored_courses.get(db, course_id)
    if course.last_session_on is None:
        return 0
    made = 0
    for point in sample.followed_up:
        due, _, _ = follow_up.window(course.last_session_on, follow_up.timepoint(point))
        if due > today:
            continue
        kept = sample.response * 1.1  # a little better again after the last injection
        scores.record(
            db,
            course,
            [
                ("nrs", value_at("nrs", sample.baseline_pain, kept)),
                (sample.measure, value_at(sample.measure, sample.baseline_measure, kept)),
            ],
            due,
            today,
        )
        made += 2
    return made
