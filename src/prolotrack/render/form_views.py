"""Forms and the scores derived from them: the list of forms, one form's items and rules, and
one score with the answers it came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.render.view import Column, Listing, Record

if TYPE_CHECKING:
    from prolotrack.domain.form_links import Issued, Waiting
    from prolotrack.domain.forms import Form, ScoreShown


def forms(found: list[Form], worded: set[str]) -> Listing:
    columns = [
        Column("code", "Form"),
        Column("name", "Name", free=True, drop=2),
        Column("items", "Items", numeric=True),
        Column("derives", "Scores into", free=True),
        Column("version", "Version", free=True, drop=1),
        Column("wording", "Wording", drop=3),
    ]
    rows = [
        {
            "code": f.code,
            "name": f.name,
            "items": len(f.items),
            "derives": list(f.derives),
            "version": f.version,
            "wording": "loaded" if f.code in worded else "item ids only",
        }
        for f in found
    ]
    return Listing(columns, rows, title="Forms", empty="No forms.")


def form(f: Form, wording: dict[str, tuple[str, str | None]]) -> Record:
    fields = [
        (Column("code", "Form"), f.code),
        (Column("name", "Name", free=True), f.name),
        (Column("version", "Version", free=True), f.version),
        (Column("scoring_version", "Scoring followed", free=True), f.scoring),
        (Column("derives", "Scores into", free=True), list(f.derives)),
        (Column("rule", "Rule", free=True), f.rule),
        (Column("missing", "Missing answers", free=True), f.missing),
        (Column("licence", "Wording", free=True), f.licence),
    ]
    columns = [
        Column("position", "#", numeric=True),
        Column("item", "Item"),
        Column("range", "Answers"),
        Column("text", "Clinic's wording", free=True),
        Column("labels", "Labels", free=True, drop=1),
    ]
    rows = [
        {
            "position": n,
            "item": it.id,
            "range": it.range_text,
            "text": wording.get(it.id, (None, None))[0],
            "labels": wording.get(it.id, (None, None))[1],
        }
        for n, it in enumerate(f.items, start=1)
    ]
    items = Listing(columns, rows, title="Items", empty="No items.")
    return Record(fields, {"items": items}, title=f"{f.name} ({f.code})")


def score(found: ScoreShown) -> Record:
    s = found.score
    fields = [
        (Column("id", "Score", numeric=True), s.id),
        (Column("course", "Course"), found.course.label),
        (Column("date", "Date"), s.taken_on),
        (Column("instrument", "Instrument"), s.instrument),
        (Column("value", "Score", numeric=True), s.value),
        (Column("session_id", "Session", numeric=True), s.session_id),
        (Column("derived", "Derived"), s.derived),
        (Column("voided", "Voided"), s.voided_at is not None),
        (Column("void_reason", "Why voided", free=True), s.void_reason),
    ]
    sections = {}
    answers = found.answer_set
    if answers is not None:
        rule, missing = (found.form.rule, found.form.missing) if found.form else (None, None)
        derived = [f"{d.instrument}={d.value:g}" for d in found.siblings or []]
        fields += [
            (Column("answer_set_id", "Answer set", numeric=True), answers.id),
            (Column("form", "Form"), answers.form),
            (Column("form_version", "Form version", free=True), answers.form_version),
            (Column("scoring_version", "Scoring followed", free=True), answers.scoring_version),
            (Column("rule", "Rule", free=True), rule),
            (Column("missing", "Missing answers", free=True), missing),
            (Column("derived_scores", "Derived with it", free=True), derived),
        ]
        columns = [
            Column("position", "#", numeric=True),
            Column("item", "Item"),
            Column("value", "Answer", numeric=True),
        ]
        rows = [
            {"position": n, "item": item, "value": value}
            for n, (item, value) in enumerate(answers.answers.items(), start=1)
        ]
        sections["answers"] = Listing(columns, rows, title="Answers", empty="No answers.")
    return Record(fields, sections, title=f"Score {s.id}")


def links(issued: list[Issued]) -> Listing:
    """Links just made, with what the clinic's own tool needs to send each one."""
    columns = [
        Column("course", "Course", numeric=True),
        Column("chart", "Chart"),
        Column("patient", "Patient", free=True),
        Column("phone", "Phone", drop=3),
        Column("form", "Form"),
        Column("timepoint", "Follow-up", drop=2),
        Column("expires_on", "Expires"),
        Column("link", "Link", free=True),
    ]
    rows = [
        {
            "course": i.course.id,
            "chart": i.patient.chart,
            "patient": i.patient.name,
            "phone": i.patient.phone,
            "form": i.link.form,
            "timepoint": i.link.timepoint,
            "expires_on": i.link.expires_on,
            "link": i.address,
        }
        for i in issued
    ]
    return Listing(columns, rows, title="Form links", empty="No follow-up needs a link today.")


def links_text(issued: list[Issued]) -> str:
    """Links just made, for a terminal: each patient on a line, the link whole on the next (a
    link is shown once, and a table narrower than it would cut it)."""
    if not issued:
        return "No follow-up needs a link today.\n"
    lines = ["Form links"]
    for i in issued:
        p = i.patient
        contact = f" ({p.phone})" if p.phone else ""
        follow = f", {i.link.timepoint} follow-up" if i.link.timepoint else ""
        lines.append(
            f"{p.chart or '#' + str(p.id)} {p.name}{contact}, course {i.course.id}:"
            f" {i.link.form}{follow}, until {i.link.expires_on.isoformat()}"
        )
        lines.append(f"  {i.address}")
    return "\n".join(lines) + "\n"


def inbox(waiting: list[Waiting]) -> Listing:
    """Responses waiting for a practitioner's review, with what each would score."""
    columns = [
        Column("id", "Response", numeric=True),
        Column("received_at", "Received"),
        Column("answered_on", "Answered", drop=3),
        Column("patient", "Patient", free=True),
        Column("course", "Course", numeric=True),
        Column("form", "Form"),
        Column("timepoint", "Follow-up", drop=2),
        Column("source", "From", drop=1),
        Column("scores", "Would score", free=True),
    ]
    rows = [
        {
            "id": w.response.id,
            "received_at": w.response.received_at[:16].replace("T", " "),
            "answered_on": w.response.answered_on,
            "patient": w.patient.label,
            "course": w.course.id,
            "form": w.response.form,
            "timepoint": w.timepoint,
            "source": w.response.source,
            "scores": [f"{k}={v:g}" for k, v in w.scores.items()] or [f"nothing: {w.unscored}"],
        }
        for w in waiting
    ]
    return Listing(columns, rows, title="Form inbox", empty="No responses waiting for review.")
