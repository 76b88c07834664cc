"""The take-home progress report: one self-contained HTML file per patient or course.

No network of any kind: the styles are inline, each chart is an inline SVG, and a
Content-Security-Policy forbids the browser to load anything from anywhere. Printable on A4 and
Letter (each course starts a page). Two audiences:

- ``patient``: plain words, no ids, codes or jargon ("pain fell from 7 to 3 out of 10"), with the
  practice's name and its aftercare text;
- ``clinician``: adds the figures of ``progress`` (baseline, latest, change, improvement %, the
  MCID and the responder category), the injections and doses of each session, and the adverse
  events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import TYPE_CHECKING

from prolotrack.domain.instruments import PERCENT
from prolotrack.domain.solutions import Totals
from prolotrack.render import charts
from prolotrack.render.view import text

if TYPE_CHECKING:
    from prolotrack.domain.instruments import Instrument
    from prolotrack.domain.models import AdverseEvent, Flag
    from prolotrack.domain.outcomes import Outcome
    from prolotrack.domain.progress import CourseProgress

PATIENT, CLINICIAN = "patient", "clinician"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none';"
    " form-action 'none'"
)
# What a patient reads instead of an instrument's code.
PLAIN_NAMES = {
    "nrs": "pain",
    "vas": "pain",
    "womac": "knee and hip symptoms (WOMAC)",
    "odi": "back-related disability",
    "rmdq": "back-related disability",
    "ndi": "neck-related disability",
    "pgic": "how much better you feel overall",
    "sane": "score for how normal the treated part feels",
}
# PGIC's answers in words (clinical-reference section 7), on its chart's axis.
PGIC_ANCHORS = {
    1: "very much improved",
    2: "much improved",
    3: "minimally improved",
    4: "no change",
    5: "minimally worse",
    6: "much worse",
    7: "very much worse",
}

STYLE = """
@page { size: auto; margin: 14mm 14mm 16mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: #1a202c; margin: 0 auto; max-width: 180mm; padding: 8mm; }
header { border-bottom: 2px solid #2b6cb0; margin-bottom: 6mm; }
h1 { font-size: 16pt; margin: 0 0 1mm; } h2 { font-size: 13pt; margin: 4mm 0 2mm; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; }
.course + .course { break-before: page; }
figure { margin: 2mm 0 4mm; break-inside: avoid; } figure svg { width: 100%; height: auto; }
figcaption, .muted { color: #4a5568; font-size: 9.5pt; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 1mm 0 3mm;
        break-inside: auto; }
th, td { text-align: left; padding: 1mm 2mm; border-bottom: 1px solid #e2e8f0;
         vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.nowrap, td.nowrap { white-space: nowrap; }
ul.safety { list-style: none; padding: 0; margin: 1mm 0 3mm; }
td.warnings ul { margin: 0; padding-left: 4mm; }
.better { color: #276749; } .worse { color: #c53030; }
footer { margin-top: 6mm; border-top: 1px solid #cbd5e0; padding-top: 2mm; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; } }
"""


@dataclass
class Report:
    courses: list[CourseProgress]
    audience: str
    today: date
    practice: str | None = None
    aftercare: str | None = None
    adverse: dict[int, list[AdverseEvent]] = field(default_factory=dict)  # by course id
    flags: list[Flag] = field(default_factory=list)  # the patient's safety flags


def html(r: Report) -> str:
    patient = r.courses[0].course.patient
    who = patient.name if patient else ""
    title = f"Progress report: {who}"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        "<header>",
        f"<h1>{escape(r.practice or 'Your treatment')}</h1>",
        f"<p>Progress report for <strong>{escape(who)}</strong>, {_day(r.today)}</p>",
        "</header>",
    ]
    parts += [_course(r, p) for p in r.courses]
    if r.aftercare and r.audience == PATIENT:
        parts.append(f"<footer><h3>Aftercare</h3><p>{_lines(r.aftercare)}</p></footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _lines(value: str) -> str:
    return "<br>".join(escape(line) for line in value.splitlines())


def _course(r: Report, p: CourseProgress) -> str:
    c = p.course
    out = [f'<section class="course" data-course="{c.id}">']
    heading = c.condition + (f" ({c.side})" if c.side and c.side not in c.condition else "")
    out.append(f"<h2>{escape(heading)}</h2>")
    done = f"{c.sessions_done} of {c.planned_sessions}" if c.planned_sessions else c.sessions_done
    sessions = "session" if (c.planned_sessions or c.sessions_done) == 1 else "sessions"
    out.append(
        f"<p>Treatment started {_day(c.started_on)}; {done} {sessions} given"
        + (f", the last on {_day(c.last_session_on)}" if c.last_session_on else "")
        + ".</p>"
    )
    if r.audience == CLINICIAN:
        out.append(_safety(r, p))
    for o in p.outcomes:
        instrument = p.catalogue[o.instrument]
        out.append(_figure(p, instrument, o, r.audience))
    if not p.outcomes:
        out.append('<p class="muted">No scores recorded yet.</p>')
    out.append(_follow_ups(p, r.audience))
    if r.audience == CLINICIAN:
        out.append(_figures_table(p))
        out.append(_sessions_table(p))
        out.append(_adverse(r.adverse.get(c.id, [])))
    out.append("</section>")
    return "\n".join(o for o in out if o)


def _safety(r: Report, p: CourseProgress) -> str:
    """What a clinician must see before the figures: flags, consent, rehabilitation."""
    from prolotrack.domain.safety import meaning

    c = p.course
    flags = "; ".join(f"{f.kind} ({meaning(f.kind)})" for f in r.flags) or "none recorded"
    consent = (
        f"given {c.consent_on}" + (f" ({c.consent_form})" if c.consent_form else "")
        if c.consent_on
        else "not recorded"
    )
    rehab = (
        "; ".join(
            r_["kind"]
            + (f" from {r_['from_on']}" if r_["from_on"] else "")
            + (f" to {r_['to_on']}" if r_["to_on"] else "")
            + (f" ({r_['note']})" if r_["note"] else "")
            for r_ in p.rehabilitation
        )
        or "none recorded"
    )
    items = [
        ("Safety flags", flags, bool(r.flags)),
        ("Consent", consent, c.consent_on is None),
        ("Rehabilitation", rehab, False),
    ]
    listed = "".join(
        f'<li data-key="{escape(name.lower())}" class="{"worse" if alarm else ""}">'
        f"<strong>{escape(name)}:</strong> {escape(value)}</li>"
        for name, value, alarm in items
    )
    return f'<ul class="safety">{listed}</ul>'


def _series(p: CourseProgress, instrument: Instrument, o: Outcome, audience: str) -> charts.Series:
    scores = []
    for v in p.visits:
        if instrument.code in v.scores:
            follow = v.session is None and p.timepoint_of(v) is not None  # in a window
            scores.append((v.day, v.scores[instrument.code], follow))
    threshold = None
    if o.mcid is not None and not instrument.is_global:
        threshold = o.baseline - o.mcid if instrument.better == "lower" else o.baseline + o.mcid
    elif instrument.is_global:
        threshold = instrument.responder_at
    name = _name(instrument, audience)
    return charts.Series(
        title=name[0].upper() + name[1:] if audience == PATIENT else name,
        better=instrument.better,
        minimum=instrument.minimum,
        maximum=instrument.maximum,
        scores=scores,
        sessions=[v.day for v in p.sessions],
        baseline=None if instrument.is_global else o.baseline,
        threshold=threshold,
        words=("a change you would notice:", "at the start:")
        if audience == PATIENT
        else ("MCID threshold", "baseline"),
        anchors=PGIC_ANCHORS if instrument.code == "pgic" else None,
    )


def _name(instrument: Instrument, audience: str) -> str:
    if audience == PATIENT:
        return PLAIN_NAMES.get(instrument.code, instrument.name.split(",")[0])
    return f"{instrument.name} ({instrument.code})"


def _figure(p: CourseProgress, instrument: Instrument, o: Outcome, audience: str) -> str:
    chart = charts.svg(_series(p, instrument, o, audience))
    caption = _sentence(instrument, o) if audience == PATIENT else _caption(instrument, o)
    return (
        f'<figure class="chart" data-instrument="{escape(instrument.code)}"'
        f' data-baseline="{text(o.baseline)}" data-latest="{text(o.latest)}"'
        f' data-points="{len(o.scores)}">{chart}'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _sentence(instrument: Instrument, o: Outcome) -> str:
    """The outcome in a patient's words: 'Your pain fell from 7 to 3 out of 10 (0 is best).'"""
    name = PLAIN_NAMES.get(instrument.code, instrument.name.split(",")[0])
    best = instrument.minimum if instrument.better == "lower" else instrument.maximum
    scale = (
        f"out of {instrument.maximum:g}"
        if instrument.minimum == 0
        else (f"on a scale of {instrument.minimum:g} to {instrument.maximum:g}")
    )
    if instrument.is_global:
        said = f"Asked how you feel overall, your latest answer was {text(o.latest)} {scale}"
        good = o.at_responder_mark
        return escape(said + (" ('much better' or better)." if good else ".")) + _note(good)
    if o.latest == o.baseline:
        moved = f"stayed at {text(o.latest)}"
    else:
        moved = (
            f"{'fell' if o.latest < o.baseline else 'rose'} from {text(o.baseline)} to"
            f" {text(o.latest)}"
        )
    said = f"Your {name} {moved} {scale} ({best:g} is best)."
    return escape(said) + _note(o.mcid_reached)


def _note(reached: bool | None) -> str:
    if reached:
        return (
            ' <span class="better">That is a change large enough for patients to notice'
            " in daily life.</span>"
        )
    if reached is False:
        return " <span>Not yet a change large enough to notice in daily life.</span>"
    return ""


def _caption(instrument: Instrument, o: Outcome) -> str:
    if o.is_global:
        mark = f"{instrument.responder_at:g} or better"
        return escape(
            f"{instrument.better} is better; latest {text(o.latest)} on {o.latest_on};"
            f" responder at {mark}: {'yes' if o.at_responder_mark else 'no'}"
        )
    rule = "n/a" if o.mcid is None else f"{o.mcid:g}"
    if instrument.mcid_unit == PERCENT and instrument.mcid is not None and o.mcid is not None:
        rule = f"{instrument.mcid:g}% of baseline = {o.mcid:g}"
    return escape(
        f"{instrument.better} is better; baseline {text(o.baseline)} on"
        f" {o.baseline_on}, latest {text(o.latest)} on {o.latest_on};"
        f" MCID {rule}"
    )


def _figures_table(p: CourseProgress) -> str:
    rows = []
    for o in p.outcomes:
        pct = "n/a" if o.improvement_pct is None else f"{o.improvement_pct:.1f}"
        reached = {True: "yes", False: "no", None: "n/a"}[o.mcid_reached]
        responder = (o.responder or "n/a") if o.evaluable else "not evaluable"
        if o.is_global:
            responder = (
                f"{'yes' if o.at_responder_mark else 'no'} (a responder at"
                f" {p.catalogue[o.instrument].responder_at:g} or better)"
            )
        change = "" if o.change is None else f"{o.change:+g}"
        cells = [
            ("instrument", o.instrument, ""),
            ("baseline", text(o.baseline), "n"),
            ("latest", text(o.latest), "n"),
            ("change", change, "n"),
            ("improvement_pct", pct, "n"),
            ("mcid", "n/a" if o.mcid is None else f"{o.mcid:g}", "n"),
            ("mcid_reached", reached, ""),
            ("responder", responder, ""),
        ]
        rows.append(
            "<tr>"
            + "".join(f'<td class="{k}" data-key="{key}">{escape(v)}</td>' for key, v, k in cells)
            + "</tr>"
        )
    if not rows:
        return ""
    headers = (
        "Instrument",
        "Baseline",
        "Latest",
        "Change",
        "Impr. %",
        "MCID",
        "Reached",
        "Responder",
    )
    head = "".join(f"<th>{h}</th>" for h in headers)
    return f'<h3>Outcomes</h3><table class="outcomes"><tr>{head}</tr>{"".join(rows)}</table>'


def _sessions_table(p: CourseProgress) -> str:
    rows = []
    for v in p.sessions:
        s = v.session
        assert s is not None
        sites = "; ".join(
            _nowrap_each([f"{i.site}{' ' + i.side if i.side else ''} {i.volume_ml:g} mL"])
            + " "
            + _nowrap_each(i.solution.split(" + "), " + ")
            for i in s.injections
        )
        warned = "".join(f'<li class="worse">{escape(w)}</li>' for w in s.warnings)
        warned = f"<ul>{warned}</ul>" if warned else ""
        signed = "".join(
            f"<li>{escape(g.shown)}" + (f": {escape(g.note)}" if g.note else "") + "</li>"
            for g in s.signatures
        )
        warned += f'<ul class="signed">{signed}</ul>' if signed else ""
        rows.append(
            f'<tr><td>{s.number}</td><td class="nowrap">{s.given_on}</td>'
            f"<td>{sites}</td>"
            f'<td class="n">{s.total_ml:g}</td>'
            f"<td>{_nowrap_each(Totals(s.agents_mg).described)}</td>"
            f'<td class="warnings">{warned}</td></tr>'
        )
    if not rows:
        return ""
    return (
        '<h3>Injections</h3><table class="sessions"><tr><th>No.</th><th>Date</th>'
        '<th>Sites</th><th class="n">mL</th><th>Given</th><th>Warnings, signatures</th></tr>'
        + "".join(rows)
        + "</table>"
    )


def _nowrap_each(parts: list[str], joiner: str = ", ") -> str:
    """Doses listed so that no amount is split from its unit inside a cell (nor a drug from
    its strength): the cell breaks between them only."""
    return joiner.join(f'<span class="nowrap">{escape(p)}</span>' for p in parts)


def _adverse(events: list[AdverseEvent]) -> str:
    if not events:
        return '<h3>Adverse events</h3><p class="muted">None recorded.</p>'
    items = "".join(
        f"<li>{escape(e.kind)} ({escape(e.severity)}{', serious' if e.serious else ''}),"
        f" onset {e.onset_on}"
        + (f", resolved {e.resolved_on}" if e.resolved_on else "")
        + (f": {escape(e.note)}" if e.note else "")
        + "</li>"
        for e in events
    )
    return f"<h3>Adverse events</h3><ul>{items}</ul>"


def _follow_ups(p: CourseProgress, audience: str) -> str:
    if not p.follow_ups:
        return ""
    words = {
        "upcoming": "coming up",
        "due": "due now",
        "overdue": "overdue",
        "done": "done",
        "missed": "missed",
    }

    def item(f) -> str:
        if audience == CLINICIAN:
            return f"{_day(f.due)} ({f.timepoint} after the last injection): {words[f.status]}"
        return f"around {_day(f.due)}: {'done' if f.status == 'done' else 'a short check-in'}"

    items = "".join(f"<li>{item(f)}</li>" for f in p.follow_ups)
    title = "Follow-up" if audience == CLINICIAN else "Your follow-up"
    return f"<h3>{title}</h3><ul>{items}</ul>"
