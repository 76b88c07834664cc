"""CSV: one header row, ISO dates, plain numbers, one value per cell, no formula can run."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from itertools import islice
from types import SimpleNamespace
from typing import IO, Any

from prolotrack.render.view import Column, Listing, Record, text

# A text a spreadsheet would run as a formula, behind any quotes already escaping it: one more
# quote is written before it, and unquote() takes exactly one away, so every text round-trips.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def cell(value: Any) -> str | int | float:
    """A cell: numbers stay numbers; a text that a spreadsheet would run gets a leading '."""
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


def stream_sites(out: IO[str], columns: list[Column], cells) -> int:
    """Write the plain injections export from two streams in its order (see storage.exports
    ``injections_csv``): each session's cells, ready to write, then its sites' stored values.

    Every field goes through the csv module, with one dialect. A session's fields are written
    once, into the text that leads and the text that ends each of its sites' rows. A clinic
    uses a few hundred kinds of site (site, side, solution, volume, points) over and over: the
    fields of each kind are written once and their text kept (a bounded number of kinds, so
    memory stays flat). A row that holds a carriage return anywhere is written whole by
    ``_Writer``, every field quoted."""
    writer = _Writer(out)
    writer.row([c.key for c in columns])
    fields = io.StringIO()
    fragment = csv.writer(fields, lineterminator="\n")  # quotes a field holding a line break

    def fields_of(values) -> str:
        fields.seek(0)
        fields.truncate()
        fragment.writerow(values)
        return fields.getvalue()[:-1]

    # A session's rows collect in ``rows``; a site not met before is written straight into it.
    rows: list[str] = []
    into_rows = csv.writer(SimpleNamespace(write=rows.append), lineterminator="\n").writerow
    # A kind of site's text, by its values: values SQLite gives that are equal (1 and 1.0)
    # are written the same.
    known: dict[tuple, str] = {}
    write, before = out.write, cells.before
    sites = iter(cells.sites)
    count = 0

    def flush() -> None:
        if rows:
            write(lead + (end + lead).join(rows) + end)
            rows.clear()

    for session in cells.sessions:
        head, tail, how_many = session[:before], session[before:-1], session[-1]
        count += how_many
        # A trailing and a leading empty field give the delimiters on either side.
        lead = fields_of((*head, ""))
        end = fields_of(("", *tail)) + "\n" if tail else "\n"
        carriage_return = "\r" in lead or "\r" in end
        for site in islice(sites, how_many):
            written = None if carriage_return else known.get(site)
            if written:
                rows.append(written)
                continue
            into_rows([_stored_cell(v) for v in site])
            written = rows.pop()[:-1]
            if carriage_return or "\r" in written:
                flush()
                writer.row([*head, *map(_stored_cell, site), *tail])
                continue
            rows.append(written)
            if len(known) >= _KINDS_KEPT:
                known.clear()
            known[site] = written
        flush()
    return count


# How many kinds of site stream_sites keeps written: far more than a clinic uses.
_KINDS_KEPT = 4096
