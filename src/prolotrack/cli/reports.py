"""prolotrack progress | summary | due | report outcomes"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from prolotrack.cli.completion import complete_course_or_patient, complete_instrument
from prolotrack.cli.context import clinic
from prolotrack.cli.options import Format, FormatOption
from prolotrack.cli.output import show
from prolotrack.cli.report_course import report_course

report_app = typer.Typer(no_args_is_help=True)


def progress(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="COURSE|PATIENT",
            help="A course id, or a patient (each of their courses is shown).",
            autocompletion=complete_course_or_patient,
        ),
    ],
    measure: Annotated[
        str | None,
        typer.Option(
            "--measure",
            metavar="CODE",
            help="Only this instrument's scores.",
            autocompletion=complete_instrument,
        ),
    ] = None,
    fmt: FormatOption = Format.table,
    chart: Annotated[
        bool,
        typer.Option("--chart", help="Draw each instrument's scores over time in the terminal."),
    ] = False,
) -> None:
    """Show how a course is going: scores against baseline and the MCID, and what is due."""
    from prolotrack.actions import progress as course_progress
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
        out = table.console()
        render.tables(out, found, today)
        if chart:
            from prolotrack.render import terminal_chart

            colour = out.color_system is not None and not out.no_color
            for progress_ in found:
                for drawn in terminal_chart.charts(progress_, max(out.width, 80), colour):
                    out.print()
                    out.out(drawn, highlight=False)


class SummaryFormat(StrEnum):
    table = "table"
    text = "text"
    csv = "csv"
    json = "json"


def summary(
    ctx: typer.Context,
    on: Annotated[
        str | None,
        typer.Option("--date", metavar="DATE", help="The day to sum up [default: today]."),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", metavar="N", help="The N days ending on --date.")
    ] = 1,
    week: Annotated[
        bool,
        typer.Option("--week", help="The week of --date, from the week-start setting's day."),
    ] = False,
    fmt: Annotated[
        SummaryFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="table, text, csv or json."),
    ] = SummaryFormat.table,
) -> None:
    """The day's sessions, totals, adverse events, courses started and closed, and what is due.

    Made for cron: '-f text' is plain, stable text for mail. An empty day is not an error.
    """
    from prolotrack.actions import summary as daily
    from prolotrack.domain.summary import week_of
    from prolotrack.render import delimited, jsondoc, table
    from prolotrack.render import summary as render

    with clinic(ctx).open(write=False) as desk:
        day = desk.date(on)
        if week:
            first, day = week_of(day, desk.setting("week-start") or "monday")
            days = (day - first).days + 1
        found = daily.summarise(desk.db, day, days, desk.today)
    if fmt is SummaryFormat.json:
        jsondoc.document(sys.stdout, render.document(found))
    elif fmt is SummaryFormat.csv:
        delimited.listing(sys.stdout, render.listing(found))
    elif fmt is SummaryFormat.text:
        sys.stdout.write(render.plain_text(found))
    else:
        render.tables(table.console(), found)


def due(
    ctx: typer.Context,
    within: Annotated[
        str,
        typer.Option("--within", metavar="INTERVAL", help="How far ahead to look (e.g. 2w)."),
    ] = "7d",
    overdue: Annotated[bool, typer.Option("--overdue", help="Only the overdue courses.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Courses whose next session is due within the interval, or overdue."""
    from prolotrack.actions import schedule
    from prolotrack.domain.dates import parse_interval
    from prolotrack.render import across_patients

    window = parse_interval(within)
    with clinic(ctx).open(write=False) as desk:
        found = schedule.due(desk.db, desk.today, window)
    if overdue:
        found = [d for d in found if d.overdue]
    show(fmt, across_patients.due(found))


@report_app.command("outcomes")
def outcomes(
    ctx: typer.Context,
    condition: Annotated[
        str | None,
        typer.Option("--condition", metavar="TEXT", help="Only conditions containing this."),
    ] = None,
    measure: Annotated[
        str | None,
        typer.Option(
            "--measure",
            metavar="CODE",
            help="Judge every course on this instrument.",
            autocompletion=complete_instrument,
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="Courses started from this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Courses started up to this date.")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIMEPOINT",
            help="Judge each course on its score inside this follow-up window (3m, 6m, 12m)"
            " instead of its latest; the report counts those missing.",
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            "--by", metavar="GROUP", help="Group by condition, icd10, region or protocol."
        ),
    ] = "condition",
    fmt: FormatOption = Format.table,
) -> None:
    """The practice's outcomes by condition: medians, MCID reached, responder tiers."""
    from prolotrack.actions import outcomes_report
    from prolotrack.cli.bars import bar
    from prolotrack.domain import follow_up, vocab
    from prolotrack.domain.outcomes_report import GROUPS
    from prolotrack.render import across_patients

    group = vocab.one_of(by, GROUPS, "--by")
    point = follow_up.timepoint(at) if at is not None else None
    with clinic(ctx).open(write=False, registry=True) as desk:
        found = outcomes_report.outcomes(
            desk.db,
            condition=condition,
            measure=measure,
            since=desk.date(since) if since else None,
            until=desk.date(until) if until else None,
            at=point,
            today=desk.today,
            by=group,
            progress=bar("Working out the outcomes", "courses"),
        )
    show(fmt, across_patients.outcomes(found, group, str(point) if point else None))


report_app.command("course")(report_course)
