"""Sending a view to standard output in the chosen format, and messages to standard error."""

from __future__ import annotations

import sys

import typer

from prolotrack.cli.options import Format


def show(fmt: Format, view) -> None:
    """Print a Listing or a Record as a table, CSV or JSON on standard output."""
    from prolotrack.render import delimited, jsondoc, table
    from prolotrack.render.view import Listing

    kind = "listing" if isinstance(view, Listing) else "record"
    if fmt is Format.table:
        getattr(table, kind)(table.console(), view)
    else:
        getattr(delimited if fmt is Format.csv else jsondoc, kind)(sys.stdout, view)


def say(message: str) -> None:
    """A message for the person at the terminal: standard error, so data stay clean."""
    typer.echo(message, err=True)


def warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)
