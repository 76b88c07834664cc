"""The due list and the outcomes report, as listings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain.outcomes import RESPONDER_TIERS
from prolotrack.render.view import Column, Listing

if TYPE_CHECKING:
    from prolotrack.domain.report import OutcomeRow
    from prolotrack.domain.schedule import Due


def due(found: list[Due]) -> Listing:
    columns = [
        Column("chart", "Chart"), Column("patient", "Patient", free=True),
        Column("course_id", "Course", numeric=True), Column("condition", "Condition", free=True),
        Column("sessions_done", "Done", numeric=True, drop=1),
        Column("planned_sessions", "Planned", numeric=True, drop=2),
        Column("last_session", "Last session", drop=3), Column("due", "Due"),
        Column("days_overdue", "Days overdue", numeric=True),
    ]  # fmt: skip
    rows = [
        {"chart": d.course.patient.chart if d.course.patient else None,
         "patient": d.course.patient.name if d.course.patient else None,
         "course_id": d.course.id, "condition": d.course.condition,
         "sessions_done": d.course.sessions_done, "planned_sessions": d.course.planned_sessions,
         "last_session": d.course.last_session_on, "due": d.due_on,
         "days_overdue": d.days_overdue}
        for d in found
    ]  # fmt: skip
    return Listing(columns, rows, title="Due", empty="No course is due.")


_TIER_HEADERS = {"substantial": "Subst.", "moderate": "Mod.", "minimal": "Min.", "none": "None",
                 "worse": "Worse"}  # fmt: skip
_TIER_STYLES = (("0", "dim"),)
OUTCOMES_LEGEND = (
    "Eval.: courses with a baseline and a later score; over them, medians of Sess. sessions,"
    " Base. baseline, Latest score and Impr. % improvement; MCID %: share that reached the"
    " MCID; responders, % of evaluable: Subst. substantial (50 % or more), Mod. moderate (30 %),"
    " Min. minimal (10 %), None (0 %), Worse (below 0)."
)


def outcomes(found: list[OutcomeRow]) -> Listing:
    columns = [
        Column("condition", "Condition", free=True), Column("measure", "Measure"),
        Column("courses", "Courses", numeric=True, drop=5),
        Column("completed", "Completed", numeric=True, drop=6),
        Column("evaluable", "Eval.", numeric=True),
        Column("median_sessions", "Sess.", numeric=True, drop=9),
        Column("median_baseline", "Base.", numeric=True, drop=8),
        Column("median_latest", "Latest", numeric=True, drop=7),
        Column("median_improvement_pct", "Impr. %", numeric=True),
        Column("mcid_reached_pct", "MCID %", numeric=True),
        *(Column(f"{tier}_pct", _TIER_HEADERS[tier], numeric=True, styles=_TIER_STYLES)
          for tier in RESPONDER_TIERS),
    ]  # fmt: skip
    rows = []
    for r in found:
        row = {c.key: getattr(r, c.key, None) for c in columns}
        row.update({f"{tier}_pct": share for tier, share in r.responders_pct.items()})
        rows.append(row)
    return Listing(columns, rows, title="Outcomes by condition", empty="No courses.",
                   legend=OUTCOMES_LEGEND)  # fmt: skip
