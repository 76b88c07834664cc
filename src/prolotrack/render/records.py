"""The views of the clinic's records: which columns each listing has, and in what words."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prolotrack.domain.models import AdverseEvent, Course, Flag, Patient, Score, Session
from prolotrack.domain.signatures import Signature
from prolotrack.domain.solutions import Totals
from prolotrack.render.view import Column, Listing, Record, Rows

ID = Column("id", "ID", numeric=True)
ML = Column("volume_ml", "mL", numeric=True, decimals=1)

_PATIENT = [
    ID,
    Column("chart", "Chart"),
    Column("name", "Name", free=True),
    Column("born", "Born", drop=1),
    Column("sex", "Sex", drop=2),
    Column("phone", "Phone", drop=3),
]


def _patient_values(p: Patient) -> dict:
    return {
        "id": p.id,
        "chart": p.chart,
        "name": p.name,
        "born": p.born,
        "sex": p.sex,
        "phone": p.phone,
        "note": p.note,
        "archived": p.archived_at is not None,
    }


def patients(found: list[tuple[Patient, dict]]) -> Listing:
    columns = [
        *_PATIENT,
        Column("active_courses", "Active courses", numeric=True),
        Column("last_session", "Last session", drop=5),
        Column("archived", "Archived", drop=4),
    ]
    rows = [{**_patient_values(p), **extra} for p, extra in found]
    return Listing(columns, rows, title="Patients", empty="No patients.")


def patient(p: Patient, courses_of: list[Course], flags: list[Flag] = ()) -> Record:
    """A patient: safety flags first (what a practitioner must see before a needle), then the
    details, then the courses."""
    fields = [
        Column("flags", "FLAGS", free=True),
        *_PATIENT,
        Column("weight_kg", "Weight (kg)", numeric=True),
        Column("note", "Note", free=True),
        Column("archived", "Archived", drop=4),
    ]
    values = {
        **_patient_values(p),
        "weight_kg": p.weight_kg,
        "flags": [f"{f.kind} ({f.note})" if f.note else f.kind for f in flags],
    }
    return Record(
        [(c, values[c.key]) for c in fields],
        {"courses": courses(courses_of, with_patient=False)},
        title=p.label,
    )


def _course_values(c: Course) -> dict:
    return {
        "id": c.id,
        "patient_id": c.patient_id,
        "chart": c.patient.chart if c.patient else None,
        "patient": c.patient.name if c.patient else None,
        "condition": c.condition,
        "region": c.region,
        "side": c.side,
        "icd10": c.icd10,
        "status": c.status,
        "started_on": c.started_on,
        "interval": str(c.interval),
        "planned_sessions": c.planned_sessions,
        "sessions_done": c.sessions_done,
        "last_session": c.last_session_on,
        "measure": c.measure,
        "closed_on": c.closed_on,
        "close_reason": c.close_reason,
        "protocol": c.protocol,
        "follow_up": c.follow_up,
        "voided_at": c.voided_at,
        "void_reason": c.void_reason,
    }


def courses(found: list[Course], *, with_patient: bool = True) -> Listing:
    columns = [
        ID,
        *(
            [Column("chart", "Chart"), Column("patient", "Patient", free=True)]
            if with_patient
            else []
        ),
        Column("condition", "Condition", free=True),
        Column("side", "Side", drop=2),
        Column("status", "Status"),
        Column("started_on", "Started"),
        Column("interval", "Every", drop=4),
        Column("sessions_done", "Done", numeric=True),
        Column("planned_sessions", "Planned", numeric=True, drop=1),
        Column("measure", "Measure", drop=3),
        Column("last_session", "Last session", drop=5),
    ]
    return Listing(
        columns, [_course_values(c) for c in found], title="Courses", empty="No courses."
    )


def course(c: Course, its_sessions: list[Session]) -> Record:
    fields = [
        ID,
        Column("patient_id", "Patient ID", numeric=True),
        Column("chart", "Chart"),
        Column("patient", "Patient", free=True),
        Column("condition", "Condition", free=True),
        Column("region", "Region", free=True),
        Column("side", "Side", drop=2),
        Column("icd10", "ICD-10"),
        Column("status", "Status"),
        Column("started_on", "Started"),
        Column("interval", "Every", drop=4),
        Column("planned_sessions", "Planned sessions", numeric=True, drop=1),
        Column("sessions_done", "Sessions done", numeric=True),
        Column("measure", "Measure", drop=3),
        Column("protocol", "Protocol"),
        Column("follow_up", "Follow-up"),
        Column("closed_on", "Closed"),
        Column("close_reason", "Reason", free=True),
        *(
            [Column("voided_at", "Voided"), Column("void_reason", "Void reason", free=True)]
            if c.voided_at
            else []
        ),
    ]
    values = _course_values(c)
    return Record(
        [(col, values[col.key]) for col in fields],
        {"sessions": sessions(lambda: ((s, c) for s in its_sessions), with_patient=False)},
        title=f"Course {c.id}: {c.condition}",
    )


def _session_values(s: Session, owner: Course | None) -> dict:
    return {
        "id": s.id,
        "course_id": s.course_id,
        "chart": owner.patient.chart if owner and owner.patient else None,
        "patient": owner.patient.name if owner and owner.patient else None,
        "number": s.number,
        "date": s.given_on,
        "sites": len(s.injections),
        "volume_ml": s.total_ml,
        "totals": Totals(s.agents_mg),
        "warnings": s.warnings,
        "solutions": s.solutions,
        "practitioner": s.practitioner,
        "guidance": s.guidance,
        "anesthetic": s.anesthetic,
        "note": s.note,
        "voided": s.voided_at is not None,
        "void_reason": s.void_reason,
    }


def sessions(
    read: Callable[[], Iterable[tuple[Session, Course | None]]],
    *,
    with_patient: bool = True,
    with_voided: bool = False,
) -> Listing:
    columns = [
        ID,
        *(
            [Column("chart", "Chart"), Column("patient", "Patient", free=True)]
            if with_patient
            else []
        ),
        Column("course_id", "Course", numeric=True, drop=1),
        Column("number", "No.", numeric=True),
        Column("date", "Date"),
        Column("sites", "Sites", numeric=True),
        ML,
        Column("solutions", "Solutions", free=True, drop=2),
        Column("practitioner", "By", free=True, drop=6),
        *(
            [Column("voided", "Voided"), Column("void_reason", "Why voided", free=True)]
            if with_voided
            else []
        ),
    ]
    rows = Rows(lambda: (_session_values(s, owner) for s, owner in read()))
    return Listing(columns, rows, title="Sessions", empty="No sessions.")


def session(s: Session, owner: Course, signed: list[Signature] = ()) -> Record:
    values = _session_values(s, owner)
    fields = [
        ID,
        Column("course_id", "Course", numeric=True, drop=1),
        Column("chart", "Chart"),
        Column("patient", "Patient", free=True),
        Column("number", "Session", numeric=True),
        Column("date", "Date"),
        Column("practitioner", "By", free=True, drop=6),
        Column("guidance", "Guidance", drop=3),
        Column("anesthetic", "Anesthetic", free=True),
        Column("sites", "Sites", numeric=True),
        Column("volume_ml", "Total mL", numeric=True, decimals=1),
        Column("totals", "Given", free=True),
        Column("warnings", "Warnings", free=True),
        Column("note", "Note", free=True),
        Column("voided", "Voided"),
        Column("void_reason", "Why voided", free=True),
    ]
    return Record(
        [(c, values[c.key]) for c in fields],
        {
            "injections": injections(s),
            "scores": scores(s.scores),
            "adverse_events": adverse_events(s.adverse_events),
            "signatures": signatures(signed),
        },
        title=f"Session {s.number} of course {s.course_id}: {s.given_on.isoformat()}",
    )


def signatures(found: list[Signature]) -> Listing:
    """Each signature, co-signature and addendum: who, when (UTC), and what it means."""
    columns = [
        Column("kind", "Kind"),
        Column("meaning", "Meaning"),
        Column("signer", "Signed by", free=True),
        Column("account", "Account", free=True, drop=2),
        Column("signed_at", "At (UTC)"),
        Column("note", "Addendum", free=True),
        Column("content_hash", "Hash", in_table=False),
    ]
    rows = [
        {
            "kind": g.kind,
            "meaning": g.meaning,
            "signer": g.signer,
            "account": g.account,
            "signed_at": g.signed_at,
            "note": g.note,
            "content_hash": g.content_hash,
        }
        for g in found
    ]
    return Listing(columns, rows, title="Signatures", empty="Not signed.")


def injections(s: Session) -> Listing:
    columns = [
        Column("position", "#", numeric=True),
        Column("site", "Site", free=True),
        Column("side", "Side", drop=2),
        Column("solution", "Solution", free=True),
        ML,
        Column("points", "Points", numeric=True, drop=2),
        Column("guidance", "Guidance", drop=3),
    ]
    rows = [
        {
            "position": i.position,
            "site": i.site,
            "side": i.side,
            "solution": i.solution,
            "volume_ml": i.volume_ml,
            "points": i.points,
            "guidance": i.guidance,
        }
        for i in s.injections
    ]
    return Listing(columns, rows, title="Injection sites", empty="No injection sites.")


def scores(found: list[Score], *, with_voided: bool = False) -> Listing:
    columns = [
        ID,
        Column("date", "Date"),
        Column("instrument", "Instrument"),
        Column("value", "Score", numeric=True),
        Column("session_id", "Session", numeric=True, drop=1),
        Column("answer_set_id", "From answers", numeric=True, drop=2),
        *(
            [Column("voided", "Voided"), Column("void_reason", "Why voided", free=True)]
            if with_voided
            else []
        ),
    ]
    rows = [
        {
            "id": s.id,
            "date": s.taken_on,
            "instrument": s.instrument,
            "value": s.value,
            "session_id": s.session_id,
            "answer_set_id": s.answer_set_id,
            "voided": s.voided_at is not None,
            "void_reason": s.void_reason,
        }
        for s in found
    ]
    return Listing(columns, rows, title="Scores", empty="No scores.")


def adverse_events(found: list[AdverseEvent]) -> Listing:
    columns = [
        ID,
        Column("kind", "Kind"),
        Column("severity", "Severity"),
        Column("onset", "Onset"),
        Column("resolved_on", "Resolved"),
        Column("note", "Note", free=True),
    ]
    rows = [
        {
            "id": e.id,
            "kind": e.kind,
            "severity": e.severity,
            "onset": e.onset_on,
            "resolved_on": e.resolved_on,
            "note": e.note,
        }
        for e in found
    ]
    return Listing(columns, rows, title="Adverse events", empty="No adverse events.")
