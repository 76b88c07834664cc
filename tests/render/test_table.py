"""Tables on a pipe: laid out once, the same as Rich lays out a table with room for every value."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from prolotrack.render import table
from prolotrack.render.view import Column, Listing, Rows, text

COLUMNS = [
    Column("chart", "Chart"),
    Column("name", "Patient"),
    Column("course", "Course", numeric=True),
    Column("ml", "mL", numeric=True, decimals=1),
    Column("note", "Last session"),
]


def on_pipe(view: Listing) -> str:
    out = table.console(io.StringIO())
    table.listing(out, view)
    return out.file.getvalue()


def rich_itself(view: Listing) -> str:
    """Rich's own layout of the same table (cell padding, justification), given the room."""
    out = Console(file=io.StringIO(), width=100_000, no_color=True, highlight=False)
    frame = Table(
        title=view.title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        highlight=False,
    )
    for c in view.columns:
        frame.add_column(c.header, justify="right" if c.numeric else "left", no_wrap=True)
    for row in view.rows:
        frame.add_row(*(Text(text(row.get(c.key), c)) for c in view.columns))
    out.print(frame)
    return out.file.getvalue()


def test_a_pipe_gets_every_value_whole_and_aligned():
    view = Listing(
        COLUMNS,
        [
            {"chart": "P-1", "name": "Zoë 李小龍", "course": 12, "ml": 6, "note": None},
            {"chart": "P-22", "name": "Ada", "course": 3, "ml": 117.25, "note": "2026-03-02"},
        ],
        title="Due",
    )
    drawn = on_pipe(view)
    assert drawn == rich_itself(view)
    lines = drawn.splitlines()
    assert lines[1].rstrip() == "Chart   Patient      Course      mL   Last session"
    assert lines[3].rstrip() == "P-1     Zoë 李小龍       12     6.0"
    assert lines[4].rstrip() == "P-22    Ada               3   117.2   2026-03-02"


PRINTABLE = st.text(max_size=8).filter(str.isprintable)  # others: Rich lays out the whole table


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(PRINTABLE, st.integers(-99, 10_000)), min_size=1, max_size=5))
def test_any_value_is_laid_out_as_rich_would(rows):
    view = Listing(COLUMNS[:3], [{"chart": c, "name": c[::-1], "course": n} for c, n in rows])
    assert on_pipe(view) == rich_itself(view)


def test_a_line_break_in_a_value_stays_in_its_cell():
    view = Listing(COLUMNS[:3], [{"chart": "P-1", "name": "two\nlines", "course": 4}])
    first, second = on_pipe(view).splitlines()[2:]
    assert first.split() == ["P-1", "two", "4"]
    assert second.split() == ["lines"] and second.index("lines") == first.index("two")


# A listing too long to hold is printed a block of rows at a time, each block a table of the
# same layout: the blocks must draw what one table of every row draws.

FREE = [
    Column("id", "ID", numeric=True),
    Column("chart", "Chart"),
    Column("who", "Who", free=True, drop=2),
    Column("what", "Solutions", free=True),
    Column("when", "When"),
    Column("guidance", "Guidance"),
    Column("note", "Note", free=True, drop=1),
]


def _long_rows(count: int) -> list[dict]:
    agents = ["dextrose 12.5%", "lidocaine 1% + dextrose 25%", "sodium morrhuate 5%", "saline"]
    return [
        {
            "id": n * 37,
            "chart": f"CHART-{n:06d}",
            "who": "Dr " + "Ng" * (n % 7),
            "what": agents[n % 4] if n % 5 else None,
            "when": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "guidance": "ultrasound-guided" if n % 2 else "landmark",
            "note": "steroid-free, ultrasound-guided, patient tolerated well"
            if n == count - 1
            else "",
        }
        for n in range(count)
    ]


class _Counted:
    """Rows that count how often they are gone through."""

    def __init__(self, rows: list[dict]):
        self.rows, self.reads = rows, 0

    def __call__(self):
        self.reads += 1
        return iter(self.rows)


def _terminal(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)


@pytest.mark.parametrize("count", [1, 3, 4, 7])  # blocks of 3: one short, one whole, one and one
@pytest.mark.parametrize("width", [None, 80, 100, 120])  # None: a pipe
def test_a_listing_printed_in_blocks_is_the_table_of_all_its_rows(monkeypatch, count, width):
    rows = _long_rows(count)
    whole = _terminal(width) if width else table.console(io.StringIO())
    view = Listing(FREE, rows, title="Sessions", legend="ID: the session's id")
    whole.print(table.renderable(view, whole))

    monkeypatch.setattr(table, "BLOCK", 3)
    blocks = _terminal(width) if width else table.console(io.StringIO())
    source = _Counted(rows)
    table.listing(
        blocks, Listing(FREE, Rows(source), title="Sessions", legend="ID: the session's id")
    )
    assert blocks.file.getvalue() == whole.file.getvalue()
    assert source.reads == 2  # once to size the columns, once to print them
    if width == 80 and count > 1:
        assert "Not shown at 80 columns: Who" in whole.file.getvalue()


def test_an_empty_listing_read_afresh_says_so():
    out = table.console(io.StringIO())
    table.listing(
        out, Listing(FREE, Rows(lambda: iter([])), title="Sessions", empty="No sessions.")
    )
    assert out.file.getvalue() == "Sessions\nNo sessions.\n"
