"""Options shared by many commands, defined once."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from prolotrack.cli.completion import complete_course, complete_patient


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", case_sensitive=False, help="Output as a table, csv or json."),
]

PatientArg = Annotated[
    str,
    typer.Argument(
        metavar="PATIENT",
        help="Id, chart number, or a unique part of the name (patient:ID or chart:TEXT to say"
        " which; 006 is always a chart).",
        autocompletion=complete_patient,
    ),
]
CourseArg = Annotated[
    str,
    typer.Argument(
        metavar="COURSE",
        help="Course id, or a patient with exactly one active course (course:ID or chart:TEXT"
        " to say which).",
        autocompletion=complete_course,
    ),
]
SessionArg = Annotated[
    str,
    typer.Argument(
        metavar="SESSION",
        help="A session id, as 'session list' shows it, or COURSE#N: the Nth session of a course"
        " (3#2, course:3#2, or P-0001#2 for the patient's one active course).",
    ),
]
