"""prolotrack export | import: CSV and JSON for spreadsheets, de-identified and FHIR exports."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from prolotrack.cli.completion import complete_patient
from prolotrack.cli.context import clinic
from prolotrack.cli.output import output_file, say, warn
from prolotrack.domain.vocab import plural


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


class What(StrEnum):
    patients = "patients"
    courses = "courses"
    sessions = "sessions"
    injections = "injections"
    scores = "scores"
    progress = "progress"
    adverse = "adverse"
    answers = "answers"
    fhir = "fhir"
    redcap = "redcap"


def export(
    ctx: typer.Context,
    what: Annotated[What, typer.Argument(metavar="WHAT", help=f"One of: {', '.join(What)}.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE [default: stdout]; fhir of a whole clinic: a folder of NDJSON"
            " files (Bulk Data), unless FILE ends in .json.",
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="Rows dated from this date.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Rows dated up to this date.")
    ] = None,
    patient: Annotated[
        str | None,
        typer.Option(
            "--patient",
            metavar="PATIENT",
            help="Only this patient.",
            autocompletion=complete_patient,
        ),
    ] = None,
    deidentify: Annotated[
        bool, typer.Option("--deidentify", help="Pseudonyms and day offsets; no names or dates.")
    ] = False,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="csv, json, or xlsx (a workbook with typed cells: needs -o FILE).",
        ),
    ] = ExportFormat.csv,
    bom: Annotated[bool, typer.Option("--bom", help="Start with a BOM, for Excel.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Export a table as CSV (or JSON), de-identified on request, all records as FHIR R4 (a
    Bundle, or Bulk Data: fhir -o DIR), or a de-identified REDCap project (redcap -o DIR)."""
    from prolotrack.actions import exports
    from prolotrack.cli.bars import bar
    from prolotrack.domain.errors import InvalidInput

    if what is What.redcap:
        if output is None or since or until or patient or fmt is not ExportFormat.csv or bom:
            raise InvalidInput(
                "export redcap writes a folder of five files: give it -o DIR (and --force to"
                " replace them); it is always de-identified"
            )
        _redcap(ctx, output, force)
        return
    if what is What.fhir and (deidentify or since or until or fmt is not ExportFormat.csv):
        raise InvalidInput("export fhir takes only --output and --patient (and --force)")
    if (
        what is What.fhir
        and output is not None
        and not patient
        and output.suffix.lower() != ".json"
    ):
        _fhir_bulk(ctx, output, force)
        return
    if fmt is ExportFormat.xlsx and output is None:
        raise InvalidInput("-f xlsx writes a workbook: give it a file with -o FILE.xlsx")
    with clinic(ctx).open(write=False) as desk:
        if what is What.fhir:
            resources = exports.fhir(desk.db, patient)
        else:
            found = exports.read(
                desk.db,
                what.value,
                since=desk.date(since) if since else None,
                until=desk.date(until) if until else None,
                patient=patient,
                deidentify=deidentify,
                today=desk.today,
                csv=fmt is ExportFormat.csv,
            )
        binary = fmt is ExportFormat.xlsx
        with output_file(
            output,
            force=force,
            bom=bom,
            binary=binary,
            database=clinic(ctx).url or clinic(ctx).path,
        ) as out:
            if what is What.fhir:
                from prolotrack.render import jsondoc

                count = jsondoc.bundle(out, bar("Exporting FHIR resources", "resources")(resources))
            else:
                from prolotrack.render.exports import write

                count = write(out, found, fmt.value, bar)
    if output is not None:
        say(f"Exported {plural(count, 'resource' if what is What.fhir else 'row')} to {output}")


