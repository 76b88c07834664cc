"""JSON: one document and nothing else, keys in snake_case, ISO dates, plain numbers."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from typing import IO, Any

from prolotrack.render.view import Column, Listing, Record, plain

# One encoder for the rows of a long stream: json.dumps would make a new one for each.
_encode = json.JSONEncoder(ensure_ascii=False).encode
_indented = json.JSONEncoder(ensure_ascii=False, indent=2).encode


def rows(view: Listing) -> list[dict[str, Any]]:
    return [{c.key: plain(row.get(c.key)) for c in view.columns} for row in view.rows]


def listing(out: IO[str], view: Listing) -> None:
    """The rows as one array, written a row at a time (a listing of any length in the memory
    of one row), as ``document`` writes it whole."""
    keys = [c.key for c in view.columns]
    out.write("[")
    count = 0
    for row in view.rows:
        out.write(",\n  " if count else "\n  ")
        out.write(_indented({k: plain(row.get(k)) for k in keys}).replace("\n", "\n  "))
        count += 1
    out.write("\n]\n" if count else "]\n")


def record(out: IO[str], view: Record) -> None:
    body = {column.key: plain(value) for column, value in view.fields}
    for key, section in view.sections.items():
        body[key] = rows(section)
    document(out, body)


def document(out: IO[str], body: Any) -> None:
    json.dump(body, out, ensure_ascii=False, indent=2)
    out.write("\n")


def stream(out: IO[str], columns: list[Column], rows: Iterable[dict]) -> int:
    """Write a JSON array one object at a time (memory stays flat); return the count."""
    keys = [c.key for c in columns]
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(_encode({k: plain(row.get(k)) for k in keys}))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def bundle(out: IO[str], entries: Iterable[dict]) -> int:
    """A FHIR Bundle of type collection, written one entry at a time; return the count."""
    out.write('{"resourceType": "Bundle", "type": "collection", "entry": [')
    count = 0
    for entry in entries:
        out.write(",\n" if count else "\n")
        out.write(_encode(entry))
        count += 1
    out.write("\n]}\n")
    return count


def ndjson(files: Callable[[str], IO[bytes]], entries: Iterable[dict]) -> Counter:
    """FHIR Bulk Data: each resource on one line of its type's file (``files(type)``, opened
    once each, binary), in compact UTF-8; return how many of each type."""
    import orjson  # a whole clinic is a gigabyte of JSON: it encodes it 2.5x faster than json

    count: Counter = Counter()
    for entry in entries:
        resource = entry["resource"]
        kind = resource["resourceType"]
        files(kind).write(orjson.dumps(resource, option=orjson.OPT_APPEND_NEWLINE))
        count[kind] += 1
    return count
