"""The due list and the outcomes report, as listings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain.outcomes import RESPONDER_TIERS
from prolotrack.render.view import Column, Listing

if TYPE_CHECKING:
    from prolotrack.domain.models import AdverseEvent, Course, Session
    from prolotrack.domain.outcomes_report import OutcomeRow
    from prolotrack.domain.schedule import Due


def due(found: list[Due]) -> Listing:
    """One row per session or follow-up due; JSON keys as SPEC's second edition says."""
    columns = [
        Column("kind", "Kind"),
        Column("timepoint", "Point", drop=4),
        Column("chart", "Chart"),
        Column("patient", "Patient", free=True),
        Column("course", "Course", numeric=True),
        Column("condition", "Condition", free=True),
        Column("sessions_done", "Done", numeric=True, drop=1),
        Column("planned_sessions", "Planned", numeric=True, drop=2),
        Column("last_session", "Last session", drop=3),
        Column("due", "Due"),
        Column("days_overdue", "Days overdue", numeric=True),
        Column("status", "Status", styles=(("overdue", "yellow"),), drop=5),
    ]
    rows = [
        {
            "kind": d.kind,
            "timepoint": d.timepoint,
            "chart": d.course.patient.chart if d.course.patient else None,
            "patient": d.course.patient.name if d.course.patient else None,
            "course": d.course.id,
            "condition": d.course.condition,
            "sessions_done": d.course.sessions_done,
            "planned_sessions": d.course.planned_sessions,
            "last_session": d.course.last_session_on,
            "due": d.due_on,
            "days_overdue": d.days_overdue,
            "status": d.status,
        }
        for d in found
    ]
    return Listing(columns, rows, title="Due", empty="Nothing is due.")


_TIER_HEADERS = {
    "substantial": "Subst.",
    "moderate": "Mod.",
    "minimal": "Min.",
    "none": "None",
    "worse": "Worse",
}
_TIER_STYLES = (("0", "dim"),)
OUTCOMES_LEGEND = (
    "Sess.: median sessions of all the courses; Eval.: courses with a baseline and a later"
    " score; over them, medians of Base. baseline, Latest score and Impr. % improvement; MCID %:"
    " share that reached the MCID; responders, % of evaluable: Subst. substantial (50 % or"
    " more), Mod. moderate (30 %), Min. minimal (10 %), None (0 %), Worse (below 0)."
)


_GROUP_HEADERS = {
    "condition": "Condition",
    "icd10": "ICD-10",
    "region": "Region",
    "protocol": "Protocol",
}
AT_LEGEND = (
    " At {at}: each course judged on its score inside the {at} follow-up window; Missing:"
    " courses whose window closed with no score there; Not due: courses whose window is still"
    " to come or still open (neither is in the medians or the shares)."
)


def outcomes(found: list[OutcomeRow], by: str = "condition", at: str | None = None) -> Listing:
    """The outcomes report; ``by`` names the grouping (its key in JSON and CSV)."""
    columns = [
        Column(by, _GROUP_HEADERS[by], free=True),
        Column("measure", "Measure"),
        Column("courses", "Courses", numeric=True, drop=5),
        Column("completed", "Completed", numeric=True, drop=6),
        Column("evaluable", "Eval.", numeric=True),
        *(
            [
                Column("missing", "Missing", numeric=True),
                Column("not_yet_due", "Not due", numeric=True),
            ]
            if at
            else []
        ),
        Column("median_sessions", "Sess.", numeric=True, drop=9),
        Column("median_baseline", "Base.", numeric=True, drop=8),
        Column("median_latest", "Latest", numeric=True, drop=7),
        Column("median_improvement_pct", "Impr. %", numeric=True),
        Column("mcid_reached_pct", "MCID %", numeric=True),
        *(
            Column(
                f"{tier}_pct",
                _TIER_HEADERS[tier],
                numeric=True,
                styles=_TIER_STYLES,
                drop=4 if tier == "none" else 0,
            )  # the tier a reader can best do without
            for tier in RESPONDER_TIERS
        ),
    ]
    rows = []
    for r in found:
        row = {c.key: getattr(r, c.key, None) for c in columns}
        row.update({by: r.group, **{f"{t}_pct": share for t, share in r.responders_pct.items()}})
        rows.append(row)
    title = f"Outcomes by {_GROUP_HEADERS[by].lower() if by != 'icd10' else 'ICD-10 code'}"
    legend = OUTCOMES_LEGEND + (AT_LEGEND.format(at=at) if at else "")
    return Listing(
        columns, rows, title=title + (f" at {at}" if at else ""), empty="No courses.", legend=legend
    )


def adverse(
    found: list[AdverseEvent], given: dict[int, Session], owners: dict[int, Course]
) -> Listing:
    """Adverse events with their patient, course and session."""
    columns = [
        Column("id", "ID", numeric=True),
        Column("onset", "Onset"),
        Column("chart", "Chart"),
        Column("patient", "Patient", free=True),
        Column("course", "Course", numeric=True, drop=3),
        Column("session", "Session", numeric=True, drop=4),
        Column("kind", "Kind"),
        Column("severity", "Severity"),
        Column("serious", "Serious"),
        Column("resolved_on", "Resolved"),  # safety: never dropped
        Column("recorded_on", "Recorded", drop=6),
        Column("note", "Note", free=True, drop=5),
    ]
    rows = []
    for e in found:
        session = given[e.session_id]
        course = owners[session.course_id]
        rows.append(
            {
                "id": e.id,
                "onset": e.onset_on,
                "chart": course.patient.chart if course.patient else None,
                "patient": course.patient.name if course.patient else None,
                "course": course.id,
                "session": session.id,
                "session_number": session.number,
                "kind": e.kind,
                "severity": e.severity,
                "serious": e.serious,
                "resolved_on": e.resolved_on,
                "recorded_on": e.recorded_on,
                "note": e.note,
            }
        )
    return Listing(columns, rows, title="Adverse events", empty="No adverse events.")
