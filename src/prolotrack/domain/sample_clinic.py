"""A sample clinic for ``prolotrack demo``: a dozen patients on the published protocols.

Built through the same rules as the command line, so the demo shows what a real file holds.
It is deterministic for a given "today": every date counts back from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from prolotrack.dates import parse_interval
from prolotrack.domain import courses, follow_up, patients, safety, scores, sessions
from prolotrack.domain.instruments import CATALOGUE, HIGHER
from prolotrack.domain.sites import SiteSpec, solution
from prolotrack.storage import courses as stored_courses

if TYPE_CHECKING:
    from prolotrack.storage import Database

_INSTRUMENTS = {i.code: i for i in CATALOGUE}

# Most courses follow a built-in protocol; the low back one has sites of its own.
_LOW_BACK = [("iliolumbar ligament", 1, "D15"), ("supraspinous ligament L4-L5", 1, "D15"),
             ("interspinous ligament L5-S1", 1, "D15")]  # fmt: skip
# The Cusi protocol gives neither volume nor strength: the demo's practitioner chose these.
_OPTIONS = {"sij-cusi": (2.0, "dextrose 20%")}


@dataclass(frozen=True)
class SamplePatient:
    name: str
    born: str
    sex: str
    condition: str
    region: str
    side: str | None
    icd10: str
    measure: str
    every: str
    planned: int
    plan: str | list  # a protocol's name, or the sites given at each session
    started_weeks_ago: int
    baseline_pain: int
    baseline_measure: float
    response: float  # share of the way to the best score reached by the last session
    close: str | None = None  # completed or discontinued
    followed_up: tuple[str, ...] = ()  # the timepoints at which the patient was scored


PATIENTS = [
    SamplePatient("Ada Lovelace", "1950-05-01", "F", "right knee osteoarthritis", "knee", "right",
                  "M17.11", "womac", "4w", 3, "knee-oa-rabago", 12, 7, 52, 0.45),
    SamplePatient("Grace Hopper", "1946-12-09", "F", "left knee osteoarthritis", "knee", "left",
                  "M17.12", "womac", "4w", 5, "knee-oa-rabago", 18, 8, 61, 0.6),
    SamplePatient("Alan Turing", "1954-06-23", "M", "bilateral knee osteoarthritis", "knee",
                  "bilateral", "M17.0", "womac", "4w", 3, "knee-oa-rabago", 30, 6, 44, 0.05,
                  "completed", ("3m",)),
    SamplePatient("Edsger Dijkstra", "1940-05-11", "M", "right knee osteoarthritis", "knee",
                  "right", "M17.11", "vas", "2m", 6, "knee-oa-reeves", 26, 6, 62, 0.5),
    SamplePatient("Barbara Liskov", "1959-11-07", "F", "finger osteoarthritis", "hand", "right",
                  "M18.9", "vas", "2m", 3, "finger-oa-reeves", 17, 5, 55, 0.45),
    SamplePatient("Donald Knuth", "1968-01-10", "M", "right lateral epicondylosis", "elbow",
                  "right", "M77.11", "prtee", "4w", 3, "lateral-elbow-scarpone", 10, 6, 58, 0.7),
    SamplePatient("Frances Allen", "1972-08-04", "F", "left lateral epicondylosis", "elbow",
                  "left", "M77.12", "prtee", "4w", 3, "lateral-elbow-scarpone", 9, 7, 64, -0.1,
                  "discontinued"),
    SamplePatient("John Backus", "1981-12-03", "M", "right Achilles tendinosis", "ankle",
                  "right", "M76.61", "visa-a", "1w", 8, "achilles-yelland", 7, 6, 42, 0.55),
    SamplePatient("Radia Perlman", "1985-12-18", "F", "left Achilles tendinosis", "ankle",
                  "left", "M76.62", "visa-a", "1w", 6, "achilles-yelland", 5, 5, 50, 0.3),
    SamplePatient("Ken Thompson", "1963-02-04", "M", "sacroiliac joint dysfunction", "pelvis",
                  "midline", "M53.3", "rmdq", "6w", 3, "sij-cusi", 14, 7, 14, 0.5),
    SamplePatient("Margaret Hamilton", "1936-08-17", "F", "first carpometacarpal osteoarthritis",
                  "hand", "left", "M18.12", "vas", "1m", 3, "cmc-oa-jahangiri", 11, 6, 60, 0.4),
    SamplePatient("Dennis Ritchie", "1961-09-09", "M", "chronic low back pain", "low back",
                  "midline", "M54.50", "odi", "4w", 4, _LOW_BACK, 13, 6, 38, 0.0),
    # Seen a year ago: the 3m call was missed, 6m was done, 12m is due now.
    SamplePatient("Tim Berners-Lee", "1955-06-08", "M", "right knee osteoarthritis", "knee",
                  "right", "M17.11", "womac", "4w", 3, "knee-oa-rabago", 60, 7, 48, 0.5,
                  "completed", ("6m",)),
    # Never came back after the course: lost to follow-up.
    SamplePatient("Sophie Wilson", "1957-06-01", "F", "right lateral epicondylosis", "elbow",
                  "right", "M77.11", "prtee", "4w", 3, "lateral-elbow-scarpone", 44, 6, 60,
                  0.5, "completed"),
]  # fmt: skip

FLAGS = {"Grace Hopper": ("anticoagulant", "apixaban 5 mg twice a day"),
         "Donald Knuth": ("allergy:fish", "hives after cod-liver oil capsules")}  # fmt: skip
ADVERSE = {"Grace Hopper": ("flare", "moderate"), "Frances Allen": ("flare", "severe"),
           "Ken Thompson": ("bruising", "mild"), "John Backus": ("vasovagal", "mild")}  # fmt: skip


def _value(code: str, baseline: float, fraction: float) -> float:
    """A score ``fraction`` of the way from ``baseline`` to the instrument's best end."""
    instrument = _INSTRUMENTS[code]
    best = instrument.maximum if instrument.better == HIGHER else instrument.minimum
    value = baseline + (best - baseline) * fraction
    value = min(max(value, instrument.minimum), instrument.maximum)
    return round(value, 1) if instrument.maximum <= 10 and code != "nrs" else round(value)


