"""Plain Python: the records, their rules and the calculations. No Typer, Rich or SQLite here."""
