"""An export as an Excel workbook with typed cells (openpyxl, imported by this module only).

A CSV opened in a spreadsheet loses what it holds: chart ``007`` becomes 7, a de-identified age
``90+`` becomes 90, a phone ``+1 555`` a formula. In a workbook each cell says what it is: text
stays text whatever it looks like (and is never a formula), dates are dates, numbers numbers,
yes/no a boolean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from prolotrack.render.view import Column

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_FORMAT = "yyyy-mm-dd"
# The exports' date columns: a value of another column that looks like a date stays text.
_DATES = re.compile(r"(^|_)(on|date|born|due|onset|started|closed)$")


def write(out: IO[bytes], columns: list[Column], rows: Iterable[dict], title: str) -> int:
    """Write one sheet of ``rows``; return how many rows were written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.key)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    try:
        for row in rows:
            sheet.append(
                [_cell(sheet, row.get(c.key), bool(_DATES.search(c.key))) for c in columns]
            )
            count += 1
        book.save(out)
    except BaseException:
        _abandon(sheet)
        raise
    return count


def _abandon(sheet) -> None:
    """Close a sheet whose writing failed (a full disk): openpyxl keeps its rows in a temporary
    file through a generator that, left open, would raise again when it is collected and print
    its traceback after our one-line error; the temporary file holds patients' data, so it
    goes too."""
    import contextlib
    import os

    writer = getattr(sheet, "_writer", None)
    if writer is None:
        return
    for generator in (getattr(sheet, "_rows", None), writer.xf):  # rows first, then the sheet
        with contextlib.suppress(Exception):
            generator.close()
    with contextlib.suppress(Exception):
        os.remove(writer.out)


def _cell(sheet, value, is_date: bool) -> WriteOnlyCell:
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    if is_date and isinstance(value, str) and _ISO_DATE.match(value):
        value = date.fromisoformat(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even "=1+1" or "+1 555": never a formula
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell
