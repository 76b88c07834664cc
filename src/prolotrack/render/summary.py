"""The daily summary as plain text for mail, JSON, CSV rows or Rich tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain.solutions import describe, keyed
from prolotrack.render import jsondoc
from prolotrack.render.view import Column, Listing, plain, plural, text

if TYPE_CHECKING:
    from prolotrack.domain.models import Course
    from prolotrack.domain.schedule import Due
    from prolotrack.domain.summary import Given, Summary


def _period(s: Summary) -> str:
    if s.first_day == s.last_day:
        return s.first_day.isoformat()
    return f"{s.first_day.isoformat()} to {s.last_day.isoformat()}"


def _who(course: Course) -> str:
    p = course.patient
    return f"{p.chart or '#' + str(p.id)} {p.name}" if p else f"patient {course.patient_id}"


def sites(count: int) -> str:
    return plural(count, "site")


def _given_line(g: Given) -> str:
    s = g.session
    pain = f", pain {text(g.pain)}" if g.pain is not None else ""
    return (
        f"{s.given_on} {_who(g.course)}, course {g.course.id} ({g.course.condition}),"
        f" session {s.number}: {sites(len(s.injections))},"
        f" {s.total_ml:.1f} mL{pain}"
    )


def _due_line(d: Due) -> str:
    c = d.course
    last = f"last session {c.last_session_on}" if c.last_session_on else "no session yet"
    late = f", {plural(d.days_overdue, 'day')} overdue" if d.overdue else ""
    what = f"{d.timepoint} follow-up due" if d.timepoint else "due"
    return f"{_who(c)}, course {c.id} ({c.condition}): {what} {d.due_on}{late}; {last}"


def _totals(s: Summary) -> str:
    return (
        f"{plural(len(s.given), 'session')}, {plural(s.patients, 'patient')},"
        f" {plural(s.injections, 'injection')}, {s.total_ml:.1f} mL"
    )


WARNINGS = "Warnings kept on the sessions"  # a section only when there are some
WAITING = "Form responses waiting for review (form inbox)"  # likewise


def _sections(s: Summary) -> list[tuple[str, list[str]]]:
    """Adverse events, courses started and closed: a title and a line each."""
    return [
        (
            WARNINGS,
            [
                f"{g.session.given_on} {_who(g.course)}, session {g.session.number} of course"
                f" {g.course.id}: {warning}"
                for g in s.given
                for warning in g.session.warnings
            ],
        ),
        (
            "Adverse events",
            [
                f"{e.recorded_on or e.onset_on} {_who(g.course)}, session {g.session.number} of"
                f" course {g.course.id}: {e.kind} ({e.severity}{', serious' if e.serious else ''}),"
                f" onset {e.onset_on}" + (f", resolved {e.resolved_on}" if e.resolved_on else "")
                for e, g in s.adverse
            ],
        ),
        *(
            [
                (
                    f"Unsigned after {plural(s.sign_within, 'day')}",
                    [
                        f"{g.session.given_on} {_who(g.course)}, session {g.session.number} of"
                        f" course {g.course.id}"
                        + (f" ({g.session.practitioner})" if g.session.practitioner else "")
                        for g in s.unsigned
                    ],
                )
            ]
            if s.unsigned is not None
            else []
        ),
        (
            WAITING,
            [
                f"{r.received_at[:10]} {_who(c)}, course {c.id}: {r.form} by {r.source}"
                f" (response {r.id})"
                for r, c in s.waiting
            ],
        ),
        (
            "Courses started",
            [f"{c.started_on} {_who(c)}, course {c.id} ({c.condition})" for c in s.started],
        ),
        (
            "Courses closed",
            [
                f"{c.closed_on} {_who(c)}, course {c.id} ({c.condition}): {c.status}"
                for c in s.closed
            ],
        ),
    ]


def plain_text(s: Summary) -> str:
    """Stable lines, no colour or box drawing: the same data give the same text."""
    lines = [f"prolotrack summary for {_period(s)}"]
    if s.is_empty:
        return "\n".join([*lines, "Nothing recorded, nothing due."]) + "\n"
    lines.append(f"Sessions: {len(s.given)}")
    lines += [f"  {_given_line(g)}" for g in s.given]
    lines.append(f"Totals: {_totals(s)}")
    lines += [f"  {solution}: {ml:.1f} mL" for solution, ml in s.ml_by_solution.items()]
    if given := describe(s.agents_mg):
        lines.append(f"Given: {', '.join(given)}")
    for title, entries in _sections(s):
        if not entries and title in (WARNINGS, WAITING):
            continue
        lines.append(f"{title}: {len(entries)}")
        lines += [f"  {entry}" for entry in entries]
    soon = [d for d in s.due if not d.overdue and not d.timepoint]
    calls = [d for d in s.due if not d.overdue and d.timepoint]
    late = [d for d in s.due if d.overdue]
    lines.append(f"Due in the next 7 days: {len(soon)}")
    lines += [f"  {_due_line(d)}" for d in soon]
    if calls:
        lines.append(f"Follow-ups due (window open): {len(calls)}")
        lines += [f"  {_due_line(d)}" for d in calls]
    lines.append(f"Overdue: {len(late)}")
    lines += [f"  {_due_line(d)}" for d in late]
    return "\n".join(lines) + "\n"


def _course_json(c: Course) -> dict:
    return {
        "id": c.id,
        "chart": c.patient.chart if c.patient else None,
        "patient": c.patient.name if c.patient else None,
        "condition": c.condition,
        "status": c.status,
        "started_on": c.started_on.isoformat(),
        "closed_on": plain(c.closed_on),
    }


def _due_json(d: Due) -> dict:
    return {
        **_course_json(d.course),
        "kind": d.kind,
        "timepoint": d.timepoint,
        "course": d.course.id,
        "last_session": plain(d.course.last_session_on),
        "due": d.due_on.isoformat(),
        "days_overdue": d.days_overdue,
        "status": d.status,
    }


def document(s: Summary) -> dict:
    """The JSON document: keys date, sessions, totals, adverse_events, courses_started,
    courses_closed, due, overdue, responses_waiting (and from, the first day of the period)."""
    return {
        "date": s.last_day.isoformat(),
        "from": s.first_day.isoformat(),
        "sessions": [
            {**row, "warnings": g.session.warnings}  # what each was logged with
            for row, g in zip(jsondoc.rows(listing(s)), s.given, strict=True)
        ],
        "totals": {
            "sessions": len(s.given),
            "patients": s.patients,
            "injections": s.injections,
            "volume_ml": plain(s.total_ml),
            "ml_by_solution": {k: plain(v) for k, v in s.ml_by_solution.items()},
            "agents": plain(keyed(s.agents_mg)),
        },
        "adverse_events": [
            {
                "id": e.id,
                "session_id": g.session.id,
                "course_id": g.course.id,
                "chart": g.course.patient.chart if g.course.patient else None,
                "kind": e.kind,
                "severity": e.severity,
                "serious": e.serious,
                "onset": e.onset_on.isoformat(),
                "resolved_on": plain(e.resolved_on),
                "recorded_on": plain(e.recorded_on),
            }
            for e, g in s.adverse
        ],
        "courses_started": [_course_json(c) for c in s.started],
        "courses_closed": [_course_json(c) for c in s.closed],
        "due": [_due_json(d) for d in s.due if not d.overdue],
        "overdue": [_due_json(d) for d in s.due if d.overdue],
        "responses_waiting": s.responses_waiting,
        **(
            {
                "unsigned": [
                    {
                        "session_id": g.session.id,
                        "course_id": g.course.id,
                        "number": g.session.number,
                        "chart": g.course.patient.chart if g.course.patient else None,
                        "date": g.session.given_on.isoformat(),
                        "practitioner": g.session.practitioner,
                    }
                    for g in s.unsigned
                ]
            }
            if s.unsigned is not None
            else {}
        ),
    }


SESSION_COLUMNS = [
    Column("date", "Date"), Column("chart", "Chart"), Column("patient", "Patient", free=True),
    Column("course_id", "Course", numeric=True, drop=2),
    Column("condition", "Condition", free=True, drop=1),
    Column("number", "Session", numeric=True), Column("sites", "Sites", numeric=True, drop=3),
    Column("volume_ml", "mL", numeric=True, decimals=1), Column("pain", "Pain", numeric=True),
]  # fmt: skip


def listing(s: Summary) -> Listing:
    """The sessions of the period, one row each (the CSV of the summary)."""
    rows = [
        {
            "date": g.session.given_on,
            "chart": g.course.patient.chart if g.course.patient else None,
            "patient": g.course.patient.name if g.course.patient else None,
            "course_id": g.course.id,
            "condition": g.course.condition,
            "number": g.session.number,
            "sites": len(g.session.injections),
            "volume_ml": g.session.total_ml,
            "pain": g.pain,
        }
        for g in s.given
    ]
    return Listing(SESSION_COLUMNS, rows, title=f"Sessions {_period(s)}", empty="No sessions.")


def tables(out, s: Summary) -> None:
    """The summary on a terminal: the sessions and the due list as tables, the rest as lines."""
    from rich.padding import Padding
    from rich.text import Text

    from prolotrack.render import across_patients, table

    out.print(Text(f"Summary for {_period(s)}", style="bold"))
    if s.is_empty:
        out.print(Text("Nothing recorded, nothing due.", style="dim"))
        return
    table.listing(out, listing(s))
    out.print()
    out.print(Text(f"Totals: {_totals(s)}", style="bold"))
    for solution, ml in s.ml_by_solution.items():
        out.print(Padding(Text(f"{solution}: {ml:.1f} mL"), (0, 0, 0, 2), expand=False))
    if given := describe(s.agents_mg):
        out.print(Text(f"Given: {', '.join(given)}"))
    for title, lines in _sections(s):
        if not lines and title in (WARNINGS, WAITING):
            continue
        out.print()
        out.print(Text(f"{title}: {len(lines)}", style="bold"))
        for line in lines:  # a long line wraps under itself, not back to the margin
            out.print(Padding(Text(line), (0, 0, 0, 2), expand=False))
    out.print()
    table.listing(out, across_patients.due(s.due))
