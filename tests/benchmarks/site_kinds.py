"""The injections CSV writer when a clinic uses few kinds of site, and when every site differs.

    python tests/benchmarks/site_kinds.py [--sites 600000] [--runs 3]

The writer (render.delimited ``stream_sites``) makes the text of each kind of site (site,
side, solution, volume, points) once and reuses it (an ``lru_cache``); this measures what that
gains with a clinic's few hundred kinds (against the same writer with the cache taken out), and
what it costs when no site is like another (a volume that is never the same twice). In-process,
writing to /dev/null, the same sessions each way; medians of alternating runs. Not a test:
timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import time
from unittest import mock

from prolotrack.render import delimited
from prolotrack.render.view import Column

SITES_PER_SESSION = 12
COLUMNS = ["chart", "name", "site", "side", "solution", "volume_ml", "points", "nrs"]


def sites(count: int, kinds: int | None) -> list[tuple]:
    """New tuples each time, as an SQLite cursor gives them."""
    if kinds is None:
        return [(f"site {n % 200}", "left", "dextrose 15%", 0.5 + n / 1e7, 1) for n in range(count)]
    return [(f"site {n % kinds}", "left", "dextrose 15%", 0.5, 1) for n in range(count)]


def write(count: int, kinds: int | None, cached: bool = True) -> float:
    sessions = [
        ([f"P-{n:06d}", "Ann Lee", "4"], SITES_PER_SESSION)
        for n in range(count // SITES_PER_SESSION)
    ]
    stored = sites(len(sessions) * SITES_PER_SESSION, kinds)
    columns = [Column(k, k) for k in COLUMNS]
    uncached = mock.patch.object(functools, "lru_cache", lambda maxsize: lambda f: f)
    with open(os.devnull, "w") as out, mock.MagicMock() if cached else uncached:
        started = time.perf_counter()
        delimited.stream_sites(out, columns, sessions, stored, delimited.stored_cells)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=600_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    few, uncached, distinct = [], [], []
    for _ in range(args.runs):
        few.append(write(args.sites, 200))
        uncached.append(write(args.sites, 200, cached=False))
        distinct.append(write(args.sites, None))
    few_s, uncached_s, distinct_s = map(statistics.median, (few, uncached, distinct))
    print(
        f"{args.sites:,} sites: 200 kinds {few_s:.2f} s (without the cache {uncached_s:.2f} s),"
        f" every site distinct {distinct_s:.2f} s ({distinct_s / few_s:.1f}x)"
    )


if __name__ == "__main__":
    main()
