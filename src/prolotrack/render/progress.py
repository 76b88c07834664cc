"""The progress of a course: its sessions by week, its outcomes against the MCID, a trend."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from prolotrack.domain.instruments import PERCENT
from prolotrack.domain.outcomes import best_end, week
from prolotrack.domain.solutions import Totals
from prolotrack.render.view import Column, Listing, plain, plural, text

if TYPE_CHECKING:
    from prolotrack.domain.follow_up import FollowUp
    from prolotrack.domain.outcomes import Outcome
    from prolotrack.domain.progress import CourseProgress, Visit

_BARS = "▁▂▃▄▅▆▇█"
_TIER_STYLE = {
    "substantial": "bold green",
    "moderate": "green",
    "minimal": "yellow",
    "none": "dim",
    "worse": "bold red",
}


def sparkline(values: tuple[float, ...], low: float, high: float) -> str:
    """One bar per score, scaled to the instrument's range (a taller bar is a higher score)."""
    span = high - low or 1
    return "".join(
        _BARS[round((min(max(v, low), high) - low) / span * (len(_BARS) - 1))] for v in values
    )


def _mcid_rule(progress: CourseProgress, code: str) -> str:
    instrument = progress.catalogue[code]
    if instrument.mcid is None:
        return "n/a"
    if instrument.mcid_unit == PERCENT:
        return f"{instrument.mcid:g}% of baseline"
    return f"{instrument.mcid:g} points"


def _due_text(progress: CourseProgress, today: date) -> str:
    course = progress.course
    done = (
        f"{course.sessions_done} of {course.planned_sessions}"
        if course.planned_sessions
        else f"{course.sessions_done} (number not planned)"
    )
    if progress.next_due is None:
        why = course.status if course.status != "active" else "planned sessions done"
        if course.voided_at:
            why = f"voided: {course.void_reason}"
        return f"Sessions {done}; next due: none ({why})"
    days = (progress.next_due - today).days
    when = "today" if days == 0 else f"in {plural(days, 'day')}"
    if progress.days_overdue:
        when = f"overdue by {plural(progress.days_overdue, 'day')}"
    return f"Sessions {done}; next due {progress.next_due} ({when})"


def _follow_up_text(progress: CourseProgress) -> str | None:
    if progress.lost_to_follow_up:
        return "Lost to follow-up: every follow-up window so far closed without a score"
    waiting = [f for f in progress.follow_ups if f.status in ("upcoming", "due", "overdue")]
    if not waiting:
        return None
    f = waiting[0]
    window = f"window {f.opens} to {f.closes}"
    return f"Next follow-up {f.timepoint}: due {f.due} ({f.status}; {window})"


def _rehab_text(r: dict) -> str:
    when = ""
    if r["from_on"] or r["to_on"]:
        when = f" {r['from_on'] or '...'} to {r['to_on'] or 'now'}"
    return f"{r['kind']}{when}" + (f" ({r['note']})" if r["note"] else "")


def _title(progress: CourseProgress) -> str:
    c = progress.course
    who = c.patient.label if c.patient else f"patient {c.patient_id}"
    side = f", {c.side}" if c.side else ""
    status = "VOIDED" if c.voided_at else c.status
    return (
        f"Course {c.id}: {c.condition}{side} — {who}; {status}, started {c.started_on},"
        f" every {c.interval.describe()}, measure {c.measure}"
    )


def _label(progress: CourseProgress, visit: Visit) -> str:
    """What the No. column says of a day without a session: its follow-up timepoint, an
    intake before the course started, or a visit."""
    point = progress.timepoint_of(visit)
    if point is not None:
        return point.timepoint
    return "intake" if visit.day < progress.course.started_on else "visit"


def _rows(progress: CourseProgress) -> list[dict]:
    """The sessions and other days of scores, then each follow-up not yet scored, by date:
    the keys of the progress table and of its CSV."""
    rows = []
    for visit in progress.visits:
        s = visit.session
        point = progress.timepoint_of(visit)
        rows.append(
            {
                "number": s.number if s else _label(progress, visit),
                "date": visit.day,
                "week": visit.week,
                "sites": len(s.injections) if s else None,
                "volume_ml": s.total_ml if s else None,
                "solutions": s.solutions if s else None,
                "totals": Totals(s.agents_mg) if s else None,
                "status": point.status if point else None,
                "scores": visit.scores,
            }
        )
    scored = {
        progress.timepoint_of(v).timepoint
        for v in progress.visits
        if progress.timepoint_of(v) is not None
    }
    for f in progress.follow_ups:
        if f.timepoint not in scored:
            rows.append(
                {
                    "number": f.timepoint,
                    "date": f.due,
                    "week": week(progress.course.started_on, f.due),
                    "sites": None,
                    "volume_ml": None,
                    "solutions": None,
                    "totals": None,
                    "status": f.status,
                    "scores": {},
                }
            )
    return sorted(rows, key=lambda r: r["date"])


