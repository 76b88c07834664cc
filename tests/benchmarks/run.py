"""prolotrack's speed at clinic scale, as ratios measured side by side in one run.

    python tests/benchmarks/run.py [--runs 5] [--scale 1.0] [--only NAME ...]
    python tests/benchmarks/run.py --only engines --postgres postgresql://USER@HOST/postgres

Builds (or reuses, in --work) a ten-year clinic with make_clinic.py and an empty file, then runs
each command and its anchor alternately, --runs times each, and prints the medians and their
ratio. These machines are shared and noisy: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TODAY = "2026-11-23"


def prolotrack(db: Path, *args: str) -> list[str]:
    return [str(BIN / "prolotrack"), "--db", str(db), "--today", TODAY, *args]


def run(command: list[str], **kwargs) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr}")
    return took


def peak_mib(command: list[str]) -> float:
    """The peak resident memory of a command, measured in a probe process of its own."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True,"
        " stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN)"
        ".ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip()) / 1024


def alternate(ours, anchor, runs: int, setup=None) -> tuple[float, float]:
    """Medians of ``runs`` alternating runs of two commands (callables give the command)."""
    mine, theirs = [], []
    for n in range(runs):
        for command, times in ((ours, mine), (anchor, theirs)):
            if setup:
                setup()
            times.append(run(command(n) if callable(command) else command))
    return statistics.median(mine), statistics.median(theirs)


class Table:
    def __init__(self):
        self.rows = []

    def add(self, what, ours, anchor_name, anchor, goal=""):
        ratio = ours / anchor if anchor else float("nan")
        self.rows.append((what, f"{ours:.3f}", anchor_name, f"{anchor:.3f}", f"{ratio:.2f}x", goal))
        print(
            f"  {what}: {ours:.3f} s vs {anchor_name} {anchor:.3f} s = {ratio:.2f}x {goal}",
            flush=True,
        )

    def note(self, what, text):
        self.rows.append((what, text, "", "", "", ""))
        print(f"  {what}: {text}", flush=True)

    def markdown(self) -> str:
        head = (
            "| measure | ours (s) | anchor | anchor (s) | ratio | goal |\n|---|---|---|---|---|---|"
        )
        return head + "".join(f"\n| {' | '.join(r)} |" for r in self.rows)


def compiled() -> None:
    """prolotrack's modules with their bytecode, as ``pip install`` leaves them. An editable
    install where PYTHONDONTWRITEBYTECODE is set (as on these machines) has none, and every
    command would compile its fifty modules from source: about 50 ms of each start-up that no
    installed copy pays."""
    import compileall

    import prolotrack

    compileall.compile_dir(Path(prolotrack.__file__).parent, quiet=1)


