"""A table for a pipe, a line at a time (``render/table.py`` chooses it for a listing whose
values are all printable)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment


class PipeTable:
    """A table for a pipe, drawn a line at a time as Rich draws it with room for every value:
    nothing wraps, so each column is as wide as its widest cell, and a row is its cells
    justified in their widths, three spaces apart. Rich laying out every cell of a long listing
    (a year of sessions, a ten-year audit log) takes several times as long; the output is the
    same, character for character (tests/render/test_table.py holds it to Rich's own)."""

    def __init__(self, title, columns, widths, cells, headed: bool, caption: str | None):
        self.title, self.columns, self.widths, self.cells = title, columns, widths, cells
        self.headed, self.caption = headed, caption

    def _line(self, values: list[str]) -> str:
        placed = []
        for value, width, column in zip(values, self.widths, self.columns, strict=True):
            gap = " " * (width - cell_len(value))
            placed.append(gap + value if column.numeric else value + gap)
        return "   ".join(placed)

    def __rich_console__(self, console, options):
        width = sum(self.widths) + 3 * (len(self.widths) - 1)
        around = options.update(width=width, justify="left", highlight=False, height=None)
        if self.title:
            yield from console.render(console.render_str(self.title, highlight=False), around)
        if self.headed:
            yield Segment(self._line([c.header for c in self.columns]) + "\n")
            yield Segment("\u2500" * width + "\n")
        for row in self.cells:
            yield Segment(self._line(row) + "\n")
        if self.caption:
            yield from console.render(console.render_str(self.caption, highlight=False), around)
