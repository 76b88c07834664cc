"""prolotrack demo: a sample clinic in its own file, never the practitioner's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prolotrack.cli.context import Clinic, clinic
from prolotrack.cli.output import say

DEMO_MARK = "demo"


def _demo_path() -> Path:
    from prolotrack.actions.care import default_path

    return default_path().with_name("demo.db")


def demo(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="PATH",
            help="Where to build the sample clinic [default: demo.db in the user data folder].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build a sample clinic in its own file, say what it holds, and what to try next."""
    from prolotrack.actions import sample_clinic
    from prolotrack.actions.care import FileCare
    from prolotrack.domain.errors import Refused

    path = (file or _demo_path()).expanduser()
    if path.exists():
        with Clinic(path).open(write=False) as desk:
            is_demo = desk.setting(DEMO_MARK) is not None
        if not is_demo:
            raise Refused(f"{path} exists and is not a demo file; refusing to replace it")
        FileCare(path).forget()  # the old sample, and its audit key with it
    sample = Clinic(path, clinic(ctx).today_option)
    with sample.open(write=True) as desk:
        made = sample_clinic.build(desk.db, desk.today, mark=DEMO_MARK)
    counts = ", ".join(f"{n} {what}" for what, n in made.items())
    typer.echo(f"Built a sample clinic in {path}:\n  {counts}\n")
    _show_progress(sample, "P-0002")
    typer.echo("\nTry next:")
    for command in (
        "summary --days 7",
        "due --within 4w",
        "report outcomes",
        "report course P-0003 -o report.html",
    ):
        typer.echo(f"  prolotrack --db {path} {command}")
    typer.echo(
        "\nEvery command explains itself: prolotrack --help, prolotrack log --help."
        "\nYour own clinic: leave out --db ('prolotrack db path' says where it is kept),"
        '\nand begin with  prolotrack patient add "Ada Lovelace" --chart P-0001'
        "\n(docs/guide.md walks through a first course, step by step)."
    )
    say("(the demo file is separate: your own database is untouched)")


def _show_progress(sample: Clinic, patient: str) -> None:
    from prolotrack.actions import progress
    from prolotrack.render import progress as render
    from prolotrack.render import table

    with sample.open(write=False) as desk:
        found = progress.of_reference(desk.db, patient, desk.today, None)
    render.tables(table.console(), found, sample.today)
