"""prolotrack session log | list | show | amend | void | sign | cosign | addendum  (and the
shortcut prolotrack log)"""

from __future__ import annotations

from typing import Annotated

import typer

from prolotrack.cli.completion import (
    complete_course,
    complete_instrument,
    complete_patient,
    complete_protocol,
    complete_site,
)
from prolotrack.cli.context import clinic
from prolotrack.cli.options import CourseArg, Format, FormatOption, SessionArg
from prolotrack.cli.output import say, show, warn
from prolotrack.domain.vocab import plural

app = typer.Typer(no_args_is_help=True)


def _option(flag: str, metavar: str, help: str, kind=str | None, complete=None):
    return Annotated[kind, typer.Option(flag, metavar=metavar, help=help, autocompletion=complete)]


# The fields of a session, shared by `log` and `amend`.
Sites = _option(
    "--site",
    "SPEC",
    "SITE[:VOLUME[:SOLUTION[:SIDE]]], e.g. MCL:0.5:D15; repeatable.",
    list[str] | None,
    complete_site,
)
Protocol = _option(
    "--protocol",
    "NAME",
    "Log the sites of this protocol; --site adds to them, or"
    " replaces the one of the same name and side [default: the course's protocol"
    " when no --site is given].",
    complete=complete_protocol,
)
Solution = _option("--solution", "SOLUTION", "Solution of sites given without one.")
Volume = _option("--volume", "ML", "mL per site for sites given without one.")
Side = _option("--side", "SIDE", "Side of sites given without one.")
Pain = _option("--pain", "N", "Pain NRS 0-10 (short for --score nrs=N).", float | None)
Scores = _option(
    "--score",
    "INSTRUMENT=VALUE",
    "e.g. womac=52; repeatable.",
    list[str] | None,
    complete_instrument,
)
Anesthetic = _option("--anesthetic", "TEXT", "Anesthetic used.")
Guidance = _option(
    "--guidance",
    "GUIDANCE",
    "landmark, ultrasound, fluoroscopy or ct [default: the default-guidance setting].",
)
By = _option("--by", "NAME", "Practitioner [default: the practitioner setting].")
Note = _option("--note", "TEXT", "A free-text note.")
Adverse = _option(
    "--adverse", "KIND[:SEVERITY]", "e.g. flare:moderate; repeatable.", list[str] | None
)
Reason = Annotated[
    str, typer.Option("--reason", metavar="TEXT", help="Why: kept in the audit log.")
]
LogDate = _option("--date", "DATE", "Session date [default: today].")
AmendDate = _option("--date", "DATE", "The corrected date.")
OfPatient = _option("--patient", "PATIENT", "Only this patient's.", complete=complete_patient)
OfCourse = _option("--course", "COURSE", "Only this course's.", complete=complete_course)
Since = _option("--from", "DATE", "From this date.")
Until = _option("--to", "DATE", "Up to this date.")


def _sites(site, volume, solution, side) -> dict:
    from prolotrack.domain import vocab
    from prolotrack.domain.sites import parse_site
    from prolotrack.domain.sites import solution as read_solution
    from prolotrack.domain.sites import volume as read_volume

    return {
        "sites": [parse_site(s) for s in site or []],
        "volume_ml": read_volume(volume) if volume is not None else None,
        "solution": read_solution(solution) if solution is not None else None,
        "side": vocab.side(side) if side is not None else None,
    }


def _scores_and_events(pain, score, adverse) -> dict:
    from prolotrack.domain import instruments
    from prolotrack.domain.scores import parse_adverse

    assignments = [instruments.parse_assignment(s) for s in score or []]
    if pain is not None:
        assignments.insert(0, (instruments.PAIN, pain))
    return {"scores": assignments, "adverse": [parse_adverse(a) for a in adverse or []]}


