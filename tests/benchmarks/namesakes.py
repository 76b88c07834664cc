"""Two import sheets of the same shape for the namesakes benchmark: 12,000 patients of ten weekly
sessions each (120,000 rows), whose names are all distinct in one and share five names in the
other. An import warns once per new patient whose name is already on file; its time and memory
must not grow with how many share a name (issue 25).

    python tests/benchmarks/namesakes.py DIR      # writes DIR/distinct.csv and DIR/shared.csv
"""

from __future__ import annotations

import csv
import sys
from datetime import date, timedelta
from pathlib import Path

PATIENTS, SESSIONS = 12_000, 10
SHARED = ("Ann Lee", "Bo Chen", "Sam Khan", "Ada Park", "Li Wei")
HEADER = [
    "chart",
    "name",
    "condition",
    "started_on",
    "session_date",
    "site",
    "volume_ml",
    "solution",
    "nrs",
]


def _letters(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = chr(ord("a") + r) + out
        if n == 0:
            return out.capitalize()


def write(path: Path, shared: bool) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(HEADER)
        for n in range(PATIENTS):
            name = SHARED[n % len(SHARED)] if shared else f"{_letters(n)} Lee"
            start = date(2020, 1, 6) + timedelta(days=n % 900)
            for k in range(SESSIONS):
                day = start + timedelta(weeks=k)
                out.writerow(
                    [
                        f"N{n:06d}",
                        name,
                        "knee osteoarthritis",
                        start.isoformat(),
                        day.isoformat(),
                        "MCL",
                        "1",
                        "dextrose 15%",
                        7 - k % 7,
                    ]
                )


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    write(folder / "distinct.csv", shared=False)
    write(folder / "shared.csv", shared=True)
