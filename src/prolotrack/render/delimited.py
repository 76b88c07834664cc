"""CSV: one header row, ISO dates, plain numbers, one value per cell, no formula can run."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

from prolotrack.render.view import Column, Listing, Record, text

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str | int | float:
    """A cell: numbers stay numbers; a text that a spreadsheet would run gets a leading '."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return text(value)
    rendered = text(value, joiner="; ")
    if rendered.startswith(_FORMULA_STARTS):
        return "'" + rendered
    return rendered


def listing(out: IO[str], view: Listing) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in view.columns])
    for row in view.rows:
        writer.writerow([cell(row.get(c.key)) for c in view.columns])


def record(out: IO[str], view: Record) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c, _ in view.fields])
    writer.writerow([cell(v) for _, v in view.fields])


def stream(out: IO[str], columns: list[Column], rows: Iterable[dict]) -> int:
    """Write rows as they come (memory stays flat); return how many were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    keys = [c.key for c in columns]
    count = 0
    for row in rows:
        writer.writerow([cell(row.get(k)) for k in keys])
        count += 1
    return count
