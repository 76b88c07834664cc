"""prolotrack course start | list | show | close"""

from __future__ import annotations

from typing import Annotated

import typer

from prolotrack.cli.completion import complete_instrument, complete_patient, complete_protocol
from prolotrack.cli.context import clinic
from prolotrack.cli.options import CourseArg, Format, FormatOption, PatientArg
from prolotrack.cli.output import say, show

app = typer.Typer(no_args_is_help=True)


@app.command("start")
def start(
    ctx: typer.Context,
    patient: PatientArg,
    condition: Annotated[
        str,
        typer.Option(
            "--condition", metavar="TEXT", help="What is treated, e.g. 'right knee osteoarthritis'."
        ),
    ],
    region: Annotated[
        str | None, typer.Option("--region", metavar="TEXT", help="Body region, e.g. knee.")
    ] = None,
    side: Annotated[
        str | None,
        typer.Option("--side", metavar="SIDE", help="left, right, bilateral or midline."),
    ] = None,
    icd10: Annotated[
        str | None, typer.Option("--icd10", metavar="CODE", help="ICD-10 code, e.g. M17.11.")
    ] = None,
    measure: Annotated[
        str | None,
        typer.Option(
            "--measure",
            metavar="INSTRUMENT",
            autocompletion=complete_instrument,
            help="Primary outcome instrument [default: nrs, or the protocol's].",
        ),
    ] = None,
    every: Annotated[
        str | None,
        typer.Option(
            "--every", metavar="INTERVAL", help="Interval between sessions [default: 4w]."
        ),
    ] = None,
    sessions: Annotated[
        int | None, typer.Option("--sessions", metavar="N", help="Planned number of sessions.")
    ] = None,
    protocol: Annotated[
        str | None,
        typer.Option(
            "--protocol",
            metavar="NAME",
            autocompletion=complete_protocol,
            help="Follow this protocol: its interval, sessions and measure, unless"
            " given; its sites at each session.",
        ),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="Start date [default: today].")
    ] = None,
) -> None:
    """Start a treatment course for a patient."""
    from prolotrack.dates import parse_interval
    from prolotrack.domain import courses, lookup

    with clinic(ctx).open(write=True) as desk:
        owner = lookup.patient(desk.db, patient)
        plan = courses.CoursePlan(
            condition=condition,
            started_on=desk.date(on),
            region=region,
            side=side,
            icd10=icd10,
            measure=measure,
            interval=parse_interval(every) if every is not None else None,
            planned_sessions=sessions,
            protocol=protocol,
        )
        course = courses.start(desk.db, owner, plan, desk.today)
    say(f"Started course {course.id} for {owner.label}: {course.condition}")


@app.command("list")
def list_(
    ctx: typer.Context,
    patient: Annotated[
        str | None,
        typer.Option(
            "--patient",
            metavar="PATIENT",
            help="Only this patient's.",
            autocompletion=complete_patient,
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", metavar="STATUS", help="active, completed or discontinued."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List treatment courses."""
    from prolotrack.domain import lookup, vocab
    from prolotrack.render import records
    from prolotrack.storage import courses

    with clinic(ctx).open(write=False) as desk:
        owner = lookup.patient(desk.db, patient) if patient else None
        wanted = vocab.one_of(status, vocab.COURSE_STATUSES, "status") if status else None
        found = courses.listing(desk.db, patient_id=owner.id if owner else None, status=wanted)
    show(fmt, records.courses(found))


@app.command("show")
def show_(ctx: typer.Context, course: CourseArg, fmt: FormatOption = Format.table) -> None:
    """Show a course and its sessions."""
    from prolotrack.domain import lookup
    from prolotrack.render import records
    from prolotrack.storage import sessions

    with clinic(ctx).open(write=False) as desk:
        found = lookup.course(desk.db, course)
        its_sessions = sessions.listing(desk.db, course_id=found.id)
    show(fmt, records.course(found, its_sessions))


@app.command("close")
def close(
    ctx: typer.Context,
    course: CourseArg,
    status: Annotated[
        str, typer.Option("--status", metavar="STATUS", help="completed or discontinued.")
    ],
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="Why it was closed.")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="Closing date [default: today].")
    ] = None,
) -> None:
    """Close a course as completed or discontinued; it then takes no new session."""
    from prolotrack.domain import courses, lookup

    with clinic(ctx).open(write=True) as desk:
        found = lookup.course(desk.db, course)
        closed = courses.close(desk.db, found, status, desk.date(on), desk.today, reason)
    say(f"Closed course {closed.id} ({closed.condition}) as {closed.status} on {closed.closed_on}")
