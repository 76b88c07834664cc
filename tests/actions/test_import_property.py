"""The CSV import reads whatever a spreadsheet holds: it refuses cleanly or imports exactly."""

import io
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prolotrack.actions.importer import Importer
from prolotrack.domain.errors import ProlotrackError
from prolotrack.render.delimited import unquote
from prolotrack.storage.connection import transaction

HEADER = "chart,name,condition,started_on,session_date,site,volume_ml,solution,side,nrs\n"
TODAY = date(2026, 3, 20)

cells = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
rows = st.lists(st.lists(cells, min_size=10, max_size=10), min_size=1, max_size=4)


def _csv(values: list[list[str]]) -> str:
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(values)
    return HEADER + out.getvalue()


def _import(text: str) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        transaction(Path(folder) / "c.db", write=True, commit=False) as db,
    ):
        importer = Importer(db, "sheet.csv", TODAY, None, unquote)
        importer.read(io.StringIO(text, newline=""))
        importer.finish()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_random_cells_are_imported_or_refused_never_a_crash(values):
    try:
        _import(_csv(values))
    except ProlotrackError as error:
        assert str(error)
        for line in getattr(error, "details", []):
            assert line.startswith("sheet.csv:")


# A leading quote before a formula character is how our exports protect a cell, so import takes
# it away: such a text comes back from a hand-made sheet without it, by design.
names = st.text(
    alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=20
).filter(lambda s: s.strip() and not s.strip().startswith("'"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names, names, names, st.sampled_from(["0.5", "1", "6", "12.5"]))
def test_valid_rows_come_back_out_as_they_went_in(name, condition, site, volume):
    from tests.conftest import Clinic

    # as the command line reads them: spaces collapsed, one Unicode form (NFC)
    name, condition, site = (
        unicodedata.normalize("NFC", " ".join(v.split())) for v in (name, condition, site)
    )
    with tempfile.TemporaryDirectory() as folder:
        sheet = Path(folder) / "sheet.csv"
        sheet.write_text(
            _csv(
                [
                    [
                        "C-1",
                        name,
                        condition,
                        "2026-01-05",
                        "2026-01-05",
                        site,
                        volume,
                        "D15",
                        "left",
                        "5",
                    ]
                ]
            ),
            newline="",
        )
        clinic = Clinic(Path(folder) / "c.db", TODAY)
        clinic.ok("import", str(sheet))
        [row] = clinic.json("export", "injections", "-f", "json")
        assert (row["name"], row["condition"], row["site"]) == (name, condition, site)
        assert (row["volume_ml"], row["solution"], row["nrs"]) == (float(volume), "dextrose 15%", 5)
