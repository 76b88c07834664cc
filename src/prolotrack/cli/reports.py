"""prolotrack progress | summary | due | report outcomes"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from prolotrack.cli.context import clinic
from prolotrack.cli.options import Format, FormatOption

report_app = typer.Typer(no_args_is_help=True)


def progress(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="COURSE|PATIENT",
            help="A course id, or a patient (each of their courses is shown).",
        ),
    ],
    measure: Annotated[
        str | None,
        typer.Option("--measure", metavar="CODE", help="Only this instrument's scores."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Show how a course is going: scores against baseline and the MCID, and what is due."""
    from prolotrack.domain import progress as course_progress
    from prolotrack.render import delimited, jsondoc, table
    from prolotrack.render import progress as render

    with clinic(ctx).open(write=False) as desk:
        found = course_progress.of_reference(desk.db, ref, desk.today, measure)
        today = desk.today
    if fmt is Format.json:
        jsondoc.document(sys.stdout, render.document(found))
    elif fmt is Format.csv:
        delimited.listing(sys.stdout, render.listing(found))
    else:
        render.tables(table.console(), found, today)
