"""Rich tables on the terminal; on a pipe, as wide as their content so nothing wraps.

A listing is gone through twice: once to size its columns (only the few cells that set a
column's width are kept), once to print it a block of rows at a time, so that a listing of
any length (a ten-year audit log) prints in the memory of one block."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import IO

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from prolotrack.render.pipe_table import PipeTable
from prolotrack.render.view import Column, Listing, Record, text

_PIPE_WIDTH = 100_000
BLOCK = 500  # rows printed as one table: memory stays that of a block however long the listing


def console(file: IO[str] | None = None) -> Console:
    """A console for standard output: a terminal's width, or unbounded on a pipe."""
    probe = Console(file=file)
    if probe.is_terminal:
        return probe
    return Console(file=file, width=_PIPE_WIDTH, no_color=True, highlight=False)


_FREE_FLOOR = 15  # free text narrower than its longest word up to this is shortened, not dropped


def listing(out: Console, view: Listing) -> None:
    """Print a listing: its columns sized from every row, then its rows a block at a time."""
    layout = _Layout.of(view, out)
    if layout is None:
        out.print(_nothing(view))
        return
    rows = iter(view.rows)
    block = list(islice(rows, BLOCK))
    first = True
    while block:
        following = list(islice(rows, BLOCK))
        out.print(layout.table(block, first=first, last=not following))
        block, first = following, False


def renderable(view: Listing, out: Console):
    """What ``listing`` prints, as one renderable (for a listing among others on one screen)."""
    layout = _Layout.of(view, out)
    if layout is None:
        return _nothing(view)
    return layout.table(view.rows, first=True, last=True)


def _nothing(view: Listing) -> Group:
    """A listing without rows: its title and the word that it is empty."""
    return Group(
        *([Text(view.title, style="bold")] if view.title else []), Text(view.empty, style="dim")
    )


class _Widest:
    """The cells that set each column's width: its longest line and, for free text on a
    terminal, its longest word and longest unit (a drug with its strength, an amount with its
    word). Every measure of the layout is a maximum over a column's cells, so these few stand
    for all of them."""

    def __init__(self, columns: list[Column], *, free_text: bool):
        self.columns = columns
        self.free = [free_text and c.free for c in columns]
        self.best: list[dict[str, tuple[int, str]]] = [{} for _ in columns]
        self.count = 0
        self.printable = True

    def add(self, cells: list[str]) -> None:
        self.count += 1
        for n, cell in enumerate(cells):
            if not cell:
                continue
            if cell.isprintable():
                line = cell_len(cell)
            else:
                self.printable = False
                line = max(cell_len(line) for line in cell.split("\n"))
            best = self.best[n]
            if line > best.get("line", (-1, ""))[0]:
                best["line"] = (line, cell)
            if self.free[n]:
                for measure, size in (
                    ("word", max((cell_len(w) for w in cell.split()), default=0)),
                    ("unit", max(map(cell_len, _units(cell)), default=0)),
                    ("amount", max(map(cell_len, _units(cell, whole_agents=False)), default=0)),
                ):
                    if size > best.get(measure, (-1, ""))[0]:
                        best[measure] = (size, cell)

    def rows(self) -> list[list[str]]:
        """Rows made of these cells (a column with fewer is filled with empty cells)."""
        kept = [list(dict.fromkeys(cell for _, cell in best.values())) for best in self.best]
        depth = max(1, *map(len, kept))
        return [[cells[r] if r < len(cells) else "" for cells in kept] for r in range(depth)]