def _fhir_bulk(ctx: typer.Context, folder: Path, force: bool) -> None:
    """The whole clinic as FHIR Bulk Data in ``folder``: one NDJSON file per resource type,
    each written whole; where one cannot be, none is left, and no file of an earlier export."""
    import contextlib

    from prolotrack.actions import exports
    from prolotrack.cli.bars import bar
    from prolotrack.domain.errors import Refused
    from prolotrack.render import jsondoc

    if folder.exists() and not folder.is_dir():
        raise Refused(
            f"{folder} is a file; export fhir of a whole clinic writes a folder of NDJSON files"
            " (-o DIR), or one Bundle to a file whose name ends in .json"
        )
    earlier = sorted(folder.glob("*.ndjson")) if folder.is_dir() else []
    if earlier and not force:
        raise Refused(
            f"{folder} has {plural(len(earlier), 'NDJSON file')} already ({earlier[0].name}...);"
            " give --force to replace them"
        )
    database = clinic(ctx).url or clinic(ctx).path
    with contextlib.ExitStack() as files, clinic(ctx).open(write=False) as desk:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise Refused(f"cannot make {folder}: {error.strerror}") from None
        opened: dict = {}

        def file(kind: str):
            if kind not in opened:
                target = folder / f"{kind}.ndjson"
                written = output_file(target, force=True, binary=True, database=database)
                opened[kind] = files.enter_context(written)
            return opened[kind]

        resources = exports.fhir(desk.db, None, bulk=True)
        count = jsondoc.ndjson(file, bar("Exporting FHIR resources", "resources")(resources))
    for stale in earlier:  # an earlier export's file of a type this one has none of
        if stale.stem not in opened:
            stale.unlink(missing_ok=True)
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(count.items()))
    say(
        f"Exported {plural(sum(count.values()), 'resource')} to {folder} as FHIR Bulk Data,"
        f" one NDJSON file per type: {kinds}"
    )


def _redcap(ctx: typer.Context, folder: Path, force: bool) -> None:
    """The five files, each written whole; where one cannot be, none written is left."""
    import contextlib

    from prolotrack.actions import exports
    from prolotrack.domain.errors import Refused
    from prolotrack.render import redcap

    if folder.exists() and not folder.is_dir():
        raise Refused(f"{folder} is a file; export redcap writes a folder (-o DIR)")
    targets = [folder / name for name in redcap.FILES]
    there = [t.name for t in targets if t.exists()]
    if there and not force:
        raise Refused(f"{folder} has {', '.join(there)} already; give --force to replace them")
    with clinic(ctx).open(write=False) as desk:
        files = redcap.files(exports.redcap(desk.db))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise Refused(f"cannot make {folder}: {error.strerror}") from None
    written = []
    try:
        for target in targets:
            with output_file(
                target, force=force, database=clinic(ctx).url or clinic(ctx).path
            ) as out:
                out.write(files[target.name])
            written.append(target)
    except BaseException:
        for done in written if not there else []:
            with contextlib.suppress(OSError):
                done.unlink()
        raise
    records = files["records.csv"].count("\n") - 1
    say(f"Exported a REDCap project to {folder}: {', '.join(redcap.FILES)} ({records} record rows)")


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A CSV of past sessions, as 'export injections'.")
    ],
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check the file and say what it would do; write nothing."),
    ] = False,
) -> None:
    """Import past sessions from a CSV shaped like 'export injections': all rows or none."""
    from prolotrack.actions.importer import Importer
    from prolotrack.domain.errors import InvalidInput
    from prolotrack.render.delimited import unquote

    if not file.is_file():
        raise InvalidInput(f"{file} is not a file")
    with clinic(ctx).open(write=True, commit=not dry_run) as desk, _open_csv(file) as handle:
        importer = Importer(desk.db, str(file), desk.today, desk.setting("date-order"), unquote)
        importer.read(handle, _progress(file))
        tally = importer.finish()
    for message in tally.warnings:
        warn(message)
    verb = "Would import" if dry_run else "Imported"
    say(
        f"{verb} {file}: {plural(tally.rows, 'row')};"
        f" {plural(tally.patients_added, 'new patient')},"
        f" {plural(tally.courses_added, 'new course')},"
        f" {plural(tally.sessions_added, 'new session')}"
        f" ({plural(tally.injections, 'injection site')}, {plural(tally.scores, 'score')});"
        f" {plural(tally.sessions_skipped, 'session')} already present, skipped"
        + ("; the new sessions arrive unsigned" if tally.sessions_added else "")
        + ("; nothing written (dry run)" if dry_run else "")
    )


def _open_csv(file: Path):
    from prolotrack.domain.errors import InvalidInput

    try:
        return open(file, encoding="utf-8-sig", newline="")
    except OSError as error:
        raise InvalidInput(f"cannot read {file}: {error.strerror}") from None


def _progress(file: Path):
    """A progress bar on a terminal for a file big enough to take a moment."""
    import sys

    if not sys.stderr.isatty() or file.stat().st_size < 1_000_000:
        return iter

    def track(rows):
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(f"Importing {file.name}", total=file.stat().st_size)
            for row in rows:
                yield row
                bar.update(task, advance=sum(len(c) + 1 for c in row))

    return track