def build(db: Database, today: date, practitioner: str = "Dr. Demo") -> dict[str, int]:
    """Fill an empty database with the sample clinic; return what was made."""
    made = {"patients": 0, "courses": 0, "sessions": 0, "injections": 0, "scores": 0,
            "adverse events": 0}  # fmt: skip
    for number, sample in enumerate(PATIENTS, start=1):
        patient = patients.add(
            db, today, name=sample.name, chart=f"P-{number:04d}",
            born=date.fromisoformat(sample.born), sex=sample.sex,
        )  # fmt: skip
        every = parse_interval(sample.every)
        started = today - timedelta(weeks=sample.started_weeks_ago)
        protocol = sample.plan if isinstance(sample.plan, str) else None
        plan = courses.CoursePlan(
            condition=sample.condition, started_on=started, region=sample.region,
            side=sample.side, icd10=sample.icd10, measure=sample.measure, interval=every,
            planned_sessions=sample.planned, protocol=protocol,
        )  # fmt: skip
        course = courses.start(db, patient, plan, today)
        course = courses.consent(db, course, started, "prolotherapy consent, version 3", today)
        if sample.name in FLAGS:
            safety.add_flag(db, patient, *FLAGS[sample.name])
        if protocol == "achilles-yelland":  # Yelland 2011: injections with eccentric loading
            courses.rehabilitation(db, course, "exercise", started, None,
                                   "eccentric heel drops, 3 x 15 twice a day")  # fmt: skip
        made["patients"] += 1
        made["courses"] += 1
        given, count = started, 0
        while given <= today and count < sample.planned:
            fraction = sample.response * count / max(sample.planned - 1, 1)
            entry = sessions.SessionEntry(
                given_on=given,
                sites=[]
                if protocol
                else [SiteSpec(s, v, solution(sol)) for s, v, sol in sample.plan],
                volume_ml=_OPTIONS.get(protocol, (None, None))[0],
                solution=_OPTIONS.get(protocol, (None, None))[1],
                scores=[
                    ("nrs", _value("nrs", sample.baseline_pain, fraction)),
                    (sample.measure, _value(sample.measure, sample.baseline_measure, fraction)),
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
            reason = ("planned sessions given" if sample.close == "completed"
                      else "flare after the second session; patient declined more")  # fmt: skip
            courses.close(db, done, sample.close, closed_on, today, reason)
        made["scores"] += _follow_ups(db, sample, course.id, today)
    return made


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
        scores.record(db, course, [
            ("nrs", _value("nrs", sample.baseline_pain, kept)),
            (sample.measure, _value(sample.measure, sample.baseline_measure, kept)),
        ], due, today)  # fmt: skip
        made += 2
    return made
