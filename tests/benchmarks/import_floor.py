"""The import's floor: the sheet read with Python's csv module and written with executemany
into prolotrack's own schema, audit triggers and all, in one transaction, checking nothing.

    python tests/benchmarks/import_floor.py SHEET.csv NEW_FILE
    python tests/benchmarks/import_floor.py SHEET.csv postgresql://.../EMPTY_DATABASE

What ``prolotrack import`` cannot go below without dropping its checks or its audit log;
run.py times it beside the import (the issue's goal: the import within 1.5x of it). On
PostgreSQL, the same rows through the server's audit triggers: the floor of an import there.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from prolotrack.domain.instruments import CATALOGUE
from prolotrack.storage import postgres
from prolotrack.storage.connection import transaction

NOW = "2026-01-01T00:00:00Z"
BATCH = 2000


def opened(target: str):
    """One writing transaction on the file or the server, its audit log kept as a command's."""
    if postgres.is_url(target):
        return postgres.transaction(target, write=True, busy_timeout=5)
    return transaction(Path(target), write=True)


def load(sheet: Path, target: str) -> dict[str, int]:
    tables = ("patients", "courses", "sessions", "injections", "scores")
    batches: dict[str, list[dict]] = {t: [] for t in tables}
    counts = dict.fromkeys(tables, 0)
    patients: dict[str, int] = {}
    courses: dict[tuple, int] = {}
    sessions: dict[tuple, int] = {}
    injections = 0
    with opened(target) as db, sheet.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        codes = [c for c in reader.fieldnames or () if c in {i.code for i in CATALOGUE}]
        for row in reader:
            patient_key = row["chart"] or row["name"]
            if patient_key not in patients:
                patients[patient_key] = len(patients) + 1
                batches["patients"].append(
                    {
                        "id": patients[patient_key],
                        "chart": row["chart"] or None,
                        "name": row["name"],
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
            course_key = (patient_key, row["condition"], row["started_on"])
            if course_key not in courses:
                courses[course_key] = len(courses) + 1
                batches["courses"].append(
                    {
                        "id": courses[course_key],
                        "patient_id": patients[patient_key],
                        "condition": row["condition"],
                        "region": row["region"] or None,
                        "side": row["course_side"] or None,
                        "measure": row["measure"] or None,
                        "interval": row["interval"] or None,
                        "planned_sessions": row["planned_sessions"] or None,
                        "started_on": row["started_on"],
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
            session_key = (course_key, row["session_date"])
            if session_key not in sessions:
                session_id = sessions[session_key] = len(sessions) + 1
                batches["sessions"].append(
                    {
                        "id": session_id,
                        "course_id": courses[course_key],
                        "date": row["session_date"],
                        "number": row["session_number"],
                        "practitioner": row["practitioner"] or None,
                        "anesthetic": row["anesthetic"] or None,
                        "guidance": row["guidance"] or None,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
                batches["scores"].extend(
                    {
                        "course_id": courses[course_key],
                        "session_id": session_id,
                        "instrument": code,
                        "value": float(row[code]),
                        "date": row["session_date"],
                        "created_at": NOW,
                    }
                    for code in codes
                    if row[code]
                )
                position = 0
            position += 1
            injections += 1
            batches["injections"].append(
                {
                    "id": injections,
                    "session_id": sessions[session_key],
                    "position": position,
                    "site": row["site"],
                    "side": row["side"] or None,
                    "solution": row["solution"],
                    "volume_ml": float(row["volume_ml"]),
                    "points": int(row["points"] or 1),
                    "guidance": row["guidance"] or None,
                }
            )
            if len(batches["injections"]) >= BATCH:
                _flush(db, batches, counts)
        _flush(db, batches, counts)
    return counts


def _flush(db, batches: dict[str, list[dict]], counts: dict[str, int]) -> None:
    for table, rows in batches.items():  # in the order of their references
        if rows:
            columns = list(rows[0])
            db.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES"
                f" ({', '.join(':' + c for c in columns)})",
                rows,
            )
            counts[table] += len(rows)
            rows.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sheet", type=Path)
    parser.add_argument("target", help="a new file, or an empty PostgreSQL database's URL")
    args = parser.parse_args()
    if not postgres.is_url(args.target) and Path(args.target).exists():
        sys.exit(f"{args.target} exists: give a new path")
    counts = load(args.sheet, args.target)
    print(", ".join(f"{n:,} {table}" for table, n in counts.items()))


if __name__ == "__main__":
    main()