def _visits(progress: CourseProgress) -> Listing:
    codes = progress.instruments
    columns = [
        Column("number", "No.", numeric=True),
        Column("date", "Date"),
        Column("week", "Week", numeric=True),
        Column("sites", "Sites", numeric=True, drop=2),
        Column("volume_ml", "mL", numeric=True, decimals=1),
        Column("solutions", "Solutions", free=True, drop=1),
        Column("totals", "Given", free=True, drop=3),
        *(Column(code, code, numeric=True) for code in codes),
    ]
    if progress.follow_ups:
        columns.insert(7, Column("status", "Follow-up", styles=_FOLLOW_UP_STYLES))
    rows = [
        {
            **{k: v for k, v in r.items() if k != "scores"},
            **{code: r["scores"].get(code) for code in codes},
        }
        for r in _rows(progress)
    ]
    return Listing(columns, rows)


_FOLLOW_UP_STYLES = (("done", "green"), ("overdue", "yellow"), ("missed", "bold red"))


_TIERS = tuple(_TIER_STYLE.items())
PROGRESS_LEGEND = (
    "Impr.: improvement toward the better end; %: of the room to improve from baseline;"
    " MCID in points, or as 12% (of baseline) = points"
)


def _outcomes(progress: CourseProgress) -> Listing:
    columns = [
        Column("instrument", "Instrument"),
        Column("scores", "Baseline → latest"),
        Column("change", "Change", numeric=True, drop=2),
        Column("improvement", "Impr.", numeric=True),
        Column("improvement_pct", "%", numeric=True),
        Column("mcid", "MCID"),
        Column("reached", "Reached", styles=(("yes", "green"),)),
        Column("responder", "Responder", styles=_TIERS),
        Column("trend", "Trend", drop=1),
    ]
    rows = []
    for o in progress.outcomes:
        instrument = progress.catalogue[o.instrument]
        if o.is_global:  # a transition question: its value only
            mark = (
                f"{'yes' if o.at_responder_mark else 'no'} ({instrument.responder_at:g} or better)"
            )
            trend = sparkline(o.scores, instrument.minimum, instrument.maximum)
            rows.append(
                {
                    "instrument": o.instrument,
                    "scores": text(o.latest),
                    "responder": mark,
                    "trend": trend,
                }
            )
            continue
        mcid = "n/a" if o.mcid is None else f"{o.mcid:g}"
        if instrument.mcid_unit == PERCENT and instrument.mcid is not None:
            mcid = f"{instrument.mcid:g}% = {mcid}" if o.mcid is not None else "n/a"
        rows.append(
            {
                "instrument": o.instrument,
                "scores": f"{text(o.baseline)} → {text(o.latest)}",
                "change": f"{o.change:+g}",
                "improvement": text(o.improvement),
                "improvement_pct": "n/a"
                if o.improvement_pct is None
                else f"{o.improvement_pct:.1f}",
                "mcid": mcid,
                "reached": {True: "yes", False: "no", None: "n/a"}[o.mcid_reached],
                "responder": (o.responder or "n/a") if o.evaluable else "not evaluable",
                "trend": sparkline(o.scores, instrument.minimum, instrument.maximum)
                + f"\N{NO-BREAK SPACE}best\N{NO-BREAK SPACE}{best_end(instrument):g}",
            }
        )
    return Listing(columns, rows, legend=PROGRESS_LEGEND)


def _warnings(progress: CourseProgress) -> list[str]:
    """The warnings each session was logged with (flags, doses, caps, consent), by session."""
    return [
        f"Session {v.session.number} ({v.day}): {warning}"
        for v in progress.sessions
        for warning in v.session.warnings
    ]


def tables(out: Console, found: list[CourseProgress], today: date) -> None:
    from prolotrack.render.table import renderable

    for number, progress in enumerate(found):
        if number:
            out.print()
        out.print(Text(_title(progress), style="bold"))
        if progress.visits:
            out.print(renderable(_visits(progress), out))
        else:
            out.print(Text("No sessions yet.", "dim"))
        for line in _warnings(progress):
            out.print(Padding(Text(line, style="yellow"), (0, 0, 0, 2), expand=False))
        if progress.outcomes:
            out.print()
            out.print(renderable(_outcomes(progress), out))
        out.print()
        out.print(Text(_due_text(progress, today)))
        if follow := _follow_up_text(progress):
            out.print(Text(follow))
        if progress.rehabilitation:
            out.print(
                Text(
                    f"Rehabilitation: {'; '.join(_rehab_text(r) for r in progress.rehabilitation)}"
                )
            )


