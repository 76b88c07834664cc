"""A REDCap project's five files, into a folder: written whole or not at all."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from prolotrack.render.delimited import cell

if TYPE_CHECKING:
    from prolotrack.domain.redcap import Project

FILES = (
    "data_dictionary.csv",
    "events.csv",
    "instrument_event_mapping.csv",
    "repeating_instruments.csv",
    "records.csv",
)


def files(project: Project) -> dict[str, str]:
    """Each file's name and its text (CSV, a header row, CRLF as REDCap's own exports)."""
    from prolotrack.domain.redcap_fields import (
        COLUMNS,
        EVENT_COLUMNS,
        MAPPING_COLUMNS,
        REPEATING_COLUMNS,
    )

    return dict(
        zip(
            FILES,
            (
                _csv(COLUMNS, project.dictionary),
                _csv(EVENT_COLUMNS, project.events),
                _csv(MAPPING_COLUMNS, project.mapping),
                _csv(REPEATING_COLUMNS, project.repeating),
                _csv(project.record_columns, project.records),
            ),
            strict=True,
        )
    )


def _csv(columns, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c, "")) for c in columns])
    return out.getvalue()