@dataclass
class _Layout:
    """How a listing's table is drawn: its columns, their widths, and what it says under it."""

    title: str | None
    columns: list[Column]  # those shown
    widths: list[int]  # each shown column's width
    kind: str  # "pipe" (every value printable), "fold" (a line break in a value), "terminal"
    caption: str | None

    @classmethod
    def of(cls, view: Listing, out: Console) -> _Layout | None:
        """The layout of every row of ``view`` (None: there is no row)."""
        columns = [c for c in view.columns if c.in_table]
        widest = _Widest(columns, free_text=out.is_terminal)
        for row in view.rows:
            widest.add([_cell(row.get(c.key), c) for c in columns])
        if not widest.count:
            return None
        cells = widest.rows()
        if out.is_terminal:
            layout = _terminal_layout(view.title, columns, cells, out)
        else:
            widths = [
                max(
                    cell_len(line)
                    for t in [c.header, *(r[n] for r in cells)]
                    for line in t.split("\n")
                )
                for n, c in enumerate(columns)
            ]
            kind = "pipe" if widest.printable else "fold"
            layout = cls(view.title, columns, widths, kind, None)
        if view.legend:
            layout.caption = "\n".join(filter(None, [view.legend, layout.caption]))
        return layout

    def table(self, rows: Iterable[dict], *, first: bool, last: bool):
        """These rows as a table of this layout: the first block with the title and the
        headers, the last with the caption."""
        cells = [[_cell(row.get(c.key), c) for c in self.columns] for row in rows]
        title = self.title if first else None
        caption = self.caption if last else None
        if self.kind == "pipe":
            return PipeTable(title, self.columns, self.widths, cells, first, caption)
        if self.kind == "fold":
            table = _fold_table(title, self.columns, self.widths, cells)
        else:
            for row in cells:  # free text broken between its units, never inside one
                for n, column in enumerate(self.columns):
                    if column.free:
                        row[n] = _wrapped(row[n], self.widths[n])
            table = _build(title, self.columns, cells, widths=self.widths)
        table.show_header = first
        if caption:
            table.caption = caption
            table.caption_justify = "left"
        return table


def _terminal_layout(title, columns: list, cells: list[list[str]], out: Console) -> _Layout:
    """The layout for a terminal of the console's width: values that must stay whole (dates,
    numbers, codes, statuses) get a column as wide as the widest; free text wraps at spaces and,
    squeezed, ends in an ellipsis; when even that does not fit, the columns a reader can do
    without go, the highest ``drop`` first, and the table says which."""
    shown = list(range(len(columns)))
    dropped: list[str] = []
    while True:
        kept = [columns[i] for i in shown]
        kept_cells = [[r[i] for i in shown] for r in cells]
        probe = _build(
            title, kept, kept_cells, widths=_fixed_widths(kept, kept_cells), free_cap=_FREE_FLOOR
        )
        need = Measurement.get(out, out.options.update_width(_PIPE_WIDTH), probe).minimum
        need += _kept_together(columns, cells, shown)
        optional = [i for i in shown if columns[i].drop]
        if need <= out.width or not optional:
            break
        last = max(optional, key=lambda i: (columns[i].drop, i))
        shown.remove(last)
        dropped.append(columns[last].header)
    widths = _fixed_widths(kept, kept_cells)
    widths.update(_share(kept, kept_cells, out.width - need))
    caption = None
    if dropped:
        caption = f"Not shown at {out.width} columns: {', '.join(dropped)} (-f csv has all)"
    return _Layout(title, kept, [widths[n] for n in range(len(kept))], "terminal", caption)


def _fixed_widths(columns: list, cells: list[list[str]]) -> dict[int, int]:
    """The width of each column that is not free text: its widest value, or its header's
    longest word."""
    return {
        n: max(
            1,
            *(cell_len(w) for w in column.header.split()),
            *(cell_len(line) for row in cells for line in row[n].split("\n")),
        )
        for n, column in enumerate(columns)
        if not column.free
    }


_STRENGTH_FLOOR = 20  # "bupivacaine 0.036%": a drug with its strength is worth a wider column


def _least(texts: list[str], words) -> int:
    longest = min(max([cell_len(w) for t in texts for w in words(t)] or [1]), _FREE_FLOOR)
    if words is not _units:
        return longest
    amounts = [cell_len(w) for t in texts for w in _units(t, whole_agents=False)]
    return max(longest, min(max(amounts or [1]), _STRENGTH_FLOOR))


def _kept_together(columns: list, cells: list[list[str]], shown: list[int]) -> int:
    """How much wider the free columns must be than Rich measures them (its longest word) to
    keep each drug with its strength (the longest unit), up to the floor."""
    return sum(
        _least(texts, _units) - _least(texts, str.split)
        for i in shown
        if columns[i].free
        for texts in [[columns[i].header, *(row[i] for row in cells)]]
    )