@app.command("log")
def log(
    ctx: typer.Context,
    course: CourseArg,
    on: LogDate = None,
    site: Sites = None,
    protocol: Protocol = None,
    solution: Solution = None,
    volume: Volume = None,
    side: Side = None,
    pain: Pain = None,
    score: Scores = None,
    anesthetic: Anesthetic = None,
    guidance: Guidance = None,
    by: By = None,
    note: Note = None,
    adverse: Adverse = None,
) -> None:
    """Log a treatment session with its injection sites and scores."""
    from prolotrack.actions import lookup, sessions, site_names
    from prolotrack.domain.practice_protocols import unfamiliar_site
    from prolotrack.domain.sessions import SessionEntry, opposite_sides, past_plan, unrecognised

    with clinic(ctx).open(write=True) as desk:
        entry = SessionEntry(
            given_on=desk.date(on),
            **_sites(site, volume, solution, side),
            **_scores_and_events(pain, score, adverse),
            anesthetic=anesthetic,
            guidance=guidance if guidance is not None else desk.setting("default-guidance"),
            practitioner=by if by is not None else desk.setting("practitioner"),
            note=note,
            protocol=protocol,
        )
        found = lookup.course(desk.db, course)
        unfamiliar = site_names.unfamiliar(desk.db, [s.site for s in entry.sites])
        logged = sessions.log(desk.db, found, entry, desk.today, desk.setting("default-solution"))
    for message in logged.warnings:  # flags first, then doses, the volume cap, consent
        warn(message)
    for name, close in unfamiliar:
        warn(unfamiliar_site(name, close))
    for message in unrecognised(logged) + opposite_sides(found, logged) + past_plan(found, logged):
        warn(message)
    template = entry.template_for(found)
    say(
        f"Logged session {logged.number} of {found.label} on {logged.given_on}:"
        f" {plural(len(logged.injections), 'site')}, {logged.total_ml:g} mL"
        + (f" (protocol {template})" if template else "")
        + f" (session id {logged.id})"
    )


@app.command("amend")
def amend(
    ctx: typer.Context,
    session: SessionArg,
    reason: Reason,
    on: AmendDate = None,
    site: Sites = None,
    solution: Solution = None,
    volume: Volume = None,
    side: Side = None,
    pain: Pain = None,
    score: Scores = None,
    anesthetic: Anesthetic = None,
    guidance: Guidance = None,
    by: By = None,
    note: Note = None,
    adverse: Adverse = None,
    protocol: Protocol = None,
) -> None:
    """Correct a session: given --site options (or --protocol) replace its sites, given scores
    replace theirs.

    The values before and after, and the reason, are kept in the audit log.
    """
    from prolotrack.actions import listings, lookup, sessions
    from prolotrack.domain.sessions import SessionChanges, opposite_sides

    with clinic(ctx).open(write=True) as desk:
        changes = SessionChanges(
            given_on=desk.date(on) if on is not None else None,
            **_sites(site, volume, solution, side),
            **_scores_and_events(pain, score, adverse),
            anesthetic=anesthetic,
            guidance=guidance,
            practitioner=by,
            note=note,
            protocol=protocol,
        )
        found = lookup.session(desk.db, session)
        course = listings.course_of(desk.db, found)
        amended = sessions.amend(
            desk.db, found, course, changes, reason, desk.today, desk.setting("default-solution")
        )
    for message in opposite_sides(course, amended):
        warn(message)
    say(f"Amended session {amended.id}: {_named(amended, course)}")


@app.command("void")
def void(ctx: typer.Context, session: SessionArg, reason: Reason) -> None:
    """Void a session logged in error: it stays in the file, marked, and out of every report."""
    from prolotrack.actions import listings, lookup, sessions

    with clinic(ctx).open(write=True) as desk:
        found = lookup.session(desk.db, session)
        course = listings.course_of(desk.db, found)
        sessions.void(desk.db, found, reason)
    say(f"Voided session {found.id}: {_named(found, course)}; its scores are void too")


Meaning = Annotated[
    str,
    typer.Option("--meaning", metavar="MEANING", help="performed, reviewed or approved."),
]


