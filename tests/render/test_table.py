"""Tables on a pipe: laid out once, the same as Rich lays out a table with room for every value."""

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from prolotrack.render import table
from prolotrack.render.view import Column, Listing, text

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
