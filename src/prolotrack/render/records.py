"""The views of the clinic's records: which columns each listing has, and in what words."""

from __future__ import annotations

from prolotrack.domain.instruments import Instrument
from prolotrack.domain.models import AdverseEvent, Course, Patient, Score, Session
from prolotrack.render.view import Column, Listing, Record

ID = Column("id", "ID", numeric=True)
ML = Column("volume_ml", "mL", numeric=True, decimals=1)

_PATIENT = [
    ID,
    Column("chart", "Chart"),
    Column("name", "Name"),
    Column("born", "Born"),
    Column("sex", "Sex"),
    Column("phone", "Phone"),
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
        Column("last_session", "Last session"),
        Column("archived", "Archived"),
    ]
    rows = [{**_patient_values(p), **extra} for p, extra in found]
    return Listing(columns, rows, title="Patients", empty="No patients.")


def patient(p: Patient, courses_of: list[Course]) -> Record:
    fields = [*_PATIENT, Column("note", "Note"), Column("archived", "Archived")]
    values = _patient_values(p)
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
    }


def courses(found: list[Course], *, with_patient: bool = True) -> Listing:
    columns = [
        ID,
        *([Column("chart", "Chart"), Column("patient", "Patient")] if with_patient else []),
        Column("condition", "Condition"),
        Column("side", "Side"),
        Column("status", "Status"),
        Column("started_on", "Started"),
        Column("interval", "Every"),
        Column("sessions_done", "Done", numeric=True),
        Column("planned_sessions", "Planned", numeric=True),
        Column("measure", "Measure"),
        Column("last_session", "Last session"),
    ]
    return Listing(
        columns, [_course_values(c) for c in found], title="Courses", empty="No courses."
    )


def course(c: Course, its_sessions: list[Session]) -> Record:
    fields = [
        ID,
        Column("patient_id", "Patient ID", numeric=True),
        Column("chart", "Chart"),
        Column("patient", "Patient"),
        Column("condition", "Condition"),
        Column("region", "Region"),
        Column("side", "Side"),
        Column("icd10", "ICD-10"),
        Column("status", "Status"),
        Column("started_on", "Started"),
        Column("interval", "Every"),
        Column("planned_sessions", "Planned sessions", numeric=True),
        Column("sessions_done", "Sessions done", numeric=True),
        Column("measure", "Measure"),
        Column("protocol", "Protocol"),
        Column("closed_on", "Closed"),
        Column("close_reason", "Reason"),
    ]
    values = _course_values(c)
    return Record(
        [(col, values[col.key]) for col in fields],
        {"sessions": sessions(its_sessions, with_patient=False)},
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
        "solutions": s.solutions,
        "practitioner": s.practitioner,
        "guidance": s.guidance,
        "anesthetic": s.anesthetic,
        "note": s.note,
        "voided": s.voided_at is not None,
        "void_reason": s.void_reason,
    }


def sessions(
    found: list[Session],
    owners: dict[int, Course] | None = None,
    *,
    with_patient: bool = True,
    with_voided: bool = False,
) -> Listing:
    columns = [
        ID,
        *([Column("chart", "Chart"), Column("patient", "Patient")] if with_patient else []),
        Column("course_id", "Course", numeric=True),
        Column("number", "No.", numeric=True),
        Column("date", "Date"),
        Column("sites", "Sites", numeric=True),
        ML,
        Column("solutions", "Solutions"),
        Column("practitioner", "By"),
        *([Column("voided", "Voided"), Column("void_reason", "Why voided")] if with_voided else []),
    ]
    owners = owners or {}
    rows = [_session_values(s, owners.get(s.course_id)) for s in found]
    return Listing(columns, rows, title="Sessions", empty="No sessions.")


def session(s: Session, owner: Course) -> Record:
    values = _session_values(s, owner)
    fields = [
        ID,
        Column("course_id", "Course", numeric=True),
        Column("chart", "Chart"),
        Column("patient", "Patient"),
        Column("number", "Session", numeric=True),
        Column("date", "Date"),
        Column("practitioner", "By"),
        Column("guidance", "Guidance"),
        Column("anesthetic", "Anesthetic"),
        Column("sites", "Sites", numeric=True),
        Column("volume_ml", "Total mL", numeric=True, decimals=1),
        Column("note", "Note"),
        Column("voided", "Voided"),
        Column("void_reason", "Why voided"),
    ]
    return Record(
        [(c, values[c.key]) for c in fields],
        {
            "injections": injections(s),
            "scores": scores(s.scores),
            "adverse_events": adverse_events(s.adverse_events),
        },
        title=f"Session {s.number} of course {s.course_id}: {s.given_on.isoformat()}",
    )


