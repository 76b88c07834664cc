"""The injections CSV writer when a clinic uses few kinds of site, and when every site differs.

    python tests/benchmarks/site_kinds.py [--sites 600000] [--runs 3]

The writer (render.delimited ``stream_sites``) writes the fields of each kind of site (site,
side, solution, volume, points) once and reuses the text; this measures what that gains with a
clinic's few hundred kinds, and what it costs when no site is like another (a volume that is
never the same twice). In-process, writing to /dev/null, the same sessions both ways; medians
of alternating runs. Not a test: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from prolotrack.render import delimited
from prolotrack.render.view import Column
from prolotrack.storage.exports import SiteCells

SITES_PER_SESSION = 12
COLUMNS = ["chart", "name", "site", "side", "solution", "volume_ml", "points", "nrs"]


def sites(count: int, kinds: int | None) -> list[tuple]:
    """New tuples each time, as an SQLite cursor gives them."""
    if kinds is None:
        return [(f"site {n % 200}", "left", "dextrose 15%", 0.5 + n / 1e7, 1) for n in range(count)]
    return [(f"site {n % kinds}", "left", "dextrose 15%", 0.5, 1) for n in range(count)]


def write(count: int, kinds: int | None) -> float:
    sessions = [(f"P-{n:06d}", "Ann Lee", "4", SITES_PER_SESSION)
                for n in range(count // SITES_PER_SESSION)]  # fmt: skip
    cells = SiteCells(iter(sessions), iter(sites(len(sessions) * SITES_PER_SESSION, kinds)), 2)
    with open(os.devnull, "w") as out:
        started = time.perf_counter()
        delimited.stream_sites(out, [Column(k, k) for k in COLUMNS], cells)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=600_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    few, distinct = [], []
    for _ in range(args.runs):
        few.append(write(args.sites, 200))
        distinct.append(write(args.sites, None))
    few_s, distinct_s = statistics.median(few), statistics.median(distinct)
    print(f"{args.sites:,} sites: 200 kinds {few_s:.2f} s, every site distinct"
          f" {distinct_s:.2f} s ({distinct_s / few_s:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
