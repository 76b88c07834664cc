"""CSV: one header row, ISO dates, plain numbers, one value per cell, no formula can run."""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, Any

from prolotrack.render.view import Column, Listing, Record, text

# A text a spreadsheet would run as a formula, behind any quotes already escaping it: one more
# quote is written before it, and unquote() takes exactly one away, so every text round-trips.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def cell(value: Any) -> str | int | float:
    """A cell: numbers stay numbers; a text that a spreadsheet would run gets a leading '."""
    if type(value) is str:  # most cells, and text() would give them back as they are
        return "'" + value if _FORMULA.match(value) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return text(value)
    rendered = text(value, joiner="; ")
    if _FORMULA.match(rendered):
        return "'" + rendered
    return rendered


def unquote(value: str) -> str:
    """The text a cell held before ``cell()`` protected it from the spreadsheet."""
    if value.startswith("'") and _FORMULA.match(value):
        return value[1:]
    return value


class _Writer:
    """csv.writer with LF line ends. With LF, the csv module would leave a field holding a
    bare carriage return unquoted, and a reader would break the row there; such a (rare) row
    is written with every field quoted instead."""

    def __init__(self, out: IO[str]):
        self.plain = csv.writer(out, lineterminator="\n")
        self.quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def row(self, cells: list) -> None:
        carriage_return = any(isinstance(c, str) and "\r" in c for c in cells)
        (self.quoted if carriage_return else self.plain).writerow(cells)


def listing(out: IO[str], view: Listing) -> None:
    writer = _Writer(out)
    writer.row([c.key for c in view.columns])
    for row in view.rows:
        writer.row([cell(row.get(c.key)) for c in view.columns])


def record(out: IO[str], view: Record) -> None:
    writer = _Writer(out)
    writer.row([c.key for c, _ in view.fields])
    writer.row([cell(v) for _, v in view.fields])


def stream(out: IO[str], columns: list[Column], rows: Iterable[dict]) -> int:
    """Write rows as they come (memory stays flat); return how many were written."""
    writer = _Writer(out)
    writer.row([c.key for c in columns])
    keys = [c.key for c in columns]
    count = 0
    for row in rows:
        writer.row([cell(row.get(k)) for k in keys])
        count += 1
    return count


SITE = ("site", "side", "solution", "volume_ml", "points")  # an injection site's own columns


class _CarriageReturn(Exception):
    """A cell holds a bare carriage return: its row must be written with every field quoted."""


def _stored_cell(value):
    """``cell()`` for the values SQLite gives (str, int, float, None), in a hot loop. A REAL
    keeps every digit it has, as the file holds it."""
    kind = type(value)
    if kind is str:
        if value and value[0] in _RUNS and _FORMULA.match(value):
            return "'" + value
        return value
    if kind is float:
        return int(value) if value.is_integer() else value
    return value


_RUNS = "=+-@\t\r'"  # the first characters _FORMULA can match


def _fast_cell(value):
    """``_stored_cell()``, refusing a text with a carriage return (see ``_Writer``)."""
    if type(value) is str and "\r" in value:
        raise _CarriageReturn
    return _stored_cell(value)


def stream_tuples(out: IO[str], columns: list[Column], names: list[str], rows) -> int:
    """Write rows that come as tuples named by ``names``, taking the ``columns`` in order: the
    plain exports' fast path (no dict per row); every cell is protected as ``cell()`` does."""
    where = [names.index(c.key) for c in columns]
    writer = _Writer(out)
    writer.row([c.key for c in columns])
    plain = writer.plain.writerow
    count = 0
    for row in rows:
        try:
            plain([_fast_cell(row[i]) for i in where])
        except _CarriageReturn:
            writer.row([cell(row[i]) for i in where])
        count += 1
    return count


def stream_sites(
    out: IO[str],
    columns: list[Column],
    sessions: Iterable[tuple[list, int]],
    sites: Iterable[tuple],
    site_cells: Callable[[tuple], list],
) -> int:
    """Write the injections export from two streams in its order: each session's cells (all
    of its row's but the ``SITE`` columns') with how many sites it has, and its sites' values,
    which ``site_cells`` makes into their cells.

    A session's cells are written once, into the text that leads and the text that ends each
    of its rows. A clinic gives a few hundred kinds of site over and over: the text of each
    kind is made once (a bounded number kept, so memory stays flat). A row that holds a
    carriage return anywhere is written whole by ``_Writer``, every field quoted."""
    writer = _Writer(out)
    writer.row([c.key for c in columns])
    fields = io.StringIO()
    fragment = csv.writer(fields, lineterminator="\n")  # quotes a field holding a line break

    def text_of(cells) -> str:
        fields.seek(0)
        fields.truncate()
        fragment.writerow(cells)
        return fields.getvalue()[:-1]

    site_text = functools.lru_cache(maxsize=4096)(lambda site: text_of(site_cells(site)))
    at = [c.key for c in columns].index(SITE[0])
    sites, write, count = iter(sites), out.write, 0
    for cells, how_many in sessions:
        head, tail = cells[:at], cells[at:]
        # A trailing and a leading empty field give the delimiters on either side.
        lead = text_of((*head, ""))
        end = (text_of(("", *tail)) if tail else "") + "\n"
        returns = "\r" in lead or "\r" in end
        for site in islice(sites, how_many):
            middle = site_text(site)
            if returns or "\r" in middle:
                writer.row([*head, *site_cells(site), *tail])
            else:
                write(lead + middle + end)
        count += how_many
    return count


def stored_sessions(
    columns: list[Column], names: list[str], rows: Iterable[tuple]
) -> Iterator[tuple[list, int]]:
    """Sessions as stored (named by ``names``, how many sites last), made into the cells of
    their rows' columns but the site's, as the file holds them."""
    where = [names.index(c.key) for c in columns if c.key not in SITE]
    for row in rows:
        yield [_stored_cell(row[i]) for i in where], row[-1]


def shaped_sessions(
    columns: list[Column], names: list[str], rows: Iterable[tuple], shape: Callable[[dict], dict]
) -> Iterator[tuple[list, int]]:
    """Sessions as stored (named by ``names``, how many sites last), shaped by ``shape`` and
    made into the cells of their rows' columns but the site's."""
    keys = [c.key for c in columns if c.key not in SITE]
    for row in rows:
        shaped = shape(dict(zip(names, row[:-1], strict=True)))
        yield [cell(shaped.get(k)) for k in keys], row[-1]


def stored_cells(site: tuple) -> list:
    """A site's cells from its stored values."""
    return [_stored_cell(value) for value in site]


def shaped_site_cells(shape_site: Callable[..., tuple]) -> Callable[[tuple], list]:
    """A site's cells from its values shaped by ``shape_site``."""
    return lambda site: [cell(value) for value in shape_site(*site)]