def injections(s: Session) -> Listing:
    columns = [
        Column("position", "#", numeric=True),
        Column("site", "Site"),
        Column("side", "Side"),
        Column("solution", "Solution"),
        ML,
        Column("points", "Points", numeric=True),
        Column("guidance", "Guidance"),
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
        Column("session_id", "Session", numeric=True),
        *([Column("voided", "Voided"), Column("void_reason", "Why voided")] if with_voided else []),
    ]
    rows = [
        {
            "id": s.id,
            "date": s.taken_on,
            "instrument": s.instrument,
            "value": s.value,
            "session_id": s.session_id,
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
        Column("note", "Note"),
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


_INSTRUMENT = [
    Column("code", "Code"),
    Column("name", "Instrument"),
    Column("range", "Range"),
    Column("better", "Better"),
    Column("mcid", "MCID"),
]


def _instrument_values(i: Instrument) -> dict:
    return {
        "code": i.code,
        "name": i.name,
        "range": i.range_text,
        "minimum": i.minimum,
        "maximum": i.maximum,
        "better": i.better,
        "mcid": i.mcid_text,
        "mcid_value": i.mcid,
        "mcid_unit": i.mcid_unit,
        "source": i.source,
        "builtin": i.builtin,
    }


def instruments(found: list[Instrument]) -> Listing:
    rows = [_instrument_values(i) for i in found]
    return Listing(_INSTRUMENT, rows, title="Instruments", empty="No instruments.")


def instrument(i: Instrument) -> Record:
    fields = [
        Column("code", "Code"),
        Column("name", "Instrument"),
        Column("minimum", "Minimum", numeric=True),
        Column("maximum", "Maximum", numeric=True),
        Column("better", "Better"),
        Column("mcid", "MCID"),
        Column("mcid_value", "MCID value", numeric=True),
        Column("mcid_unit", "MCID unit"),
        Column("source", "Source of the MCID"),
        Column("builtin", "Built in"),
    ]
    values = _instrument_values(i)
    return Record([(c, values[c.key]) for c in fields], title=i.name)


def settings(values: list[dict]) -> Listing:
    columns = [
        Column("key", "Setting"),
        Column("value", "Value"),
        Column("source", "Source"),
        Column("meaning", "Meaning"),
    ]
    return Listing(columns, values, title="Settings", empty="No settings.")


def database_status(found) -> Record:
    fields = [
        (Column("file", "File"), str(found.path)),
        (Column("size_bytes", "Size (bytes)", numeric=True), found.size),
        (Column("schema_version", "Schema version", numeric=True), found.schema_version),
        (Column("journal_mode", "Journal mode"), found.journal_mode),
        *((Column(table, table.replace("_", " ").capitalize(), numeric=True), count)
          for table, count in found.counts.items()),
        (Column("last_backup", "Last backup"), str(found.last_backup) if found.last_backup
         else None),
    ]  # fmt: skip
    return Record(fields, title="Database")


def _changes(entry: dict) -> str:
    """What an update changed, field by field; for an insert or delete, the record's key."""
    before, after = entry["before"] or {}, entry["after"] or {}
    if before and after:
        changed = [k for k in after if before.get(k) != after.get(k) and k != "updated_at"]
        return "; ".join(f"{k}: {before.get(k)!r} -> {after.get(k)!r}" for k in changed)
    return ""


def audit_log(found: list[dict]) -> Listing:
    columns = [
        ID,
        Column("at", "When (UTC)"),
        Column("actor", "Who"),
        Column("practitioner", "Practitioner"),
        Column("entity", "Entity"),
        Column("entity_id", "Record"),
        Column("action", "Action"),
        Column("reason", "Reason"),
        Column("changes", "Changes"),
        Column("before", "Before", in_table=False),
        Column("after", "After", in_table=False),
        Column("hash", "Hash", in_table=False),
    ]
    rows = [{**entry, "changes": _changes(entry)} for entry in found]
    return Listing(columns, rows, title="Audit log, newest first", empty="No changes recorded.")


def _protocol_values(p) -> dict:
    return {
        "name": p.name,
        "condition": p.condition,
        "sites": len(p.sites),
        "total_ml": p.total_ml,
        "interval": str(p.interval) if p.interval else None,
        "planned_sessions": p.planned_sessions,
        "measure": p.measure,
        "origin": "built-in" if p.builtin else "practice",
        "source": p.source,
        "note": p.note,
    }


def protocols(found: list) -> Listing:
    columns = [
        Column("name", "Protocol"),
        Column("origin", "From"),
        Column("condition", "Condition"),
        Column("sites", "Sites", numeric=True),
        Column("total_ml", "mL", numeric=True, decimals=1),
        Column("interval", "Every"),
        Column("planned_sessions", "Sessions", numeric=True),
        Column("measure", "Measure"),
    ]
    return Listing(columns, [_protocol_values(p) for p in found], title="Protocols")


def protocol(p) -> Record:
    from prolotrack.domain.protocols import STARTING_POINT

    values = {**_protocol_values(p), "caution": STARTING_POINT}
    fields = [
        Column("name", "Protocol"),
        Column("origin", "From"),
        Column("condition", "Condition"),
        Column("interval", "Every"),
        Column("planned_sessions", "Sessions", numeric=True),
        Column("measure", "Measure"),
        Column("total_ml", "Total mL", numeric=True, decimals=1),
        Column("source", "Source"),
        Column("note", "Note"),
        Column("caution", "Note well"),
    ]
    rows = [
        {"position": n, "site": s.site, "side": s.side, "solution": s.solution,
         "volume_ml": s.volume_ml, "points": s.points}
        for n, s in enumerate(p.sites, start=1)
    ]  # fmt: skip
    sites = Listing(
        [Column("position", "#", numeric=True), Column("site", "Site"), Column("side", "Side"),
         Column("solution", "Solution"), ML, Column("points", "Points", numeric=True)],
        rows, title="Sites",
    )  # fmt: skip
    return Record([(c, values[c.key]) for c in fields], {"sites": sites}, title=p.name)
