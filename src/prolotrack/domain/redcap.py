"""A REDCap project of the record, de-identified (clinical-reference.md section 10): the data
dictionary, the events, the instrument-event mapping, the repeating instruments and the flat
records, built from the model with no I/O (``render/redcap.py`` writes the five files).

A record is a treatment course, its id the course's keyed pseudonym (the patient's is a field,
so that one patient's courses can be joined); every day is counted from the course's first
injection; no free text leaves (a condition as its ICD-10 code, a region as the catalogue names
it, a practice's own instrument not at all).

- ``baseline`` (not repeating): the course, and the scores and forms of the last day on or
  before the first injection;
- ``treatment``: the sessions, and every other day's scores and forms, each a repeating
  instrument (a session's instance is its number);
- one ``follow_up_<T>`` event per follow-up timepoint: the scores and forms of the last day in
  its window (the rest of that window's go to ``treatment``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from prolotrack.domain import deidentify, follow_up
from prolotrack.domain.forms import Form
from prolotrack.domain.models import AnswerSet, Course, Score, Session, totals_of
from prolotrack.domain.redcap_fields import (
    ARM,
    COMPLETE,
    COURSE_FIELDS,
    EVENT_COLUMNS,
    GUIDANCE,
    MAPPING_COLUMNS,
    OLDEST,
    RECORD_START,
    REGIONS,
    REHAB,
    SESSION_FIELDS,
    SEXES,
    SIDES,
    STATUSES,
    TREATMENT,
    Field,
    code,
    event,
    name,
    number,
)


@dataclass
class CourseData:
    """One course as the project needs it: its live sessions, scores and answer sets."""

    course: Course
    sessions: list[Session]
    scores: list[Score]
    answer_sets: list[AnswerSet]
    rehabilitation: list[str] = field(default_factory=list)

    @property
    def first_injection(self) -> date:
        return min((s.given_on for s in self.sessions), default=self.course.started_on)


@dataclass
class Project:
    dictionary: list[dict[str, str]]
    events: list[dict[str, object]]
    mapping: list[dict[str, object]]
    repeating: list[dict[str, str]]
    record_columns: list[str]
    records: list[dict[str, object]]


def project(
    courses: list[CourseData],
    key: str,
    instruments: dict,  # code -> Instrument: the catalogue's, whose codes are not free text
    forms: dict[str, Form],
    practice_follow_up: str,
) -> Project:
    scored = sorted({s.instrument for c in courses for s in c.scores} & set(instruments))
    answered = [
        f for f in forms.values() if any(a.form == f.code for c in courses for a in c.answer_sets)
    ]
    outcome_fields = [
        Field(
            "outcome_day",
            "outcomes",
            "text",
            "Day scored",
            validation="integer",
            note="days from the first injection",
        ),
        *(
            Field(
                f"o_{name(code)}",
                "outcomes",
                "text",
                instruments[code].name,
                validation="number",
                low=instruments[code].minimum,
                high=instruments[code].maximum,
            )
            for code in scored
        ),
    ]
    form_fields = {
        f.code: [
            Field(
                f"{name(f.code)}_day",
                name(f.code),
                "text",
                "Day answered",
                validation="integer",
                note="days from the first injection",
            ),
            *(
                Field(
                    f"{name(f.code)}_{name(it.id)}",
                    name(f.code),
                    "radio",
                    f"{f.code} item {it.id}",
                    tuple((v, str(v)) for v in range(it.low, it.high + 1)),
                )
                for it in f.items
            ),
        ]
        for f in answered
    }
    fields = [
        *COURSE_FIELDS,
        *SESSION_FIELDS,
        *outcome_fields,
        *(x for f in answered for x in form_fields[f.code]),
    ]
    points = sorted(
        {p for c in courses for p in follow_up.parse(c.course.follow_up or practice_follow_up)},
        key=follow_up.length,
    )
    events = [("Baseline", 0, 0, 0), ("Treatment", 0, 0, 0)] + [
        (
            f"Follow-up {p}",
            (days := follow_up.length(p)),
            round(days * (1 - follow_up.OPENS)),
            round(days * (follow_up.CLOSES - 1)),
        )
        for p in points
    ]
    every = ["outcomes", *(name(f.code) for f in answered)]
    mapping = [
        (event("Baseline"), "course"),
        *((event("Baseline"), f) for f in every),
        (event("Treatment"), "session"),
        *((event("Treatment"), f) for f in every),
    ]
    mapping += [(event(f"Follow-up {p}"), f) for p in points for f in every]
    forms_order = list(dict.fromkeys(f.form for f in fields))
    columns = list(RECORD_START)
    for form in forms_order:
        columns += [
            c for f in fields if f.form == form and f.name != "record_id" for c in f.columns
        ]
        columns.append(f"{form}_complete")
    records = []
    for c in courses:
        records += _records(c, key, scored, answered, form_fields, points, practice_follow_up)
    return Project(
        dictionary=[f.row() for f in fields],
        events=[
            dict(zip(EVENT_COLUMNS, (label, ARM, day, low, high, event(label)), strict=True))
            for label, day, low, high in events
        ],
        mapping=[dict(zip(MAPPING_COLUMNS, (ARM, e, f), strict=True)) for e, f in mapping],
        repeating=[
            {"event_name": event("Treatment"), "form_name": f, "custom_form_label": ""}
            for f in ["session", *every]
        ],
        record_columns=columns,
        records=records,
    )


def _records(c: CourseData, key, scored, answered, form_fields, points, practice) -> list[dict]:
    course, first = c.course, c.first_injection
    record = deidentify.course_pseudonym(key, course.id)

    def day(d: date) -> int:
        return (d - first).days

    def row(at: str, instrument: str = "", instance: int | str = "", **values) -> dict:
        return {
            "record_id": record,
            "redcap_event_name": event(at),
            "redcap_repeat_instrument": instrument,
            "redcap_repeat_instance": instance,
            **values,
        }

    age = deidentify.age(course.patient.born, first) if course.patient else None
    baseline = row(
        "Baseline",
        patient=deidentify.patient_pseudonym(key, course.patient_id),
        sex=code(SEXES, course.patient.sex if course.patient else None),
        age=OLDEST if age == "90+" else ("" if age is None else age),
        start_year=first.year,
        icd10=course.icd10 or "",
        region=code(REGIONS, deidentify.region(course.region) if course.region else None),
        side=code(SIDES, course.side),
        measure=course.measure if course.measure in scored or not c.scores else "",
        planned_sessions=course.planned_sessions or "",
        sessions_done=len(c.sessions),
        status=code(STATUSES, course.status),
        closed_day=day(course.closed_on) if course.closed_on else "",
        course_complete=COMPLETE,
        **{f"rehabilitation___{n}": int(kind in c.rehabilitation) for n, kind in REHAB},
    )
    rows = [baseline]
    for s in c.sessions:
        agents = totals_of([s])
        rows.append(
            row(
                TREATMENT.title(),
                "session",
                s.number,
                session_number=s.number,
                session_day=day(s.given_on),
                guidance=code(GUIDANCE, s.guidance),
                sites=len(s.injections),
                volume_ml=s.total_ml,
                dextrose_g=number(round(agents.get("dextrose", 0) / 1000, 3)) or 0,
                lidocaine_mg=number(agents.get("lidocaine")) or "",
                session_complete=COMPLETE,
            )
        )
    last = max((s.given_on for s in c.sessions), default=None)
    windows = []
    if last is not None and follow_up.shown(course):
        windows = [
            (p, follow_up.window(last, p)) for p in follow_up.parse(course.follow_up or practice)
        ]

    def event_of(d: date) -> str:
        for p, (_, opens, closes) in windows:
            if opens <= d <= closes:
                return f"Follow-up {p}"
        return "Baseline" if d <= first else TREATMENT.title()

    # Each day's scores (of catalogue instruments) and each answer set, placed by its day.
    days: dict[date, dict[str, float]] = {}
    for s in c.scores:
        if s.instrument in scored:
            days.setdefault(s.taken_on, {})[s.instrument] = s.value
    placed = _placed(sorted(days), event_of)
    instance = 0
    for d in sorted(days):
        values = {f"o_{name(k)}": number(v) for k, v in days[d].items()}
        values |= {"outcome_day": day(d), "outcomes_complete": COMPLETE}
        if placed[d] == TREATMENT.title():
            instance += 1
            rows.append(row(placed[d], "outcomes", instance, **values))
        else:
            _merge(rows, row(placed[d], **values))
    for f in answered:
        sets = sorted((a for a in c.answer_sets if a.form == f.code), key=lambda a: a.taken_on)
        placed = _placed([a.taken_on for a in sets], event_of)
        instance = 0
        form = name(f.code)
        for a in sets:
            values = {
                f"{form}_{name(item)}": ("" if v is None else v) for item, v in a.answers.items()
            }
            values |= {f"{form}_day": day(a.taken_on), f"{form}_complete": COMPLETE}
            if placed.get(a.taken_on) == TREATMENT.title() or placed.get(a.taken_on) is None:
                instance += 1
                rows.append(row(TREATMENT.title(), form, instance, **values))
            else:
                _merge(rows, row(placed[a.taken_on], **values))
                placed.pop(a.taken_on)
    return rows


def _placed(days: list[date], event_of) -> dict[date, str]:
    """Each day's event: the last day of baseline and of each follow-up keeps its event; the
    other days of one go to treatment (nothing is dropped)."""
    placed = {d: event_of(d) for d in days}
    latest: dict[str, date] = {}
    for d in days:
        latest[placed[d]] = d
    return {
        d: e if latest[e] == d or e == TREATMENT.title() else TREATMENT.title()
        for d, e in placed.items()
    }


def _merge(rows: list[dict], new: dict) -> None:
    """The values into the row of the same event (not repeating), or a new row."""
    for r in rows:
        if (r["redcap_event_name"], r["redcap_repeat_instrument"]) == (
            new["redcap_event_name"],
            "",
        ):
            r.update({k: v for k, v in new.items() if k not in RECORD_START})
            return
    rows.append(new)
