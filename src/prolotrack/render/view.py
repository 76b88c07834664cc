"""What every renderer draws: a listing (columns and rows) or one record with its listings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from prolotrack.domain.solutions import Totals
from prolotrack.domain.vocab import plural

__all__ = ["Column", "Listing", "Record", "Rows", "plain", "plain_number", "plural", "text"]


@dataclass(frozen=True)
class Column:
    key: str  # the snake_case name used by JSON and as the CSV header
    header: str  # the table's heading
    numeric: bool = False
    decimals: int | None = None  # fixed decimals in a table (volumes); None: as few as needed
    in_table: bool = True  # False: too big for a table, given in CSV and JSON only
    # On a terminal: free text (a name, a condition) wraps at spaces and is shortened with an
    # ellipsis; anything else (a date, a number, a code, a status) is never split or cut.
    free: bool = False
    # Columns a reader can do without on a narrow terminal go first: the highest number first;
    # 0 is never dropped.
    drop: int = 0
    styles: tuple[tuple[str, str], ...] = ()  # on a terminal: a value's style (a tier's colour)
    # On a terminal: the value in a shorter form (a time to the minute); CSV and JSON keep it.
    on_screen: Callable[[Any], str] | None = None


class Rows:
    """A listing's rows read afresh each time they are gone through (a query run again), for
    a listing too long to hold (a ten-year audit log): a table goes through them twice, once to
    size its columns and once to print them, CSV and JSON once; none holds them all."""

    def __init__(self, read: Callable[[], Iterable[dict[str, Any]]]):
        self._read = read

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._read())


@dataclass
class Listing:
    columns: list[Column]
    rows: list[dict[str, Any]] | Rows
    title: str | None = None
    empty: str = "nothing to show"
    legend: str | None = None  # under a table: what its short headers stand for


@dataclass
class Record:
    """One record: labelled fields, then listings that belong to it (a patient's courses)."""

    fields: list[tuple[Column, Any]]
    sections: dict[str, Listing] = field(default_factory=dict)
    title: str | None = None


def plain_number(value: float | int) -> float | int:
    """7.0 becomes 7; other numbers stay as they are."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def plain(value: Any) -> Any:
    """A value as JSON carries it: ISO dates, plain numbers, lists as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return plain_number(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return str(value)


def text(value: Any, column: Column | None = None, *, joiner: str = ", ") -> str:
    """A value as one cell of text: ISO dates, numbers without needless zeros."""
    if type(value) is str:  # most cells: asked first
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        if column is not None and column.decimals is not None:
            return f"{value:.{column.decimals}f}"
        return f"{plain_number(round(value, 4))}"
    if isinstance(value, list | tuple):
        return joiner.join(text(v) for v in value)
    if isinstance(value, Totals):
        return joiner.join(value.described)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