def _outcome_json(progress: CourseProgress, o: Outcome) -> dict:
    return {
        "instrument": o.instrument,
        "baseline": plain(o.baseline),
        "latest": plain(o.latest),
        "change": plain(o.change),
        "improvement": plain(o.improvement),
        "improvement_pct": o.improvement_pct,
        "mcid": plain(o.mcid),
        "mcid_rule": None if o.is_global else _mcid_rule(progress, o.instrument),
        "mcid_reached": o.mcid_reached,
        "responder": o.responder,
        "evaluable": o.evaluable,
        **({"at_responder_mark": o.at_responder_mark} if o.is_global else {}),
        "baseline_date": None if o.is_global else o.baseline_on.isoformat(),
        "latest_date": o.latest_on.isoformat(),
    }


def _visit_json(visit: Visit) -> dict:
    s = visit.session
    body = {"date": visit.day.isoformat(), "week": visit.week}
    if s:
        body = {
            "id": s.id,
            "number": s.number,
            **body,
            "sites": len(s.injections),
            "volume_ml": plain(s.total_ml),
            "solutions": s.solutions,
            "totals": plain(Totals(s.agents_mg)),
            "warnings": s.warnings,
        }
    scores = {k: plain(v) for k, v in visit.scores.items()}
    return {**body, "scores": scores, "derived": sorted(visit.derived)}


def _follow_up_json(f: FollowUp) -> dict:
    return {
        "timepoint": f.timepoint,
        "due": f.due.isoformat(),
        "window": [f.opens.isoformat(), f.closes.isoformat()],
        "status": f.status,
        "scores": {k: plain(v) for k, v in f.scores.items()},
    }


def document(found: list[CourseProgress]) -> dict:
    """The JSON document SPEC shows under "What progress shows"."""
    courses = []
    for progress in found:
        c = progress.course
        patient = c.patient
        courses.append(
            {
                "course": {
                    "id": c.id,
                    "patient": {"id": patient.id, "chart": patient.chart, "name": patient.name},
                    "condition": c.condition,
                    "region": c.region,
                    "side": c.side,
                    "status": "voided" if c.voided_at else c.status,
                    "void_reason": c.void_reason if c.voided_at else None,
                    "started_on": c.started_on.isoformat(),
                    "interval": str(c.interval),
                    "planned_sessions": c.planned_sessions,
                    "measure": c.measure,
                    "follow_up": [f.timepoint for f in progress.follow_ups]
                    if progress.follow_ups
                    else None,
                    "lost_to_follow_up": progress.lost_to_follow_up,
                    "consent_on": plain(c.consent_on),
                    "consent_form": c.consent_form,
                },
                "rehabilitation": [
                    {
                        "kind": r["kind"],
                        "from": plain(r["from_on"]),
                        "to": plain(r["to_on"]),
                        "note": r["note"],
                    }
                    for r in progress.rehabilitation
                ],
                "sessions": [_visit_json(v) for v in progress.sessions],
                "visits": [_visit_json(v) for v in progress.other_visits],
                "follow_ups": [_follow_up_json(f) for f in progress.follow_ups],
                "outcomes": [_outcome_json(progress, o) for o in progress.outcomes],
                "sessions_done": c.sessions_done,
                "next_due": progress.next_due.isoformat() if progress.next_due else None,
                "days_overdue": progress.days_overdue,
            }
        )
    return {"courses": courses}


def listing(found: list[CourseProgress]) -> Listing:
    """One row per session, other day of scores and follow-up, for CSV: each instrument a
    column."""
    codes = list(dict.fromkeys(code for p in found for code in p.instruments))
    columns = [
        Column("course_id", "Course"),
        Column("chart", "Chart"),
        Column("number", "No."),
        Column("date", "Date"),
        Column("week", "Week"),
        Column("sites", "Sites"),
        Column("volume_ml", "mL"),
        Column("solutions", "Solutions"),
        Column("given", "Given"),
        Column("follow_up", "Follow-up"),
        *(Column(code.replace("-", "_"), code) for code in codes),
    ]
    rows = []
    for progress in found:
        for r in _rows(progress):
            rows.append(
                {
                    "course_id": progress.course.id,
                    "chart": progress.course.patient.chart if progress.course.patient else None,
                    **{
                        k: r[k]
                        for k in ("number", "date", "week", "sites", "volume_ml", "solutions")
                    },
                    "given": r["totals"].described if r["totals"] else None,
                    "follow_up": r["status"],
                    **{code.replace("-", "_"): r["scores"].get(code) for code in codes},
                }
            )
    return Listing(columns, rows, title="Progress")
