"""Peak memory of `prolotrack export injections` at two sizes: it must stay flat.

    python tests/benchmarks/export_memory.py [--rows 500000]

Builds a synthetic file of the given number of injection rows (and one tenth of it), exports
each through the installed command in a child process, and prints the child's peak resident
memory (ru_maxrss) and time. Not a test: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from prolotrack.storage.connection import transaction

SITES_PER_SESSION = 10
SESSIONS_PER_COURSE = 10


def build(path: Path, rows: int) -> None:
    """A synthetic clinic with ``rows`` injection sites, inserted in bulk."""
    courses = max(rows // (SITES_PER_SESSION * SESSIONS_PER_COURSE), 1)
    now = "2026-01-01T00:00:00Z"
    with transaction(path, write=True) as db:
        conn = db.conn
        conn.executemany(
            "INSERT INTO patients (id, chart, name, born, created_at, updated_at)"
            " VALUES (?, ?, ?, '1960-01-01', ?, ?)",
            ((n, f"P-{n:06d}", f"Patient {n}", now, now) for n in range(1, courses + 1)),
        )
        conn.executemany(
            "INSERT INTO courses (id, patient_id, condition, measure, interval, started_on,"
            " created_at, updated_at) VALUES (?, ?, 'knee osteoarthritis', 'nrs', '4w',"
            " '2020-01-06', ?, ?)",
            ((n, n, now, now) for n in range(1, courses + 1)),
        )
        sessions = (
            (c * SESSIONS_PER_COURSE + k, c, k + 1, f"2020-{1 + k:02d}-06", now, now)
            for c in range(1, courses + 1)
            for k in range(SESSIONS_PER_COURSE)
        )
        conn.executemany(
            "INSERT INTO sessions (id, course_id, number, date, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            sessions,
        )
        conn.executemany(
            "INSERT INTO injections (session_id, position, site, side, solution, volume_ml)"
            " VALUES (?, ?, ?, 'right', 'dextrose 15%', 0.5)",
            (
                (c * SESSIONS_PER_COURSE + k, p + 1, f"site {p + 1}")
                for c in range(1, courses + 1)
                for k in range(SESSIONS_PER_COURSE)
                for p in range(SITES_PER_SESSION)
            ),
        )
        conn.executemany(
            "INSERT INTO scores (course_id, session_id, instrument, value, date, created_at)"
            " SELECT course_id, id, 'nrs', 5, date, ? FROM sessions WHERE id = ?",
            (
                (now, c * SESSIONS_PER_COURSE + k)
                for c in range(1, courses + 1)
                for k in range(SESSIONS_PER_COURSE)
            ),
        )


def export(path: Path, out: Path) -> tuple[float, float]:
    """Seconds and peak MiB of one export in a fresh child process."""
    script = Path(sys.executable).parent / "prolotrack"
    command = [str(script), "--db", str(path), "export", "injections", "-o", str(out), "--force"]
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True);"
        " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, int(done.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    print(f"{'rows':>10} {'seconds':>8} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for rows in (args.rows // 10, args.rows):
            path = Path(folder) / f"clinic-{rows}.db"
            build(path, rows)
            seconds, peak = export(path, Path(folder) / f"out-{rows}.csv")
            with open(Path(folder) / f"out-{rows}.csv") as written:
                lines = sum(1 for _ in written) - 1
            print(f"{lines:>10} {seconds:>8.1f} {peak:>9.1f}")
    print(f"(self: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
