"""CSV and JSON as SPEC describes them: one header, plain numbers, no formula can run."""

import csv
import io
import json
from datetime import date

from prolotrack.render import delimited, jsondoc
from prolotrack.render.view import Column, Listing, Rows

LISTING = Listing(
    [Column("name", "Name"), Column("change", "Change", numeric=True), Column("on", "On"),
     Column("solutions", "Solutions")],
    [
        {"name": "=HYPERLINK(\"x\")", "change": -4, "on": date(2026, 1, 5),
         "solutions": ["dextrose 15%", "dextrose 25%"]},
        {"name": "+1 555", "change": 12.0, "on": None, "solutions": []},
        {"name": "@SUM(A1)", "change": 57.1, "on": None, "solutions": ["-saline"]},
        {"name": "\tTab", "change": 0, "on": None, "solutions": []},
    ],
)  # fmt: skip


def test_csv_neutralises_formulas_and_keeps_numbers():
    out = io.StringIO()
    delimited.listing(out, LISTING)
    text = out.getvalue()
    assert "\r" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "change", "on", "solutions"]
    assert rows[1] == ['\'=HYPERLINK("x")', "-4", "2026-01-05", "dextrose 15%; dextrose 25%"]
    assert rows[2][:2] == ["'+1 555", "12"]
    assert rows[3] == ["'@SUM(A1)", "57.1", "", "'-saline"]
    assert rows[4][0] == "'\tTab"


def test_json_is_one_document_with_plain_values():
    out = io.StringIO()
    jsondoc.listing(out, LISTING)
    rows = json.loads(out.getvalue())
    assert rows[0] == {
        "name": '=HYPERLINK("x")',
        "change": -4,
        "on": "2026-01-05",
        "solutions": ["dextrose 15%", "dextrose 25%"],
    }
    assert rows[1]["change"] == 12 and isinstance(rows[1]["change"], int)


def test_json_written_a_row_at_a_time_is_the_document_written_whole():
    for rows in ([], LISTING.rows[:1], LISTING.rows):
        view = Listing(LISTING.columns, Rows(lambda rows=rows: iter(rows)))
        out, whole = io.StringIO(), io.StringIO()
        jsondoc.listing(out, view)
        jsondoc.document(whole, jsondoc.rows(Listing(LISTING.columns, rows)))
        assert out.getvalue() == whole.getvalue()