@app.command("sign")
def sign(
    ctx: typer.Context,
    session: Annotated[
        list[str] | None,
        typer.Argument(metavar="[SESSION]...", help="Sessions to sign (an id, or COURSE#N)."),
    ] = None,
    mine: Annotated[
        bool, typer.Option("--mine", help="Every unsigned session I gave (the practitioner).")
    ] = False,
    meaning: Meaning = "performed",
) -> None:
    """Sign sessions: the signer (the practitioner setting), the time, the meaning and a hash
    of each session as it stands; then it is changed only by addenda."""
    from prolotrack.actions import lookup, signing

    if bool(session) == mine:
        raise typer.BadParameter("name the sessions to sign, or --mine (one of them)")
    with clinic(ctx).open(write=True) as desk:
        if mine:
            me = signing.signer(desk.db)
            chosen = [s for s in signing.unsigned(desk.db, desk.today) if s.practitioner == me]
        else:
            chosen = [lookup.session(desk.db, s) for s in session]
        signed = signing.sign(desk.db, chosen, meaning)
    for s, g in zip(chosen, signed, strict=True):
        say(f"Signed {signing.label(s)} ({s.given_on}): {g.shown}")


@app.command("cosign")
def cosign(ctx: typer.Context, session: SessionArg, meaning: Meaning = "reviewed") -> None:
    """Co-sign a signed session (a supervisor's review): another signer, time and meaning."""
    from prolotrack.actions import lookup, signing

    with clinic(ctx).open(write=True) as desk:
        found = lookup.session(desk.db, session)
        signed = signing.cosign(desk.db, found, meaning)
    say(f"Co-signed {signing.label(found)} ({found.given_on}): {signed.shown}")


@app.command("addendum")
def addendum(
    ctx: typer.Context,
    session: SessionArg,
    note: Annotated[str, typer.Option("--note", metavar="TEXT", help="What the addendum says.")],
) -> None:
    """Add to a session, signed or not: dated, attributed and signed by its writer."""
    from prolotrack.actions import lookup, signing

    with clinic(ctx).open(write=True) as desk:
        found = lookup.session(desk.db, session)
        added = signing.addendum(desk.db, found, note)
    say(f"Added to {signing.label(found)} ({found.given_on}): {added.shown}")


def _named(session, course) -> str:
    """Which session a confirmation speaks of, in the words a practitioner uses."""
    return f"session {session.number} of {course.label}, on {session.given_on}"


@app.command("list")
def list_(
    ctx: typer.Context,
    patient: OfPatient = None,
    course: OfCourse = None,
    since: Since = None,
    until: Until = None,
    include_voided: Annotated[
        bool, typer.Option("--include-voided", help="Show voided sessions too, marked.")
    ] = False,
    unsigned: Annotated[
        bool, typer.Option("--unsigned", help="Only sessions not signed yet.")
    ] = False,
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            metavar="INTERVAL",
            help="With --unsigned: only those older than this (3d, 1w).",
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List sessions, oldest first (--unsigned: those still to sign)."""
    from prolotrack.actions import listings
    from prolotrack.domain.dates import parse_interval
    from prolotrack.domain.errors import InvalidInput
    from prolotrack.render import records

    if older_than is not None and not unsigned:
        raise InvalidInput("--older-than goes with --unsigned")
    with clinic(ctx).open(write=False) as desk:  # printed as it is read, in one snapshot
        if unsigned:
            days = None
            if older_than is not None:
                days = (parse_interval(older_than).after(desk.today) - desk.today).days
            read = listings.unsigned_list(desk.db, desk.today, days)
            show(fmt, records.sessions(read, with_voided=False))
            return
        read = listings.session_list(
            desk.db,
            patient=patient,
            course=course,
            since=desk.date(since) if since else None,
            until=desk.date(until) if until else None,
            include_voided=include_voided,
        )
        show(fmt, records.sessions(read, with_voided=include_voided))


@app.command("show")
def show_(ctx: typer.Context, session: SessionArg, fmt: FormatOption = Format.table) -> None:
    """Show a session: its injection sites, scores and adverse events."""
    from prolotrack.actions import listings
    from prolotrack.render import records

    with clinic(ctx).open(write=False) as desk:
        found, owner, signed = listings.session_file(desk.db, session)
    show(fmt, records.session(found, owner, signed))
