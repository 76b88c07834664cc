"""Rich tables on the terminal; on a pipe, as wide as their content so nothing wraps."""

from __future__ import annotations

from typing import IO

from rich import box
from rich.cells import cell_len
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


def _table(listing: Listing, *, on_terminal: bool = True) -> Table:
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
    cells = [[text(row.get(c.key), c) for c in columns] for row in listing.rows]
    for n, column in enumerate(columns):
        # On a pipe nothing wraps, so each column is as wide as its widest cell: given the
        # width, Rich need not measure every cell again (a long listing renders faster).
        width = None if on_terminal else max(
            [cell_len(column.header), *(cell_len(row[n]) for row in cells)]
        )  # fmt: skip
        table.add_column(
            column.header,
            justify="right" if column.numeric else "left",
            overflow="fold",
            width=width,
            no_wrap=not on_terminal,
        )
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    return table


def listing(out: Console, view: Listing) -> None:
    if not view.rows:
        if view.title:
            out.print(Text(view.title, style="bold"))
        out.print(Text(view.empty, style="dim"))
        return
    out.print(_table(view, on_terminal=out.is_terminal))


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
