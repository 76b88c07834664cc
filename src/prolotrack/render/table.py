"""Rich tables on the terminal; on a pipe, as wide as their content so nothing wraps."""

from __future__ import annotations

from typing import IO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from prolotrack.render.view import Listing, Record, text

_PIPE_WIDTH = 100_000


def console(file: IO[str] | None = None) -> Console:
    """A console for standard output: a terminal's width, or unbounded on a pipe."""
    probe = Console(file=file)
    if probe.is_terminal:
        return probe
    return Console(file=file, width=_PIPE_WIDTH, no_color=True, highlight=False)


def _table(listing: Listing) -> Table:
    table = Table(
        title=listing.title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        highlight=False,
    )
    columns = [c for c in listing.columns if c.in_table]
    for column in columns:
        table.add_column(
            column.header,
            justify="right" if column.numeric else "left",
            overflow="fold",
        )
    for row in listing.rows:
        table.add_row(*(Text(text(row.get(c.key), c)) for c in columns))
    return table


def listing(out: Console, view: Listing) -> None:
    if not view.rows:
        if view.title:
            out.print(Text(view.title, style="bold"))
        out.print(Text(view.empty, style="dim"))
        return
    out.print(_table(view))


def record(out: Console, view: Record) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for column, value in view.fields:
        if not (value is None or value is False or value == ""):  # blank fields are noise
            grid.add_row(column.header, Text(text(value, column)))
    if view.title:
        out.print(Text(view.title, style="bold underline"))
    out.print(grid)
    for section in view.sections.values():
        out.print()
        listing(out, section)
