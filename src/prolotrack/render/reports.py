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
        Column("chart", "Chart"), Column("patient", "Patient"),
        Column("course_id", "Course", numeric=True), Column("condition", "Condition"),
        Column("sessions_done", "Done", numeric=True),
        Column("planned_sessions", "Planned", numeric=True),
        Column("last_session", "Last session"), Column("due", "Due"),
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


def outcomes(found: list[OutcomeRow]) -> Listing:
    columns = [
        Column("condition", "Condition"), Column("measure", "Measure"),
        Column("courses", "Courses", numeric=True), Column("completed", "Completed", numeric=True),
        Column("evaluable", "Evaluable", numeric=True),
        Column("median_sessions", "Median sessions", numeric=True),
        Column("median_baseline", "Median baseline", numeric=True),
        Column("median_latest", "Median latest", numeric=True),
        Column("median_improvement_pct", "Median improvement %", numeric=True),
        Column("mcid_reached_pct", "MCID reached %", numeric=True),
        *(Column(f"{tier}_pct", f"{tier.capitalize()} %", numeric=True)
          for tier in RESPONDER_TIERS),
    ]  # fmt: skip
    rows = []
    for r in found:
        row = {c.key: getattr(r, c.key, None) for c in columns}
        row.update({f"{tier}_pct": share for tier, share in r.responders_pct.items()})
        rows.append(row)
    return Listing(columns, rows, title="Outcomes by condition", empty="No courses.")
