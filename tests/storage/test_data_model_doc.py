"""docs/data-model.md names every table and every column a person reading the file with sqlite3
meets (besides ids and record-keeping timestamps)."""

from pathlib import Path

import pytest

from tests import raw

DOC = (Path(__file__).parents[2] / "docs" / "data-model.md").read_text()
KEEPING = {"id", "created_at", "updated_at"}


@pytest.mark.sqlite_only
def test_every_table_and_column_is_in_the_data_model(clinic):
    clinic.ok("patient", "add", "Ada")
    with raw.connect(clinic.path) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE '\\_%' ESCAPE '\\'"
            )
        ]
        missing = [
            f"{table}.{column}"
            for table in tables
            for column in [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            if f"`{table}`" not in DOC or (column not in KEEPING and f"`{column}`" not in DOC)
        ]
    conn.close()
    assert missing == []
