"""The floor a command's start-up is measured against: the smallest Typer app that parses an
option, opens the file with sqlite-utils and prints a Rich table of its patients.

    python tests/benchmarks/floor_app.py --db FILE
"""

import typer
from rich.console import Console
from rich.table import Table
from sqlite_utils import Database

app = typer.Typer()


@app.command()
def main(db: str = typer.Option(..., help="A prolotrack file.")) -> None:
    table = Table("chart", "name")
    for row in Database(db).query("SELECT chart, name FROM patients ORDER BY id"):
        table.add_row(row["chart"], row["name"])
    Console().print(table)


if __name__ == "__main__":
    app()
