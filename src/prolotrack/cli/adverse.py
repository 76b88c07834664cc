"""prolotrack adverse add | amend | void | resolve | list"""

from __future__ import annotations

from typing import Annotated

import typer

from prolotrack.cli.context import clinic
from prolotrack.cli.options import Format, FormatOption, SessionArg
from prolotrack.cli.output import say, show
from prolotrack.domain.vocab import ADVERSE_KINDS

app = typer.Typer(no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    session: SessionArg,
    kind: Annotated[
        str, typer.Argument(metavar="KIND", help=f"One of: {', '.join(ADVERSE_KINDS)}.")
    ],
    severity: Annotated[
        str | None,
        typer.Option(
            "--severity",
            metavar="SEVERITY",
            help="mild, moderate or severe [default: mild; infection, pneumothorax, nerve-injury,"
            " spinal-headache, allergy and bleeding must say it].",
            show_default=False,
        ),
    ] = None,
    onset: Annotated[
        str | None,
        typer.Option(
            "--onset", metavar="DATE", help="Date it began [default: the session's date]."
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="What happened.")
    ] = None,
    serious: Annotated[
        bool,
        typer.Option("--serious", help="A serious adverse event (then --severity is required)."),
    ] = False,
) -> None:
    """Record an adverse event after a session."""
    from prolotrack.actions import lookup, scores

    with clinic(ctx).open(write=True) as desk:
        found = lookup.session(desk.db, session)
        event = scores.add_adverse(
            desk.db,
            found,
            kind,
            severity,
            desk.date(onset, found.given_on),
            desk.today,
            note,
            serious=serious,
        )
        owner = lookup.course_of_session(desk.db, found.id)
    say(
        f"Recorded adverse event {event.id}: {event.kind} ({event.severity}"
        f"{', serious' if event.serious else ''}) after session {found.number} of {owner.label}"
    )


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    event: Annotated[
        int, typer.Argument(metavar="EVENT", help="Adverse event id, as shown by 'session show'.")
    ],
    on: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="Date resolved [default: today].")
    ] = None,
) -> None:
    """Mark an adverse event resolved."""
    from prolotrack.actions import lookup, scores

    with clinic(ctx).open(write=True) as desk:
        resolved = scores.resolve_adverse(desk.db, event, desk.date(on), desk.today)
        owner = lookup.course_of_session(desk.db, resolved.session_id)
    say(
        f"Adverse event {resolved.id} ({resolved.kind}) of {owner.label} resolved on"
        f" {resolved.resolved_on}"
    )


@app.command("amend")
def amend(
    ctx: typer.Context,
    event: Annotated[
        int, typer.Argument(metavar="EVENT", help="Adverse event id, as 'adverse list' shows it.")
    ],
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEXT", help="Why: kept in the audit log.")
    ],
    kind: Annotated[
        str | None, typer.Option("--kind", metavar="KIND", help="The corrected kind.")
    ] = None,
    severity: Annotated[
        str | None, typer.Option("--severity", metavar="SEVERITY", help="mild, moderate or severe.")
    ] = None,
    serious: Annotated[
        bool | None,
        typer.Option(
            "--serious/--not-serious",
            help="Whether it was a serious adverse event.",
            show_default=False,
        ),
    ] = None,
    onset: Annotated[
        str | None, typer.Option("--onset", metavar="DATE", help="The corrected onset.")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="What happened.")
    ] = None,
) -> None:
    """Correct an adverse event recorded wrongly; the reason is kept in the audit log."""
    from prolotrack.actions import lookup, scores

    with clinic(ctx).open(write=True) as desk:
        amended = scores.amend_adverse(
            desk.db,
            event,
            reason,
            desk.today,
            kind=kind,
            severity=severity,
            serious=serious,
            onset=desk.date(onset) if onset is not None else None,
            note=note,
        )
        owner = lookup.course_of_session(desk.db, amended.session_id)
    say(
        f"Amended adverse event {amended.id}: {amended.kind} ({amended.severity}"
        f"{', serious' if amended.serious else ''}) of {owner.label}"
    )


@app.command("void")
def void(
    ctx: typer.Context,
    event: Annotated[
        int, typer.Argument(metavar="EVENT", help="Adverse event id, as 'adverse list' shows it.")
    ],
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEXT", help="Why: kept in the audit log.")
    ],
) -> None:
    """Void an adverse event recorded in error: kept, with the reason, and left out of every
    list, report and export."""
    from prolotrack.actions import lookup, scores

    with clinic(ctx).open(write=True) as desk:
        voided = scores.void_adverse(desk.db, event, reason)
        owner = lookup.course_of_session(desk.db, voided.session_id)
    say(f"Voided adverse event {voided.id} ({voided.kind}) of {owner.label}: {voided.void_reason}")


@app.command("list")
def list_(
    ctx: typer.Context,
    still_open: Annotated[bool, typer.Option("--open", help="Only those not resolved.")] = False,
    since: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="Onset from this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Onset up to this date.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List adverse events by onset, with their patient, course and session."""
    from prolotrack.actions import listings
    from prolotrack.render import across_patients

    with clinic(ctx).open(write=False) as desk:
        found, given, owners = listings.adverse_list(
            desk.db,
            open_only=still_open,
            since=desk.date(since) if since else None,
            until=desk.date(until) if until else None,
        )
    show(fmt, across_patients.adverse(found, given, owners))
