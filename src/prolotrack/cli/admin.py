"""prolotrack instruments | config: the outcome catalogue and the practice's settings."""

from __future__ import annotations

from typing import Annotated

import typer

from prolotrack.cli.completion import complete_instrument
from prolotrack.cli.context import clinic
from prolotrack.cli.options import Format, FormatOption
from prolotrack.cli.output import say, show
from prolotrack.domain.settings import SETTINGS

SETTING_KEYS = tuple(SETTINGS)

instruments_app = typer.Typer(invoke_without_command=True)
config_app = typer.Typer(no_args_is_help=True)


@instruments_app.callback()
def instruments_default(ctx: typer.Context) -> None:
    """The outcome instruments: range, direction and MCID of each (bare: the list)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(instruments_list, ctx=ctx, fmt=Format.table)


@instruments_app.command("list")
def instruments_list(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List the instruments with their range, direction and MCID."""
    from prolotrack.actions import listings
    from prolotrack.domain.instruments import CATALOGUE
    from prolotrack.render import practice

    if clinic(ctx).exists():
        with clinic(ctx).open(write=False) as desk:
            found = listings.instruments(desk.db)
    else:  # the catalogue needs no database: show the built-in one
        found = list(CATALOGUE)
    show(fmt, practice.instruments(found))


@instruments_app.command("show")
def instruments_show(
    ctx: typer.Context,
    code: Annotated[
        str,
        typer.Argument(
            metavar="CODE", help="Instrument code, e.g. womac.", autocompletion=complete_instrument
        ),
    ],
    fmt: FormatOption = Format.table,
) -> None:
    """Show one instrument, with the source of its MCID."""
    from prolotrack.actions import listings
    from prolotrack.domain.errors import NotFound
    from prolotrack.domain.instruments import CATALOGUE
    from prolotrack.render import practice

    if clinic(ctx).exists():
        with clinic(ctx).open(write=False) as desk:
            found = listings.instrument(desk.db, code)
    else:
        found = next((i for i in CATALOGUE if i.code == code.strip().lower()), None)
    if found is None:
        raise NotFound(f"unknown instrument {code!r} (see 'prolotrack instruments list')")
    show(fmt, practice.instrument(found))


@config_app.command("list")
def config_list(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List the settings, each with its value and whether it was set."""
    from prolotrack.actions import settings
    from prolotrack.domain.settings import SETTINGS
    from prolotrack.render import practice

    stored: dict[str, str] = {}
    if clinic(ctx).exists():
        with clinic(ctx).open(write=False) as desk:
            stored = settings.all_set(desk.db)
    rows = [
        {
            "key": s.key,
            "value": stored.get(s.key, s.default),
            "source": "set" if s.key in stored else "default",
            "meaning": s.meaning,
        }
        for s in SETTINGS.values()
    ]
    show(fmt, practice.settings(rows))


@config_app.command("get")
def config_get(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="The setting's name.")],
) -> None:
    """Print one setting's value (exit status 1 when it is not set)."""
    from prolotrack.domain.errors import NotFound
    from prolotrack.domain.settings import setting

    known = setting(key)
    value = known.default
    if clinic(ctx).exists():
        with clinic(ctx).open(write=False) as desk:
            value = desk.setting(known.key) or value
    if value is None:
        raise NotFound(f"{known.key} is not set (accepts {known.accepts})")
    typer.echo(value)


@config_app.command("set")
def config_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help=f"One of: {', '.join(SETTING_KEYS)}.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")],
) -> None:
    """Set one of the practice's settings ('config list' says what each means and takes)."""
    from prolotrack.actions import settings
    from prolotrack.domain.settings import read, setting

    known = setting(key)
    stored = read(known.key, value)
    with clinic(ctx).open(write=True) as desk:
        settings.put(desk.db, known.key, stored)
    say(f"{known.key} = {stored}")


@config_app.command("unset")
def config_unset(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="The setting's name.")],
) -> None:
    """Remove a setting, so that its default applies again."""
    from prolotrack.actions import settings
    from prolotrack.domain.settings import setting

    known = setting(key)
    with clinic(ctx).open(write=True) as desk:
        settings.remove(desk.db, known.key)
    say(f"{known.key} is no longer set")


@instruments_app.command("add")
def instruments_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="A new code, e.g. womac-100.")],
    name: Annotated[str, typer.Option("--name", metavar="TEXT", help="What it measures.")],
    minimum: Annotated[float, typer.Option("--min", metavar="N", help="Lowest score.")],
    maximum: Annotated[float, typer.Option("--max", metavar="N", help="Highest score.")],
    better: Annotated[
        str, typer.Option("--better", metavar="lower|higher", help="Which way is improvement.")
    ],
    mcid: Annotated[
        str | None, typer.Option("--mcid", metavar="X", help="Its MCID (or 'none').")
    ] = None,
    percent: Annotated[
        bool, typer.Option("--percent", help="The MCID is a % of the baseline, not points.")
    ] = False,
    source: Annotated[
        str | None, typer.Option("--source", metavar="TEXT", help="Where the MCID comes from.")
    ] = None,
) -> None:
    """Add the practice's own instrument: another version of a scale, a local one."""
    from prolotrack.actions import instrument_changes

    with clinic(ctx).open(write=True) as desk:
        made = instrument_changes.add(
            desk.db,
            code,
            name=name,
            minimum=minimum,
            maximum=maximum,
            better=better,
            mcid=mcid,
            percent=percent,
            source=source,
        )
    say(f"Added instrument {made.code}: {made.name} ({made.range_text}, MCID {made.mcid_text})")


@instruments_app.command("set")
def instruments_set(
    ctx: typer.Context,
    code: Annotated[
        str,
        typer.Argument(metavar="CODE", help="Instrument code.", autocompletion=complete_instrument),
    ],
    mcid: Annotated[str, typer.Option("--mcid", metavar="X", help="The MCID (or 'none').")],
    percent: Annotated[
        bool | None,
        typer.Option("--percent/--points", help="A % of the baseline, or points [default: as is]."),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", metavar="TEXT", help="Where this MCID comes from.")
    ] = None,
) -> None:
    """Change an instrument's MCID; progress and reports use it from then on."""
    from prolotrack.actions import instrument_changes

    with clinic(ctx).open(write=True) as desk:
        changed = instrument_changes.set_mcid(
            desk.db, code, mcid, percent=percent, source=source, today=desk.today
        )
    say(f"{changed.code}: MCID {changed.mcid_text} ({changed.source})")