def _share(columns: list, cells: list[list[str]], spare: int) -> dict[int, int]:
    """The width of each free-text column: its longest word (up to the floor), then the spare
    room shared among them as each can use it, so that no column is squeezed below its words
    while another has more than it needs (Rich's own collapse shares the squeeze evenly)."""
    least, most = {}, {}
    for n, column in enumerate(columns):
        if column.free:
            texts = [column.header, *(row[n] for row in cells)]
            least[n] = _least(texts, _units)
            most[n] = max(max(cell_len(line) for t in texts for line in t.split("\n")), least[n])
    widths = dict(least)
    spare = max(spare, 0)
    while spare > 0:
        wanting = [n for n in widths if widths[n] < most[n]]
        if not wanting:
            break
        n = max(wanting, key=lambda k: most[k] - widths[k])  # the furthest from its full width
        widths[n] += 1
        spare -= 1
    return widths


# A strength or an amount stays with the word before it ("lidocaine 1%", "3.25 g", "0.5 mL"); a
# joining "+" with the word after it; an agent of two words stays whole where there is room.
_AMOUNT = re.compile(r"^[<>~]?\d[\d.,]*\s*(%|ml|mg|g|kg|mmol)?[,;)]*$", re.IGNORECASE)
_TWO_WORDS = ("sodium morrhuate", "normal saline", "sodium chloride")


def _units(value: str, *, whole_agents: bool = True) -> list[str]:
    """The words of a free-text cell, with the ones that must not be parted joined (without
    ``whole_agents``, only an amount with its word: for a unit wider than its column)."""
    units: list[str] = []
    joining = False
    for line in value.split("\n"):
        for word in line.split():
            pair = f"{units[-1].split()[-1]} {word}".lower() if units else ""
            if units and (
                _AMOUNT.match(word) or (whole_agents and (joining or pair in _TWO_WORDS))
            ):
                units[-1] = f"{units[-1]} {word}"
            else:
                units.append(word)
            joining = word in ("+", "&")
    return units


def _wrapped(value: str, width: int) -> str:
    """A free-text cell wrapped to ``width`` between its units: a drug is never split from its
    strength, nor an amount from its unit (a unit wider than the column is split at its words,
    an amount still kept with the word before it)."""
    lines = []
    for line in value.split("\n"):
        current = ""
        for whole in _units(line):
            parts = [whole] if cell_len(whole) <= width else _units(whole, whole_agents=False)
            for unit in parts:
                if current and cell_len(current) + 1 + cell_len(unit) > width:
                    lines.append(current)
                    current = unit
                else:
                    current = f"{current} {unit}" if current else unit
        lines.append(current)
    return "\n".join(lines)


def _build(
    title, columns: list, cells: list[list[str]], widths: dict | list, free_cap: int | None = None
) -> Table:
    """A terminal's table: each column ``widths`` wide; with ``free_cap``, free text as wide as
    Rich measures it up to that (a probe of how much room the table needs)."""
    table = _frame(title, collapse_padding=True)  # two spaces between columns, not three
    for n, column in enumerate(columns):
        justify = "right" if column.numeric else "left"
        header = Text(column.header, no_wrap=False, overflow="fold")  # headers wrap at spaces
        if column.free:
            fixed = None if free_cap else widths[n]
            table.add_column(
                header, justify=justify, overflow="ellipsis", max_width=free_cap, width=fixed
            )
        else:
            table.add_column(header, justify=justify, width=widths[n], no_wrap=True)
    styles = [dict(column.styles) for column in columns]
    for row in cells:
        table.add_row(*(Text(cell, style=styles[n].get(cell, "")) for n, cell in enumerate(row)))
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


def _fold_table(title: str | None, columns: list, widths: list[int], cells: list[list[str]]):
    """For a pipe, when a value holds a line break: it breaks the line in its cell."""
    table = _frame(title)
    for n, column in enumerate(columns):
        table.add_column(
            column.header,
            justify="right" if column.numeric else "left",
            overflow="fold",
            no_wrap=True,
            width=widths[n],
        )
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    return table


def record(out: Console, view: Record) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for column, value in view.fields:
        if not (value is None or value is False or value == ""):  # blank fields are noise
            # wraps at spaces; only a word wider than the terminal (a path) is folded
            grid.add_row(column.header, Text(text(value, column), overflow="fold"))
    if view.title:
        out.print(Text(view.title, style="bold underline"))
    out.print(grid)
    for section in view.sections.values():
        out.print()
        listing(out, section)


def _cell(value, column: Column) -> str:
    if column.on_screen is not None and value is not None:
        return column.on_screen(value)
    return text(value, column)