def prepare(work: Path, scale: float) -> tuple[Path, Path]:
    compiled()
    big, empty = work / f"ten-years-{scale:g}.db", work / "empty.db"
    if not big.exists():
        print(f"building the ten-year clinic (scale {scale:g}) in {big} ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(HERE / "make_clinic.py"),
                str(big),
                "--scale",
                str(scale),
                "--today",
                TODAY,
            ],
            check=True,
        )
    for db in (big, empty):
        if db == empty:
            for stale in work.glob("empty.db*"):
                stale.unlink()
        bench = subprocess.run(prolotrack(db, "patient", "show", "BENCH-1"), capture_output=True)
        if bench.returncode != 0:
            run(prolotrack(db, "patient", "add", "Bench Mark", "--chart", "BENCH-1"))
            run(
                prolotrack(
                    db,
                    "course",
                    "start",
                    "BENCH-1",
                    "--condition",
                    "benchmark knee",
                    "--every",
                    "1w",
                    "--measure",
                    "womac",
                    "--date",
                    "2016-01-01",
                )
            )
            run(
                prolotrack(
                    db,
                    "log",
                    "BENCH-1",
                    "--date",
                    "2016-01-01",
                    "--site",
                    "MCL:0.5:D15",
                    "--pain",
                    "6",
                    "--score",
                    "womac=50",
                )
            )
    return big, empty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "prolotrack-bench"
    )
    parser.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="startup floor log reports outcomes export import namesakes care size engines"
        " encrypted memory",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("PROLOTRACK_TEST_POSTGRES"),
        help="a superuser's URL, for 'engines' (a database of its own is made there)",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    wanted = set(
        args.only
        or ["startup", "floor", "log", "reports", "outcomes", "export", "import", "care", "size"]
    )
    big, empty = prepare(args.work, args.scale)
    table, runs = Table(), args.runs
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; {runs} alternating runs")

    if "startup" in wanted:
        floor = [sys.executable, "-c", "import typer, rich, sqlite_utils, dateutil.parser"]
        for args_ in (["--version"], ["--help"]):
            ours, anchor = alternate([str(BIN / "prolotrack"), *args_], floor, runs)
            goal = "<= 1.0x" if args_ == ["--version"] else "<= 1.2x"
            table.add(f"prolotrack {args_[0]}", ours, "import floor", anchor, goal)

    if "floor" in wanted:  # every command on a one-patient file against the smallest app
        floor = [sys.executable, str(HERE / "floor_app.py"), "--db", str(empty)]
        for command in (
            ["summary"],
            ["due"],
            ["progress", "BENCH-1"],
            ["patient", "list"],
            ["patient", "show", "BENCH-1"],
            ["session", "list"],
            ["audit"],
            ["report", "outcomes"],
            ["export", "injections"],
            ["db", "status"],
            ["db", "check"],
        ):
            ours, anchor = alternate(prolotrack(empty, *command), floor, runs)
            table.add(
                f"{' '.join(command)}, one-patient file", ours, "floor_app.py", anchor, "<= 1.3x"
            )
        ours, anchor = alternate(_log(empty), floor, runs)  # a write: one transaction, sealed
        table.add("session log, one-patient file", ours, "floor_app.py", anchor, "<= 1.3x")

    if "log" in wanted:
        ours, anchor = alternate(_log(big), _log(empty), runs)
        table.add("session log, ten-year file", ours, "same, empty file", anchor, "<= 1.1x")

    if "reports" in wanted:
        for command, goal in (
            (["progress", "BENCH-1"], "<= 1.1x"),
            (["summary"], "<= 1.3x"),  # the follow-ups due across the clinic: issue 34's goal
            (["due"], "<= 1.3x"),
            (["audit", "--id", "1"], "<= 1.1x"),
        ):
            ours, anchor = alternate(prolotrack(big, *command), prolotrack(empty, *command), runs)
            table.add(f"{' '.join(command)}, ten-year file", ours, "same, empty file", anchor, goal)

    if "outcomes" in wanted:
        outcomes = ["report", "outcomes"]
        ours, anchor = alternate(prolotrack(big, *outcomes), prolotrack(empty, *outcomes), runs)
        table.add("report outcomes, ten-year file", ours, "same, empty file", anchor, "<= 2x")
        peaks = [peak_mib(prolotrack(db, *outcomes)) for db in (empty, big)]
        table.note(
            "report outcomes, peak memory",
            f"{peaks[1]:.0f} MiB (one-patient file: {peaks[0]:.0f} MiB)",
        )

    if "export" in wanted:
        out = args.work / "injections.csv"
        query = args.work / "injections.sql"
        query.write_text(_export_sql(big) + ";\n")
        ours, sqlite3_time = alternate(
            prolotrack(big, "export", "injections", "-o", str(out), "--force"),
            ["sh", "-c", f"sqlite3 -csv -header '{big}' < '{query}' > '{args.work}/sqlite3.csv'"],
            runs,
        )
        table.add("export injections", ours, "sqlite3 -csv", sqlite3_time, "<= 1.5x")
        _, peer = alternate(
            prolotrack(big, "export", "injections", "-o", str(out), "--force"),
            [
                "sh",
                "-c",
                f"'{BIN}/sqlite-utils' query --csv '{big}' \"$(cat '{query}')\""
                f" > '{args.work}/su.csv'",
            ],
            runs,
        )
        table.add("export injections", ours, "sqlite-utils query --csv", peer, ">= 2x faster")
        rows = sum(1 for _ in out.open()) - 1
        peak = peak_mib(prolotrack(big, "export", "injections", "-o", str(out), "--force"))
        table.note(
            "export injections, peak memory",
            f"{peak:.0f} MiB for {rows:,} rows (goal < 80 MiB, flat)",
        )
        plain = prolotrack(big, "export", "injections", "-o", str(out), "--force")
        bulk = args.work / "fhir-bulk"  # a whole clinic's FHIR: Bulk Data, a folder of NDJSON
        for what, goal, other in (
            (["injections", "--deidentify"], "<= 1.5x", args.work / "other.csv"),
            (["fhir"], "<= 5x", bulk),
        ):
            command = prolotrack(big, "export", *what, "-o", str(other), "--force")
            ours, anchor = alternate(command, plain, runs)
            table.add(f"export {' '.join(what)}", ours, "export injections", anchor, goal)
            table.note(f"export {' '.join(what)}, peak memory", f"{peak_mib(command):.0f} MiB")
        written = sum(f.stat().st_size for f in bulk.iterdir())
        table.note(
            "export fhir, bytes written",
            f"{written / 2**20:,.0f} MiB, {written / out.stat().st_size:.1f}x the CSV's",
        )

    if "import" in wanted:
        out = args.work / "injections.csv"
        if not out.exists():
            run(prolotrack(big, "export", "injections", "-o", str(out)))
        target = args.work / "imported.db"

        def fresh():
            for stale in args.work.glob("imported.db*"):
                stale.unlink()
            for stale in args.work.glob(".imported.db*"):
                stale.unlink()

        part = args.work / "injections-5pc.csv"  # a twentieth of the sheet: the goal at every size
        with out.open() as whole, part.open("w") as sliced:
            sliced.writelines(itertools.islice(whole, sum(1 for _ in out.open()) // 20))
        for sheet, what in ((out, "import of the export"), (part, "import of 5 % of it")):
            peer = [str(BIN / "sqlite-utils"), "insert", str(target), "injections"]
            ours, anchor = alternate(
                prolotrack(target, "import", str(sheet)),
                [*peer, str(sheet), "--csv"],
                runs,
                setup=fresh,
            )
            table.add(what, ours, "sqlite-utils insert --csv", anchor, "<= 1.0x")
        floor = [sys.executable, str(HERE / "import_floor.py"), str(out), str(target)]
        ours, anchor = alternate(prolotrack(target, "import", str(out)), floor, runs, fresh)
        table.add("import of the export", ours, "import_floor.py", anchor, "<= 1.5x")
        fresh()
        table.note(
            "import, peak memory", f"{peak_mib(prolotrack(target, 'import', str(out))):.0f} MiB"
        )

    if "namesakes" in wanted:  # 120,000 rows whose patients share five names, or none
        import namesakes

        for kind in ("distinct", "shared"):
            if not (args.work / f"{kind}.csv").exists():
                namesakes.write(args.work / f"{kind}.csv", shared=kind == "shared")
        targets = {kind: args.work / f"namesakes-{kind}.db" for kind in ("distinct", "shared")}

        def fresh_targets():
            for target in targets.values():
                for stale in args.work.glob(f"*{target.name}*"):
                    stale.unlink()

        ours, anchor = alternate(
            prolotrack(targets["shared"], "import", str(args.work / "shared.csv")),
            prolotrack(targets["distinct"], "import", str(args.work / "distinct.csv")),
            runs,
            setup=fresh_targets,
        )
        table.add(
            "import 120,000 rows, five shared names",
            ours,
            "same, distinct names",
            anchor,
            "<= 1.1x",
        )
        peaks = {}
        for kind, target in targets.items():
            fresh_targets()
            peaks[kind] = peak_mib(prolotrack(target, "import", str(args.work / f"{kind}.csv")))
        table.note(
            "import 120,000 rows, peak memory",
            f"shared names {peaks['shared']:.0f} MiB, distinct {peaks['distinct']:.0f} MiB"
            f" = {peaks['shared'] / peaks['distinct']:.2f}x (goal <= 1.1x)",
        )

    if "care" in wanted:
        copy = args.work / "backup.db"

        def no_copy():
            for stale in args.work.glob("backup.db*"):
                stale.unlink()

        sqlite_backup = ["sqlite3", str(big), f".backup '{copy}'"]
        ours, anchor = alternate(
            prolotrack(big, "db", "backup", str(copy)), sqlite_backup, runs, no_copy
        )
        table.add("db backup", ours, "sqlite3 .backup", anchor, "<= 1.5x")
        ours, anchor = alternate(
            prolotrack(big, "db", "check"), ["sqlite3", str(big), "PRAGMA integrity_check"], runs
        )
        table.add("db check", ours, "sqlite3 PRAGMA integrity_check", anchor)
        for part, took in _check_parts(big).items():
            table.note(f"db check: {part}", f"{took:.2f} s")

    if "encrypted" in wanted:  # the same command on an encrypted copy, its key found as a user's
        for plain in (empty, big):
            locked = _encrypted_copy(plain, args.work)
            where = "one-patient file" if plain == empty else "ten-year file"
            for command in (["patient", "show", "BENCH-1"], ["summary"], ["progress", "BENCH-1"]):
                ours, anchor = alternate(
                    prolotrack(locked, *command), prolotrack(plain, *command), runs
                )
                table.add(
                    f"{' '.join(command)}, {where}, encrypted",
                    ours,
                    "same, plain",
                    anchor,
                    "< 1.1x",
                )
            ours, anchor = alternate(_log(locked), _log(plain), runs)
            table.add(f"session log, {where}, encrypted", ours, "same, plain", anchor, "< 1.1x")
            table.note(f"opening the {where}, encrypted vs plain", _open_cost(locked, plain))

    if "memory" in wanted:  # every everyday command's peak, one year of records against ten
        one_year, _ = prepare(args.work, args.scale / 10)
        for command in MEMORY:
            peaks = []
            for db in (one_year, big):
                for stale in args.work.glob("memory-*"):
                    shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
                peaks.append(peak_mib(prolotrack(db, *_placed(command, args.work))))
            table.note(
                f"peak memory: {' '.join(command)}",
                f"{peaks[1]:.0f} MiB at ten years, {peaks[0]:.0f} MiB at one"
                f" ({peaks[1] / peaks[0]:.2f}x; goal < 100 MiB, flat)",
            )

    if "size" in wanted:
        table.note("the ten-year file", _sizes(big))

    if "engines" in wanted:
        if not args.postgres:
            raise SystemExit("engines: give --postgres URL (or set PROLOTRACK_TEST_POSTGRES)")
        from engines import engines

        engines(big, args.work, args.postgres, runs, table)

    print()
    print(table.markdown())


# Every everyday command, as the memory group runs it (OUT: a file or folder of its own).
MEMORY = [
    ["summary"],
    ["due"],
    ["progress", "BENCH-1"],
    ["patient", "list"],
    ["patient", "show", "BENCH-1"],
    ["session", "list"],
    ["session", "list", "--patient", "BENCH-1"],
    ["session", "list", "--unsigned"],  # every session, on a clinic that never signs
    ["audit"],
    ["audit", "--id", "1"],
    ["report", "outcomes"],
    ["export", "injections", "-o", "OUT.csv"],
    ["export", "injections", "--deidentify", "-o", "OUT.csv"],
    ["export", "fhir", "-o", "OUT"],
    ["db", "status"],
    ["db", "check"],
    ["db", "backup", "OUT.db"],
]


def _placed(command: list[str], work: Path) -> list[str]:
    return [a.replace("OUT", str(work / "memory-out")) for a in command]


def _check_parts(db: Path) -> dict[str, float]:
    """What each part of ``db check`` takes on the file, in-process, one after another."""
    from prolotrack.storage import chain, file_check, keys, schema
    from prolotrack.storage.connection import FileDatabase, connect

    conn = connect(db, 5.0)
    database = FileDatabase(conn, execute_plugins=False)
    file_id, key = schema.file_key(database)
    parts = {
        "integrity_check": lambda: conn.execute("PRAGMA integrity_check").fetchall(),
        "foreign_key_check": lambda: conn.execute("PRAGMA foreign_key_check").fetchall(),
        "the audit chain (every row's keyed hash)": lambda: chain.broken_links(database, key),
        "the triggers": lambda: file_check._trigger_problems(database, True),
        "the head": lambda: chain.head_problems(database, keys.load_head(file_id, db), full=True),
        "every record against its last audit row": lambda: file_check.record_problems(database),
    }
    took = {}
    for part, work in parts.items():
        started = time.perf_counter()
        work()
        took[part] = time.perf_counter() - started
    conn.close()
    return took


def _sizes(db: Path) -> str:
    """The file's size, and what of it the audit log and its indexes take (SQLite's dbstat)."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        pages = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
        indexes = {
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'audit_log'"
            )
        }
    conn.close()
    whole = db.stat().st_size
    log = sum(size for name, size in pages.items() if name in indexes)
    records = whole - log
    return (
        f"{whole / 2**20:,.0f} MiB; the audit log {log / 2**20:,.0f} MiB ({log / whole:.0%});"
        f" the records without it {records / 2**20:,.0f} MiB: {whole / records:.1f}x"
        " (goal <= 2.5x)"
    )


def _encrypted_copy(plain: Path, work: Path) -> Path:
    """A copy of ``plain`` (with its head, as 'db copy' makes it), encrypted by 'db encrypt'
    with a key file in the keys folder: made once, kept in --work."""
    locked = work / f"encrypted-{plain.name}"
    if not locked.exists():
        print(f"copying {plain.name} to encrypt it ...", flush=True)
        run(prolotrack(plain, "db", "copy", "--to", str(locked)))
    with locked.open("rb") as handle:
        plain_still = handle.read(16) == b"SQLite format 3\x00"
    if plain_still:
        run(prolotrack(locked, "db", "encrypt"))
    return locked


_OPENING = """
import statistics, sys, time
from pathlib import Path
from prolotrack.storage.connection import open_file

def once(path):
    started = time.perf_counter()
    conn = open_file(Path(path), 5.0)
    conn.execute("SELECT count(*) FROM patients").fetchone()
    conn.close()
    return time.perf_counter() - started

locked, plain = sys.argv[1:3]
taken = {locked: [], plain: []}
for _ in range(300):
    for path in (locked, plain):
        taken[path].append(once(path))
print(*(statistics.median(taken[p]) * 1000 for p in (locked, plain)))
"""


def _open_cost(locked: Path, plain: Path) -> str:
    """What opening costs (the key found, the connection made, one query), in milliseconds:
    the medians of 300 opens of each, alternating, in one process."""
    out = subprocess.run(
        [sys.executable, "-c", _OPENING, str(locked), str(plain)],
        capture_output=True,
        text=True,
        check=True,
    )
    encrypted, plain_ms = (float(x) for x in out.stdout.split())
    return f"{encrypted:.2f} ms vs {plain_ms:.2f} ms: {encrypted - plain_ms:+.2f} ms an open"


def _log(db: Path):
    """``session log`` of the bench course, a day apart from the day after its last session,
    as a command for each run."""
    start = _next_bench_day(db)
    return lambda n: prolotrack(
        db,
        "log",
        "BENCH-1",
        "--date",
        (start + timedelta(days=n)).isoformat(),
        "--site",
        "MCL:0.5:D15",
        "--pain",
        "5",
    )


def _next_bench_day(db: Path) -> date:
    """The day after the bench course's last session: a day free of sessions, whatever earlier
    runs logged."""
    out = subprocess.run(
        prolotrack(db, "session", "list", "--patient", "BENCH-1", "-f", "json"),
        capture_output=True,
        text=True,
        check=True,
    )
    return max(date.fromisoformat(s["date"]) for s in json.loads(out.stdout)) + timedelta(days=1)


def _export_sql(db: Path) -> str:
    """The anchors' query: one SELECT of the same columns and rows, in the same order, as
    ``export injections`` writes; the way one would write it by hand for sqlite3 or
    sqlite-utils (the latest live score of each instrument pivoted per session)."""
    instruments = [
        row[0]
        for row in _sqlite(
            db,
            """SELECT code FROM instruments WHERE code IN (
        SELECT instrument FROM scores WHERE session_id IS NOT NULL AND voided_at IS NULL)
        ORDER BY rowid""",
        )
    ]
    pivot = "".join(
        f""", max(CASE WHEN instrument = '{code}' THEN value END) AS "{code}" """
        for code in instruments
    )
    scores = "".join(f', v."{code}"' for code in instruments)
    sql = f"""SELECT p.chart, p.name, c.condition, c.region, c.side AS course_side,
            c.started_on, c.measure, c.interval, c.planned_sessions, s.date AS session_date,
            s.number AS session_number, s.practitioner, s.anesthetic, s.guidance, i.site,
            i.side, i.solution, i.volume_ml, i.points {scores}
        FROM injections i JOIN sessions s ON s.id = i.session_id
        JOIN courses c ON c.id = s.course_id JOIN patients p ON p.id = c.patient_id
        LEFT JOIN (SELECT session_id {pivot} FROM (
                SELECT session_id, instrument, value, max(id) FROM scores
                WHERE voided_at IS NULL AND session_id IS NOT NULL
                GROUP BY session_id, instrument)
            GROUP BY session_id) AS v ON v.session_id = s.id
        WHERE s.voided_at IS NULL
        ORDER BY s.date, p.chart COLLATE NOCASE, p.name, c.started_on, c.condition, s.number,
            i.position"""
    return " ".join(sql.split())


def _sqlite(db: Path, sql: str) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


if __name__ == "__main__":
    shutil.which("sqlite3") or sys.exit("sqlite3 is needed for the export anchor")
    main()
