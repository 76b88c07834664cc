"""prolotrack course start | list | show | close | edit | reopen | void | consent | rehab"""

from __future__ import annotations

from typing import Annotated

import typer

from prolotrack.cli.completion import complete_instrument, complete_patient, complete_protocol
from prolotrack.cli.context import clinic
from prolotrack.cli.options import CourseArg, Format, FormatOption, PatientArg
from prolotrack.cli.output import say, show

app = typer.Typer(no_args_is_help=True)

FollowUp = Annotated[
    str | None,
    typer.Option(
        "--follow-up",
        metavar="TIMEPOINTS",
        help="Follow-up after the last session, e.g. 3m,6m,12m, or none [default: the"
        " protocol's, else the follow-up setting, else 3m,6m,12m].",
    ),
]
Reason = Annotated[
    str, typer.Option("--reason", metavar="TEXT", help="Why: kept in the audit log.")
]
Region = Annotated[
    str | None, typer.Option("--region", metavar="TEXT", help="Body region, e.g. knee.")
]
Side = Annotated[
    str | None, typer.Option("--side", metavar="SIDE", help="left, right, bilateral or midline.")
]
Icd10 = Annotated[
    str | None, typer.Option("--icd10", metavar="CODE", help="ICD-10 code, e.g. M17.11.")
]
Sessions = Annotated[
    int | None, typer.Option("--sessions", metavar="N", help="Planned number of sessions.")
]


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
    region: Region = None,
    side: Side = None,
    icd10: Icd10 = None,
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
    sessions: Sessions = None,
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
    follow_up: FollowUp = None,
) -> None:
    """Start a treatment course for a patient."""
    from prolotrack.actions import courses, lookup
    from prolotrack.domain.courses import CoursePlan
    from prolotrack.domain.dates import parse_interval

    with clinic(ctx).open(write=True) as desk:
        owner = lookup.patient(desk.db, patient)
        plan = CoursePlan(
            condition=condition,
            started_on=desk.date(on),
            region=region,
            side=side,
            icd10=icd10,
            measure=measure,
            interval=parse_interval(every) if every is not None else None,
            planned_sessions=sessions,
            protocol=protocol,
            follow_up=follow_up,
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
        typer.Option(
            "--status",
            metavar="STATUS",
            help="active, completed or discontinued; voided for those voided in error.",
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List treatment courses (not those voided in error, unless --status voided)."""
    from prolotrack.actions import listings
    from prolotrack.render import records

    with clinic(ctx).open(write=False) as desk:
        found = listings.course_list(desk.db, patient, status)
    show(fmt, records.courses(found))


@app.command("show")
def show_(ctx: typer.Context, course: CourseArg, fmt: FormatOption = Format.table) -> None:
    """Show a course and its sessions."""
    from prolotrack.actions import listings
    from prolotrack.render import records

    with clinic(ctx).open(write=False) as desk:
        found, its_sessions = listings.course_file(desk.db, course)
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
    from prolotrack.actions import courses, lookup

    with clinic(ctx).open(write=True) as desk:
        found = lookup.course(desk.db, course)
        closed = courses.close(desk.db, found, status, desk.date(on), desk.today, reason)
    say(f"Closed {closed.label} as {closed.status} on {closed.closed_on}")


@app.command("edit")
def edit(
    ctx: typer.Context,
    course: CourseArg,
    reason: Reason,
    condition: Annotated[str | None, typer.Option("--condition", metavar="TEXT")] = None,
    region: Region = None,
    side: Side = None,
    icd10: Icd10 = None,
    measure: Annotated[
        str | None,
        typer.Option("--measure", metavar="INSTRUMENT", autocompletion=complete_instrument),
    ] = None,
    every: Annotated[str | None, typer.Option("--every", metavar="INTERVAL")] = None,
    sessions: Sessions = None,
    on: Annotated[str | None, typer.Option("--date", metavar="DATE", help="Start date.")] = None,
    protocol: Annotated[
        str | None,
        typer.Option("--protocol", metavar="NAME", autocompletion=complete_protocol),
    ] = None,
    follow_up: FollowUp = None,
) -> None:
    """Correct a course's fields; the reason is kept in the audit log."""
    from prolotrack.actions import courses, lookup
    from prolotrack.domain.courses import CourseChanges
    from prolotrack.domain.dates import parse_interval

    with clinic(ctx).open(write=True) as desk:
        found = lookup.course(desk.db, course)
        changes = CourseChanges(
            condition=condition,
            region=region,
            side=side,
            icd10=icd10,
            measure=measure,
            interval=parse_interval(every) if every is not None else None,
            planned_sessions=sessions,
            started_on=desk.date(on) if on is not None else None,
            protocol=protocol,
            follow_up=follow_up,
        )
        edited = courses.edit(desk.db, found, changes, reason, desk.today)
    say(f"Corrected {edited.label}")


@app.command("reopen")
def reopen(ctx: typer.Context, course: CourseArg, reason: Reason) -> None:
    """Make a course closed in error active again."""
    from prolotrack.actions import courses, lookup

    with clinic(ctx).open(write=True) as desk:
        reopened = courses.reopen(desk.db, lookup.course(desk.db, course), reason)
    say(f"Reopened {reopened.label}: active again")


@app.command("void")
def void(ctx: typer.Context, course: CourseArg, reason: Reason) -> None:
    """Void a course entered in error: it stays in the file, out of every report."""
    from prolotrack.actions import courses, lookup

    with clinic(ctx).open(write=True) as desk:
        voided = courses.void(desk.db, lookup.course(desk.db, course), reason)
    say(f"Voided {voided.label}; it stays in the file, out of reports")


@app.command("consent")
def consent(
    ctx: typer.Context,
    course: CourseArg,
    on: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="Date given [default: today].")
    ] = None,
    form: Annotated[
        str | None, typer.Option("--form", metavar="TEXT", help="The consent form used.")
    ] = None,
    research: Annotated[
        bool,
        typer.Option(
            "--research",
            help="Consent to the course's pseudonymised outcomes going to research (a registry).",
        ),
    ] = False,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="With --research: withdraw that consent.")
    ] = False,
) -> None:
    """Record the patient's consent to a course (log warns while there is none), or with
    --research, to research (--withdraw to withdraw it)."""
    from prolotrack.actions import courses, lookup
    from prolotrack.domain.errors import InvalidInput

    if withdraw and not research:
        raise InvalidInput("--withdraw withdraws consent to research: give --research too")
    if research and form:
        raise InvalidInput("--form names the treatment's consent form, not research consent")
    with clinic(ctx).open(write=True) as desk:
        found = lookup.course(desk.db, course)
        if withdraw:
            done = courses.withdraw_research(desk.db, found, desk.date(on), desk.today)
            say(
                f"Research consent to {done.label} withdrawn on {done.research_withdrawn_on}:"
                " no further row of it goes to a registry"
            )
            return
        if research:
            done = courses.research_consent(desk.db, found, desk.date(on), desk.today)
            say(f"Research consent to {done.label} recorded on {done.research_consent_on}")
            return
        given = courses.consent(desk.db, found, desk.date(on), form, desk.today)
    say(f"Consent to {given.label} recorded on {given.consent_on}")


@app.command("rehab")
def rehab(
    ctx: typer.Context,
    course: CourseArg,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="exercise, physiotherapy, brace, activity-modification, nsaid-avoidance or other.",
        ),
    ],
    since: Annotated[str | None, typer.Option("--from", metavar="DATE", help="From.")] = None,
    until: Annotated[str | None, typer.Option("--to", metavar="DATE", help="To.")] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="What, e.g. eccentric loading.")
    ] = None,
) -> None:
    """Record rehabilitation alongside a course's injections: exercise, physiotherapy..."""
    from prolotrack.actions import courses, lookup

    with clinic(ctx).open(write=True) as desk:
        found = lookup.course(desk.db, course)
        made = courses.rehabilitation(
            desk.db,
            found,
            kind,
            desk.date(since) if since else None,
            desk.date(until) if until else None,
            note,
        )
    when = f"{made['from_on'] or '...'} to {made['to_on'] or 'now'}"
    say(f"Recorded {made['kind']} for {found.label}: {when}")
