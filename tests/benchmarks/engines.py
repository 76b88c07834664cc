"""Each everyday command on a clinic in PostgreSQL against the same on the SQLite file, for
run.py's ``--only engines`` (see its docstring)."""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from pathlib import Path

from run import BIN, TODAY, Table, _next_bench_day, alternate, peak_mib, prolotrack, run


def engines(big: Path, work: Path, admin: str, runs: int, table: Table) -> None:
    """Each everyday command on the clinic in PostgreSQL against the same on the SQLite file,
    side by side; the copy there; the import and export."""
    import psycopg

    base = admin.rsplit("/", 1)[0]
    names = ("prolotrack_bench", "prolotrack_bench_import")
    with psycopg.connect(admin, autocommit=True) as server:
        for name in names:
            server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            server.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    clinic, imported = (f"{base}/{name}" for name in names)
    started = time.perf_counter()
    run([str(BIN / "prolotrack"), "--db", str(big), "db", "copy", "--to", clinic])
    table.note("db copy --to postgresql", f"{time.perf_counter() - started:.1f} s")

    def log(db):
        start = _next_bench_day(big) + timedelta(days=1000)
        return lambda n: [
            str(BIN / "prolotrack"),
            "--db",
            str(db),
            "--today",
            TODAY,
            "log",
            "BENCH-1",
            "--date",
            (start + timedelta(days=2 * n + (db != big))).isoformat(),
            "--site",
            "MCL:0.5:D15",
            "--pain",
            "5",
        ]

    ours, anchor = alternate(log(clinic), log(big), runs)
    table.add("session log, PostgreSQL", ours, "same, SQLite file", anchor)
    everyday = (
        ["patient", "list"],
        ["patient", "show", "BENCH-1"],
        ["progress", "BENCH-1"],
        ["summary"],
        ["due"],
        ["session", "list", "--patient", "BENCH-1"],
        ["report", "outcomes"],
        ["audit", "--id", "1"],
    )
    for command in everyday:
        ours, anchor = alternate(prolotrack(clinic, *command), prolotrack(big, *command), runs)
        table.add(f"{' '.join(command)}, PostgreSQL", ours, "same, SQLite file", anchor)
    out_pg, out_file = work / "pg-injections.csv", work / "file-injections.csv"
    ours, anchor = alternate(
        prolotrack(clinic, "export", "injections", "-o", str(out_pg), "--force"),
        prolotrack(big, "export", "injections", "-o", str(out_file), "--force"),
        runs,
    )
    table.add("export injections, PostgreSQL", ours, "same, SQLite file", anchor)
    peak = peak_mib(prolotrack(clinic, "export", "injections", "-o", str(out_pg), "--force"))
    table.note("export injections, PostgreSQL, peak memory", f"{peak:.0f} MiB")
    target = work / "imported.db"

    def fresh():
        for stale in [*work.glob("imported.db*"), *work.glob(".imported.db*")]:
            stale.unlink()
        with psycopg.connect(admin, autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {names[1]} WITH (FORCE)")
            server.execute(f"CREATE DATABASE {names[1]} TEMPLATE template0")

    into_server = prolotrack(imported, "import", str(out_file))
    ours, anchor = alternate(into_server, prolotrack(target, "import", str(out_file)), 1, fresh)
    table.add("import of the export, PostgreSQL", ours, "same, SQLite file", anchor)
    # the server's floor: the same rows through its audit triggers, checking nothing
    floor = [sys.executable, str(Path(__file__).parent / "import_floor.py"), str(out_file)]
    into_file = prolotrack(target, "import", str(out_file))
    ours, anchor = alternate([*floor, imported], into_file, 1, fresh)
    table.add("import_floor.py into PostgreSQL", ours, "import into a file", anchor)
