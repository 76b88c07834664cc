"""prolotrack report course: the take-home progress report, one self-contained HTML file."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from prolotrack.cli.completion import complete_course_or_patient
from prolotrack.cli.context import clinic
from prolotrack.cli.output import output_file, say


class Audience(StrEnum):
    patient = "patient"
    clinician = "clinician"


def report_course(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="COURSE|PATIENT",
            help="A course id, or a patient (each of their courses, a page each).",
            autocompletion=complete_course_or_patient,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write to FILE.html [default: stdout]."
        ),
    ] = None,
    audience: Annotated[
        Audience,
        typer.Option(
            "--for",
            case_sensitive=False,
            help="patient: plain words, the practice's name and aftercare; clinician: adds"
            " the figures, injections, doses and adverse events.",
        ),
    ] = Audience.patient,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """A progress report to print or hand over: a chart per instrument, in one HTML file."""
    from prolotrack.actions import progress
    from prolotrack.render import take_home

    with clinic(ctx).open(write=False) as desk:
        found, adverse, flags = progress.for_report(desk.db, ref, desk.today)
        document = take_home.Report(
            courses=found,
            audience=audience.value,
            today=desk.today,
            practice=desk.setting("practice-name"),
            aftercare=desk.setting("aftercare"),
            adverse=adverse,
            flags=flags,
        )
        page = take_home.html(document)
    with output_file(output, force=force, database=clinic(ctx).url or clinic(ctx).path) as out:
        out.write(page)
    if output is not None:
        courses = len(found)
        say(
            f"Wrote the {audience.value}'s report of {courses} course{'s' if courses != 1 else ''}"
            f" to {output}"
        )
