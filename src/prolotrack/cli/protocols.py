"""prolotrack protocol list | show | add | remove"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prolotrack.cli.completion import complete_instrument, complete_protocol, complete_site
from prolotrack.cli.context import clinic
from prolotrack.cli.options import Format, FormatOption
from prolotrack.cli.output import say, show, warn
from prolotrack.domain.vocab import plural

app = typer.Typer(no_args_is_help=True)

NameArg = Annotated[
    str, typer.Argument(metavar="NAME", help="Protocol name.", autocompletion=complete_protocol)
]


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List the protocols: the practice's own first, then the built-in ones they do not shadow."""
    from prolotrack.actions import listings
    from prolotrack.domain.protocols import BUILTIN
    from prolotrack.render import practice

    own = []
    if clinic(ctx).exists():
        with clinic(ctx).open(write=False) as desk:
            own = listings.practice_protocols(desk.db)
    mine = {p.name for p in own}
    found = [*sorted(own, key=lambda p: p.name), *(p for p in BUILTIN if p.name not in mine)]
    show(fmt, practice.protocols(found))


@app.command("show")
def show_(ctx: typer.Context, name: NameArg, fmt: FormatOption = Format.table) -> None:
    """Show a protocol: its sites, schedule, measure and source."""
    from prolotrack.actions import lookup
    from prolotrack.domain.errors import NotFound
    from prolotrack.domain.protocols import BUILTIN, check_name
    from prolotrack.render import practice

    if clinic(ctx).exists():
        with clinic(ctx).open(write=False) as desk:
            found = lookup.protocol(desk.db, name)
    else:
        found = next((p for p in BUILTIN if p.name == check_name(name)), None)
        if found is None:
            raise NotFound(f"no protocol {name!r} (see 'prolotrack protocol list')")
    show(fmt, practice.protocol(found))


@app.command("add")
def add(
    ctx: typer.Context,
    name: NameArg,
    site: Annotated[
        list[str] | None,
        typer.Option(
            "--site",
            metavar="SPEC",
            autocompletion=complete_site,
            help="SITE[:VOLUME[:SOLUTION[:SIDE]]]; repeat for each site.",
        ),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from", metavar="FILE", help="The protocol from a TOML file, or a CSV of its sites."
        ),
    ] = None,
    every: Annotated[
        str | None, typer.Option("--every", metavar="INTERVAL", help="Interval between sessions.")
    ] = None,
    sessions: Annotated[
        int | None, typer.Option("--sessions", metavar="N", help="Planned number of sessions.")
    ] = None,
    measure: Annotated[
        str | None,
        typer.Option(
            "--measure",
            metavar="CODE",
            autocompletion=complete_instrument,
            help="Primary outcome instrument.",
        ),
    ] = None,
    condition: Annotated[
        str | None, typer.Option("--condition", metavar="TEXT", help="What it treats.")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", metavar="TEXT", help="Where it comes from.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A note.")] = None,
    follow_up: Annotated[
        str | None,
        typer.Option(
            "--follow-up",
            metavar="TIMEPOINTS",
            help="Follow-up of its courses after the last session, e.g. 3m,6m,12m, or none.",
        ),
    ] = None,
) -> None:
    """Add the practice's own protocol (it shadows a built-in one of the same name)."""
    from prolotrack.actions import practice_protocols

    with clinic(ctx).open(write=True) as desk:
        made, warnings = practice_protocols.add(
            desk.db,
            name,
            sites=site or [],
            from_file=from_file,
            every=every,
            sessions=sessions,
            measure=measure,
            condition=condition,
            source=source,
            note=note,
            follow_up=follow_up,
        )
    for warning in warnings:
        warn(warning)
    say(f"Added protocol {made.name}: {plural(len(made.sites), 'site')}")


@app.command("remove")
def remove(ctx: typer.Context, name: NameArg) -> None:
    """Remove one of the practice's own protocols (a built-in one cannot be removed)."""
    from prolotrack.actions import practice_protocols

    with clinic(ctx).open(write=True) as desk:
        shadowed = practice_protocols.remove(desk.db, name)
    again = "; the built-in protocol of that name applies again" if shadowed else ""
    say(f"Removed protocol {name}{again}")
