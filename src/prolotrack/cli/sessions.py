"""prolotrack session log | list | show  (and the shortcut prolotrack log)"""

from __future__ import annotations

from typing import Annotated

import typer

from prolotrack.cli.context import clinic
from prolotrack.cli.options import CourseArg, Format, FormatOption, SessionArg
from prolotrack.cli.output import say, show

app = typer.Typer(no_args_is_help=True)


@app.command("log")
def log(
    ctx: typer.Context,
    course: CourseArg,
    on: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="Session date [default: today].")
    ] = None,
    site: Annotated[
        list[str] | None,
        typer.Option(
            "--site",
            metavar="SPEC",
            help="SITE[:VOLUME[:SOLUTION[:SIDE]]], e.g. MCL:0.5:D15; repeat for each site.",
        ),
    ] = None,
    solution: Annotated[
        str | None,
        typer.Option("--solution", metavar="SOLUTION", help="Solution of sites given without one."),
    ] = None,
    volume: Annotated[
        str | None,
        typer.Option("--volume", metavar="ML", help="mL per site for sites given without one."),
    ] = None,
    side: Annotated[
        str | None, typer.Option("--side", metavar="SIDE", help="Side of sites given without one.")
    ] = None,
    pain: Annotated[
        float | None,
        typer.Option("--pain", metavar="N", help="Pain NRS 0-10 (short for --score nrs=N)."),
    ] = None,
    score: Annotated[
        list[str] | None,
        typer.Option(
            "--score",
            metavar="INSTRUMENT=VALUE",
            help="INSTRUMENT=VALUE, e.g. womac=52; repeat for each.",
        ),
    ] = None,
    anesthetic: Annotated[
        str | None, typer.Option("--anesthetic", metavar="TEXT", help="Anesthetic used.")
    ] = None,
    guidance: Annotated[
        str | None,
        typer.Option("--guidance", metavar="GUIDANCE", help="landmark, ultrasound or fluoroscopy."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", metavar="NAME", help="Practitioner [default: the practitioner setting]."
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="A free-text note.")
    ] = None,
    adverse: Annotated[
        list[str] | None,
        typer.Option(
            "--adverse",
            metavar="KIND[:SEVERITY]",
            help="KIND[:SEVERITY], e.g. flare:moderate; repeatable.",
        ),
    ] = None,
) -> None:
    """Log a treatment session with its injection sites and scores."""
    from prolotrack.domain import instruments, lookup, sessions, vocab
    from prolotrack.domain.scores import parse_adverse
    from prolotrack.domain.sites import parse_site
    from prolotrack.domain.sites import solution as read_solution
    from prolotrack.domain.sites import volume as read_volume

    assignments = [instruments.parse_assignment(s) for s in score or []]
    if pain is not None:
        assignments.insert(0, (instruments.PAIN, pain))
    with clinic(ctx).open(write=True) as desk:
        entry = sessions.SessionEntry(
            given_on=desk.date(on),
            sites=[parse_site(s) for s in site or []],
            volume_ml=read_volume(volume) if volume is not None else None,
            solution=read_solution(solution) if solution is not None else None,
            side=vocab.side(side) if side is not None else None,
            scores=assignments,
            adverse=[parse_adverse(a) for a in adverse or []],
            anesthetic=anesthetic,
            guidance=guidance,
            practitioner=by if by is not None else desk.setting("practitioner"),
            note=note,
        )
        found = lookup.course(desk.db, course)
        logged = sessions.log(desk.db, found, entry, desk.today, desk.setting("default-solution"))
    say(
        f"Logged session {logged.number} of course {found.id} ({found.condition}) on"
        f" {logged.given_on}: {len(logged.injections)} sites, {logged.total_ml:g} mL"
        f" (session id {logged.id})"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    patient: Annotated[
        str | None, typer.Option("--patient", metavar="PATIENT", help="Only this patient's.")
    ] = None,
    course: Annotated[
        str | None, typer.Option("--course", metavar="COURSE", help="Only this course's.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="From this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Up to this date.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List sessions, oldest first."""
    from prolotrack.domain import lookup
    from prolotrack.render import records
    from prolotrack.storage import courses, sessions

    with clinic(ctx).open(write=False) as desk:
        owner = lookup.patient(desk.db, patient) if patient else None
        of_course = lookup.course(desk.db, course) if course else None
        found = sessions.listing(
            desk.db,
            patient_id=owner.id if owner else None,
            course_id=of_course.id if of_course else None,
            since=desk.date(since) if since else None,
            until=desk.date(until) if until else None,
        )
        owners = {cid: courses.get(desk.db, cid) for cid in {s.course_id for s in found}}
    show(fmt, records.sessions(found, owners))


@app.command("show")
def show_(
    ctx: typer.Context,
    session: SessionArg,
    fmt: FormatOption = Format.table,
) -> None:
    """Show a session: its injection sites, scores and adverse events."""
    from prolotrack.domain import lookup
    from prolotrack.render import records
    from prolotrack.storage import courses

    with clinic(ctx).open(write=False) as desk:
        found = lookup.session(desk.db, session)
        owner = courses.get(desk.db, found.course_id)
    show(fmt, records.session(found, owner))
