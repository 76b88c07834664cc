"""Options shared by many commands, defined once."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", case_sensitive=False, help="Output as a table, csv or json."),
]
