"""Rich tables on the terminal; on a pipe, as wide as their content so nothing wraps."""

from __future__ import annotations

import re
from typing import IO

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from prolotrack.render.view import Column, Listing, Record, text

_PIPE_WIDTH = 100_000


def console(file: IO[str] | None = None) -> Console:
    """A console for standard output: a terminal's width, or unbounded on a pipe."""
    probe = Console(file=file)
    if probe.is_terminal:
        return probe
    return Console(file=file, width=_PIPE_WIDTH, no_color=True, highlight=False)


_FREE_FLOOR = 15  # free text narrower than its longest word up to this is shortened, not dropped


def renderable(view: Listing, out: Console):
    """What ``listing`` prints: the table, or its title and the word that it is empty."""
    if not view.rows:
        return Group(
            *([Text(view.title, style="bold")] if view.title else []), Text(view.empty, style="dim")
        )
    table = _table(view, out)
    if view.legend:
        table.caption = "\n".join(filter(None, [view.legend, table.caption]))
        table.caption_justify = "left"
    return table


def _table(listing: Listing, out: Console) -> Table:
    columns = [c for c in listing.columns if c.in_table]
    cells = [[_cell(row.get(c.key), c) for c in columns] for row in listing.rows]
    if not out.is_terminal:
        if all(cell.isprintable() for row in cells for cell in row):
            return _pipe_table(listing.title, columns, cells)
        table = _frame(listing.title)
        for column in columns:  # on a pipe, a line break in a value breaks the line in its cell
            table.add_column(
                column.header,
                justify="right" if column.numeric else "left",
                overflow="fold",
                no_wrap=True,
            )
        for row in cells:
            table.add_row(*(Text(cell) for cell in row))
        return table
    return _terminal_table(listing.title, columns, cells, out)


def _terminal_table(title, columns: list, cells: list[list[str]], out: Console) -> Table:
    """The table for a terminal of the console's width: values that must stay whole (dates,
    numbers, codes, statuses) get a column as wide as the widest; free text wraps at spaces and,
    squeezed, ends in an ellipsis; when even that does not fit, the columns a reader can do
    without go, the highest ``drop`` first, and the table says which."""
    shown = list(range(len(columns)))
    dropped: list[str] = []
    while True:
        probe = _build(
            title,
            [columns[i] for i in shown],
            [[r[i] for i in shown] for r in cells],
            free_cap=_FREE_FLOOR,
        )
        need = Measurement.get(out, out.options.update_width(_PIPE_WIDTH), probe).minimum
        need += _kept_together(columns, cells, shown)
        optional = [i for i in shown if columns[i].drop]
        if need <= out.width or not optional:
            break
        last = max(optional, key=lambda i: (columns[i].drop, i))
        shown.remove(last)
        dropped.append(columns[last].header)
    kept = [columns[i] for i in shown]
    kept_cells = [[r[i] for i in shown] for r in cells]
    widths = _share(kept, kept_cells, out.width - need)
    for row in kept_cells:  # free text broken between its units, never inside one
        for n, width in widths.items():
            row[n] = _wrapped(row[n], width)
    table = _build(title, kept, kept_cells, free_widths=widths)
    if dropped:
        table.caption = f"Not shown at {out.width} columns: {', '.join(dropped)} (-f csv has all)"
        table.caption_justify = "left"
    return table


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
    title,
    columns: list,
    cells: list[list[str]],
    free_cap: int | None = None,
    free_widths: dict[int, int] | None = None,
) -> Table:
    table = _frame(title, collapse_padding=True)  # two spaces between columns, not three
    for n, column in enumerate(columns):
        justify = "right" if column.numeric else "left"
        header = Text(column.header, no_wrap=False, overflow="fold")  # headers wrap at spaces
        if column.free:
            fixed = (free_widths or {}).get(n)
            table.add_column(
                header, justify=justify, overflow="ellipsis", max_width=free_cap, width=fixed
            )
        else:
            words = max((cell_len(w) for w in column.header.split()), default=0)
            width = max([words, *(cell_len(line) for row in cells for line in row[n].split("\n"))])
            table.add_column(header, justify=justify, width=max(width, 1), no_wrap=True)
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

        table.add_column(placed(column.header), width=width + len(left) + len(right), no_wrap=True)
        for row in cells:
            row[n] = placed(row[n])
    for row in cells:
        table.add_row(*row)
    return table


def listing(out: Console, view: Listing) -> None:
    out.print(renderable(view, out))


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
