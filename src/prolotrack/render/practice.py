"""The views of the practice's tools: instruments, settings, protocols, the file and its audit."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from prolotrack.domain.instruments import Instrument
from prolotrack.render.records import ID, ML
from prolotrack.render.view import Column, Listing, Record, Rows, text

_INSTRUMENT = [
    Column("code", "Code"),
    Column("name", "Instrument", free=True),
    Column("range", "Range"),
    Column("better", "Better"),
    Column("mcid", "MCID"),
]


def _instrument_values(i: Instrument) -> dict:
    return {
        "code": i.code,
        "name": i.name,
        "range": i.range_text,
        "minimum": i.minimum,
        "maximum": i.maximum,
        "better": i.better,
        "mcid": i.mcid_text,
        "mcid_value": i.mcid,
        "mcid_unit": i.mcid_unit,
        "source": i.source,
        "builtin": i.builtin,
    }


def instruments(found: list[Instrument]) -> Listing:
    rows = [_instrument_values(i) for i in found]
    return Listing(_INSTRUMENT, rows, title="Instruments", empty="No instruments.")


def instrument(i: Instrument) -> Record:
    fields = [
        Column("code", "Code"),
        Column("name", "Instrument", free=True),
        Column("minimum", "Minimum", numeric=True),
        Column("maximum", "Maximum", numeric=True),
        Column("better", "Better"),
        Column("mcid", "MCID"),
        Column("mcid_value", "MCID value", numeric=True),
        Column("mcid_unit", "MCID unit", drop=2),
        Column("source", "Source of the MCID", free=True, drop=4),
        Column("builtin", "Built in", drop=5),
    ]
    values = _instrument_values(i)
    return Record([(c, values[c.key]) for c in fields], title=i.name)


def settings(values: list[dict]) -> Listing:
    columns = [
        Column("key", "Setting"),
        Column("value", "Value"),
        Column("source", "Source", free=True, drop=4),
        Column("meaning", "Meaning", free=True, drop=3),
    ]
    return Listing(columns, values, title="Settings", empty="No settings.")


def database_status(found) -> Record:
    fields = [
        (Column("file", "File"), str(found.path)),
        (Column("size_bytes", "Size (bytes)", numeric=True), found.size),
        (Column("schema_version", "Schema version", numeric=True), found.schema_version),
        (Column("journal_mode", "Journal mode"), found.journal_mode),
        (Column("encrypted", "Encrypted"), found.encrypted),
        *(
            (Column(table, table.replace("_", " ").capitalize(), numeric=True), count)
            for table, count in found.counts.items()
        ),
        (
            Column("last_backup", "Last backup"),
            str(found.last_backup) if found.last_backup else None,
        ),
        (Column("audit_key", "Audit key"), str(found.audit_key) if found.audit_key else None),
    ]
    return Record(fields, title="Database")


def _changes(entry: dict) -> str:
    """What an update changed, field by field; for an insert or delete, the record's key."""
    before, after = entry["before"] or {}, entry["after"] or {}
    if before and after:
        changed = [k for k in after if before.get(k) != after.get(k) and k != "updated_at"]
        return "; ".join(
            f"{k}: {_as_typed(before.get(k))} → {_as_typed(after.get(k))}" for k in changed
        )
    return ""


def _as_typed(value) -> str:
    """A value as the practitioner typed it: 7 not 7.0, ultrasound not 'ultrasound', and
    (none) for a field that was empty."""
    if value is None or value == "":
        return "(none)"
    return text(value)


def audit_log(read: Callable[[], Iterable[dict]]) -> Listing:
    """The log as ``read`` gives it (it reads it afresh each time: a table goes through it
    twice, and a ten-year log is never held whole)."""
    columns = [
        ID,
        Column("at", "When (UTC)", on_screen=_to_the_minute),
        Column("actor", "Who", drop=4),
        Column("practitioner", "Practitioner", free=True, drop=5),
        Column("entity", "Entity"),
        Column("entity_id", "Record"),
        Column("action", "Action"),
        Column("reason", "Reason", free=True, drop=3),
        Column("changes", "Changes", free=True, on_screen=_times_apart),
        Column("before", "Before", in_table=False),
        Column("after", "After", in_table=False),
        Column("hash", "Hash", in_table=False),
    ]
    rows = Rows(lambda: ({**entry, "changes": _changes(entry)} for entry in read()))
    return Listing(columns, rows, title="Audit log, newest first", empty="No changes recorded.")


_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})Z?")


def _times_apart(changes: str) -> str:
    """A time in a change (``used_at: (none) -> 2026-03-20T09:15:02Z``) as two words, date and
    time, that a narrow column can wrap between (CSV and JSON keep it as stored)."""
    return _STAMP.sub(r"\1 \2", changes)


def _to_the_minute(at: str) -> str:
    """``2026-03-20T09:15:02.123Z`` as ``2026-03-20 09:15`` (the id gives the order)."""
    return at[:16].replace("T", " ")


def _protocol_values(p) -> dict:
    return {
        "name": p.name,
        "condition": p.condition,
        "sites": len(p.sites),
        "total_ml": p.total_ml,
        "interval": str(p.interval) if p.interval else None,
        "planned_sessions": p.planned_sessions,
        "measure": p.measure,
        "origin": "built-in" if p.builtin else "practice",
        "source": p.source,
        "note": p.note,
    }


def protocols(found: list) -> Listing:
    columns = [
        Column("name", "Protocol"),
        Column("origin", "From", drop=3),
        Column("condition", "Condition", free=True),
        Column("sites", "Sites", numeric=True),
        Column("total_ml", "mL", numeric=True, decimals=1),
        Column("interval", "Every", drop=2),
        Column("planned_sessions", "Sessions", numeric=True),
        Column("measure", "Measure", drop=1),
    ]
    return Listing(columns, [_protocol_values(p) for p in found], title="Protocols")


def protocol(p) -> Record:
    from prolotrack.domain.protocols import STARTING_POINT

    values = {**_protocol_values(p), "caution": STARTING_POINT}
    fields = [
        Column("name", "Protocol"),
        Column("origin", "From", drop=3),
        Column("condition", "Condition", free=True),
        Column("interval", "Every", drop=2),
        Column("planned_sessions", "Sessions", numeric=True),
        Column("measure", "Measure", drop=1),
        Column("total_ml", "Total mL", numeric=True, decimals=1),
        Column("source", "Source", free=True, drop=4),
        Column("note", "Note", free=True, drop=2),
        Column("caution", "Note well", free=True, drop=1),
    ]
    rows = [
        {
            "position": n,
            "site": s.site,
            "side": s.side,
            "solution": s.solution,
            "volume_ml": s.volume_ml,
            "points": s.points,
        }
        for n, s in enumerate(p.sites, start=1)
    ]
    sites = Listing(
        [
            Column("position", "#", numeric=True),
            Column("site", "Site", free=True),
            Column("side", "Side"),
            Column("solution", "Solution", free=True),
            ML,
            Column("points", "Points", numeric=True),
        ],
        rows,
        title="Sites",
    )
    return Record([(c, values[c.key]) for c in fields], {"sites": sites}, title=p.name)
