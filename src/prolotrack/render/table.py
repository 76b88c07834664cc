"""Rich tables on the terminal; on a pipe, as wide as their content so nothing wraps."""

from __future__ import annotations

from typing import IO

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.segment import Segment
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
    columns = [c for c in listing.columns if c.in_table]
    cells = [[text(row.get(c.key), c) for c in columns] for row in listing.rows]
    if not on_terminal and all(cell.isprintable() for row in cells for cell in row):
        return _pipe_table(listing.title, columns, cells)
    table = _frame(listing.title)
    for column in columns:  # on a pipe, a line break in a value breaks the line in its cell
        table.add_column(column.header, justify="right" if column.numeric else "left",
                         overflow="fold", no_wrap=not on_terminal)  # fmt: skip
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    return table


def _frame(title: str | None, **options) -> Table:
    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        highlight=False,
        **options,
    )


class _Placed:
    """A cell already justified and padded to its column's width: Rich places it as it is."""

    __slots__ = ("line",)

    def __init__(self, line: str):
        self.line = line

    def __rich_console__(self, console, options):
        yield Segment(self.line)

    def __rich_measure__(self, console, options):
        return Measurement(cell_len(self.line), cell_len(self.line))


def _pipe_table(title: str | None, columns: list, cells: list[list[str]]) -> Table:
    """The table as the terminal's would look with room for every value, for a pipe.

    Nothing wraps on a pipe, so each column is as wide as its widest cell, and each cell is
    justified and given the column's one-space padding here, once: drawing a long listing (a
    due list, a year of sessions) then takes a third of the time Rich needs to lay out every
    cell of a table it may have to wrap. The output is the same, character for character."""
    table = _frame(title, padding=0)
    last = len(columns) - 1
    for n, column in enumerate(columns):
        width = max([cell_len(column.header), *(cell_len(row[n]) for row in cells)])
        left, right = (" " if n > 0 else ""), (" " if n < last else "")

        def placed(value: str, width=width, left=left, right=right, numeric=column.numeric):
            gap = " " * (width - cell_len(value))
            return _Placed(left + (gap + value if numeric else value + gap) + right)

        table.add_column(placed(column.header), width=width + len(left) + len(right),
                         no_wrap=True)  # fmt: skip
        for row in cells:
            row[n] = placed(row[n])
    for row in cells:
        table.add_row(*row)
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
