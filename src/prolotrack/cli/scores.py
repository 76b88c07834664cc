"""prolotrack score add | list"""

from __future__ import annotations

from typing import Annotated

import typer

from prolotrack.cli.completion import complete_instrument
from prolotrack.cli.context import clinic
from prolotrack.cli.options import CourseArg, Format, FormatOption
from prolotrack.cli.output import say, show

app = typer.Typer(no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    course: CourseArg,
    assignments: Annotated[
        list[str], typer.Argument(metavar="INSTRUMENT=VALUE...", help="e.g. nrs=4 womac=40.")
    ],
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
) -> None:
    """Record one or more scores for a course (follow-ups too, after it closed)."""
    from prolotrack.actions import lookup, scores
    from prolotrack.domain import instruments

    parsed = [instruments.parse_assignment(a) for a in assignments]
    with clinic(ctx).open(write=True) as desk:
        found = lookup.course(desk.db, course)
        tied = lookup.session(desk.db, session) if session else None
        taken_on = desk.date(on, default=tied.given_on if tied else None)
        recorded = scores.record(desk.db, found, parsed, taken_on, desk.today, tied)
    listed = ", ".join(f"{s.instrument}={s.value:g}" for s in recorded)
    say(f"Recorded for {found.label} on {taken_on}: {listed}")


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
