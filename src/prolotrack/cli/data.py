"""prolotrack export | import: CSV and JSON for spreadsheets, de-identified and FHIR exports."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from prolotrack.cli.context import clinic
from prolotrack.cli.options import Format, FormatOption
from prolotrack.cli.output import output_file, say


class What(StrEnum):
    patients = "patients"
    courses = "courses"
    sessions = "sessions"
    injections = "injections"
    scores = "scores"
    progress = "progress"
    fhir = "fhir"


def export(
    ctx: typer.Context,
    what: Annotated[What, typer.Argument(metavar="WHAT", help=f"One of: {', '.join(What)}.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE [default: stdout]."),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="Rows dated from this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Rows dated up to this date.")
    ] = None,
    patient: Annotated[
        str | None, typer.Option("--patient", metavar="PATIENT", help="Only this patient.")
    ] = None,
    deidentify: Annotated[
        bool, typer.Option("--deidentify", help="Pseudonyms and day offsets; no names or dates.")
    ] = False,
    fmt: FormatOption = Format.csv,
    bom: Annotated[bool, typer.Option("--bom", help="Start with a BOM, for Excel.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Export a table as CSV (or JSON), de-identified on request, or all records as FHIR R4."""
    from prolotrack.domain import lookup
    from prolotrack.domain.errors import InvalidInput
    from prolotrack.storage.exports import Filters

    if what is What.fhir and (deidentify or since or until or fmt is not Format.csv):
        raise InvalidInput("export fhir takes only --output and --patient (and --force)")
    if fmt is Format.table:
        raise InvalidInput("export writes csv or json (-f csv, -f json)")
    with clinic(ctx).open(write=False) as desk:
        filters = Filters(
            since=desk.date(since) if since else None,
            until=desk.date(until) if until else None,
            patient_id=lookup.patient(desk.db, patient).id if patient else None,
        )
        with output_file(output, force=force, bom=bom) as out:
            if what is What.fhir:
                from prolotrack.domain import fhir

                count = fhir.write_bundle(out, desk.db, filters.patient_id)
            else:
                count = _write_table(out, desk, what.value, filters, deidentify, fmt)
    if output is not None:
        say(f"Exported {count} {'resources' if what is What.fhir else 'rows'} to {output}")


def _write_table(out, desk, table: str, filters, deidentify: bool, fmt: Format) -> int:
    from prolotrack.domain import progress
    from prolotrack.render import delimited, jsondoc
    from prolotrack.render.exports import export as spec
    from prolotrack.storage import exports

    key = exports.secret(desk.db, "pseudonym-key") if deidentify else None
    instruments = exports.instruments_used(desk.db) if table == "injections" else []
    shape = spec(table, key=key, instruments=instruments)
    if table == "progress":
        rows = progress.export_rows(desk.db, exports.course_ids(desk.db, filters), desk.today)
    elif table == "injections":
        rows = exports.injections(desk.db, filters, instruments)
    else:
        rows = getattr(exports, table)(desk.db, filters)
    writer = jsondoc.stream if fmt is Format.json else delimited.stream
    return writer(out, shape.columns, (shape.shape(r) for r in rows))
