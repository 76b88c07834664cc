"""prolotrack form list | show | text"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prolotrack.cli.context import clinic
from prolotrack.cli.options import Format, FormatOption
from prolotrack.cli.output import say, show

app = typer.Typer(no_args_is_help=True)

FormArg = Annotated[str, typer.Argument(metavar="CODE", help="A form's code (see 'form list').")]


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """The built-in item-level forms: items, the instruments they score into, versions."""
    from prolotrack.actions import forms
    from prolotrack.domain.form_catalogue import FORMS
    from prolotrack.render import form_views

    worded = set()
    if clinic(ctx).exists():  # the forms need no database: wording, where loaded, does
        with clinic(ctx).open(write=False) as desk:
            worded = forms.worded(desk.db)
    show(fmt, form_views.forms(list(FORMS.values()), worded))


@app.command("show")
def show_(ctx: typer.Context, code: FormArg, fmt: FormatOption = Format.table) -> None:
    """A form's items and answer ranges, its scoring rule, what it does with a missing answer,
    the versions followed, and the clinic's wording where loaded."""
    from prolotrack.actions import forms
    from prolotrack.render import form_views

    chosen = forms.form(code)
    wording = {}
    if clinic(ctx).exists():
        with clinic(ctx).open(write=False) as desk:
            wording = forms.wording(desk.db, chosen)
    show(fmt, form_views.form(chosen, wording))


@app.command("text")
def text(
    ctx: typer.Context,
    code: FormArg,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.csv",
            help="Columns item, text and labels (0=None|1=Mild|...): the clinic's licensed"
            " wording.",
        ),
    ],
) -> None:
    """Load the clinic's own licensed wording of a form's items, for --ask (prolotrack ships
    item ids and rules only)."""
    from prolotrack.actions import forms

    chosen = forms.form(code)
    with clinic(ctx).open(write=True) as desk:
        worded = forms.load_wording(desk.db, chosen, file)
    say(f"Loaded the wording of {worded} of the {len(chosen.items)} items of {chosen.code}")
