"""prolotrack score add | show | list | void"""

from __future__ import annotations

from typing import Annotated

import typer

from prolotrack.cli.completion import complete_instrument
from prolotrack.cli.context import clinic
from prolotrack.cli.options import CourseArg, Format, FormatOption
from prolotrack.cli.output import say, show, warn

app = typer.Typer(no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    course: CourseArg,
    assignments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="INSTRUMENT=VALUE", help="e.g. nrs=4 womac=40 (or --form and answers)."
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="DATE", help="Date scored [default: the session's, or today]."
        ),
    ] = None,
    session: Annotated[
        str | None,
        typer.Option(
            "--session",
            metavar="SESSION",
            help="Tie the scores to this session (an id, or COURSE#N).",
        ),
    ] = None,
    form: Annotated[
        str | None,
        typer.Option(
            "--form",
            metavar="CODE",
            help="Score a form's answers by its published rule (see 'prolotrack form list').",
        ),
    ] = None,
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            metavar="A,B,-,...",
            help="With --form: every item's answer in item order, - for one not given.",
        ),
    ] = None,
    ask: Annotated[
        bool,
        typer.Option("--ask", help="With --form: ask item by item at the terminal."),
    ] = False,
) -> None:
    """Record one or more scores for a course (follow-ups too, after it closed): typed as
    INSTRUMENT=VALUE, or derived from a form's answers (--form with --answers or --ask)."""
    from prolotrack.actions import forms, lookup, scores
    from prolotrack.domain import instruments

    if form is None:
        if answers is not None or ask:
            raise typer.BadParameter("--answers and --ask go with --form CODE", param_hint="--form")
        if not assignments:
            raise typer.BadParameter(
                "give INSTRUMENT=VALUE (e.g. nrs=4), or --form CODE with --answers or --ask",
                param_hint="INSTRUMENT=VALUE",
            )
        parsed = [instruments.parse_assignment(a) for a in assignments]
    elif assignments:
        raise typer.BadParameter(
            "give typed scores or --form, not both (each is recorded on its own)",
            param_hint="--form",
        )
    elif (answers is None) == (not ask):
        raise typer.BadParameter(
            "--form needs --answers or --ask (one of them)", param_hint="--form"
        )
    chosen = forms.form(form) if form else None
    given = chosen.read(answers) if chosen and answers is not None else None
    if chosen and given is None:  # asked before the write begins: a write waits for no one
        given = _asked(ctx, course, chosen, on)
    with clinic(ctx).open(write=True) as desk:
        found = lookup.course(desk.db, course)
        tied = lookup.session(desk.db, session) if session else None
        taken_on = desk.date(on, default=tied.given_on if tied else None)
        if chosen is None:
            recorded = scores.record(desk.db, found, parsed, taken_on, desk.today, tied)
        else:
            filled = forms.record(desk.db, found, chosen, given, taken_on, desk.today, tied)
            recorded = filled.scores
            for code, why in filled.scored.unscored.items():
                warn(f"{code} not scored: {why}")
    listed = ", ".join(f"{s.instrument}={s.value:g}" for s in recorded)
    source = f" from {chosen.code} (answer set {recorded[0].answer_set_id})" if chosen else ""
    say(f"Recorded for {found.label} on {taken_on}{source}: {listed}")


def _asked(ctx: typer.Context, course: str, chosen, on: str | None) -> dict:
    """The form's items asked one by one, then the scores they give shown and confirmed."""
    from prolotrack.actions import forms, lookup
    from prolotrack.cli.asking import ask_form

    with clinic(ctx).open(write=False) as desk:
        found = lookup.course(desk.db, course)  # the course first: no questions for nothing
        wording = forms.wording(desk.db, chosen)
    given = ask_form(chosen, wording)
    with clinic(ctx).open(write=False) as desk:
        scored = forms.derive(desk.db, chosen, given)
    shown = ", ".join(f"{code}={value:g}" for code, value in scored.values.items())
    say(f"{found.label}: {shown}")
    for code, why in scored.unscored.items():
        warn(f"{code} not scored: {why}")
    typer.confirm("Record these?", default=True, abort=True, err=True)
    return given


@app.command("show")
def show_(
    ctx: typer.Context,
    score: Annotated[int, typer.Argument(metavar="SCORE", help="Score id, as 'score list' shows.")],
    fmt: FormatOption = Format.table,
) -> None:
    """One score: typed, or derived from a form (its answers, the rule and its versions)."""
    from prolotrack.actions import forms
    from prolotrack.render import form_views

    with clinic(ctx).open(write=False) as desk:
        found = forms.shown(desk.db, score)
    show(fmt, form_views.score(found))


@app.command("list")
def list_(
    ctx: typer.Context,
    course: CourseArg,
    instrument: Annotated[
        str | None,
        typer.Option(
            "--instrument",
            metavar="CODE",
            help="Only this instrument's scores.",
            autocompletion=complete_instrument,
        ),
    ] = None,
    include_voided: Annotated[
        bool, typer.Option("--include-voided", help="Show voided scores too, marked.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """List a course's scores by date."""
    from prolotrack.actions import listings
    from prolotrack.render import records

    with clinic(ctx).open(write=False) as desk:
        listed = listings.course_scores(desk.db, course, instrument, include_voided)
    show(fmt, records.scores(listed, with_voided=include_voided))


@app.command("void")
def void(
    ctx: typer.Context,
    score: Annotated[int, typer.Argument(metavar="SCORE", help="Score id, as 'score list' shows.")],
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEXT", help="Why: kept in the audit log.")
    ],
) -> None:
    """Void a score recorded in error: it stays in the file, marked, and out of every report."""
    from prolotrack.actions import lookup, scores

    with clinic(ctx).open(write=True) as desk:
        voided = scores.void(desk.db, score, reason)
        owner = lookup.course(desk.db, f"course:{voided.course_id}")
    say(
        f"Voided score {voided.id} ({voided.instrument}={voided.value:g} on {voided.taken_on})"
        f" of {owner.label}"
    )
