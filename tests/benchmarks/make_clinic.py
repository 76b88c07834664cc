"""A realistic ten-year clinic, for the benchmarks: deterministic, built through the storage layer.

    python tests/benchmarks/make_clinic.py FILE [--scale 1.0] [--today 2026-11-23]

At scale 1: about 5,000 patients, 10,000 courses, 50,000 sessions, 600,000 injection sites and
150,000 scores at sessions over the ten years before --today, on the built-in protocols, with
scores that move plausibly (most courses improve, some do not), follow-ups answered at 3, 6 and 12
months after the last session as a clinic that records them has them (four in five, the rest
missed), a few adverse events and some voided records. The rows go in through prolotrack's own
transaction, schema and audit triggers, in bulk.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from prolotrack.domain.instruments import CATALOGUE, HIGHER
from prolotrack.domain.protocols import BUILTIN
from prolotrack.storage.connection import transaction

INSTRUMENTS = {i.code: i for i in CATALOGUE}
CONDITIONS = {
    "knee-oa-rabago": ("knee osteoarthritis", "knee", "M17"),
    "knee-oa-reeves": ("knee osteoarthritis", "knee", "M17"),
    "finger-oa-reeves": ("finger osteoarthritis", "hand", "M18.9"),
    "lateral-elbow-scarpone": ("lateral epicondylosis", "elbow", "M77.1"),
    "achilles-yelland": ("Achilles tendinosis", "ankle", "M76.6"),
    "sij-cusi": ("sacroiliac joint dysfunction", "pelvis", "M53.3"),
    "cmc-oa-jahangiri": ("first carpometacarpal osteoarthritis", "hand", "M18.1"),
}
NAMES = (
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "John",
    "Radia",
    "Ken",
    "Margaret",
    "Dennis",
    "Hedy",
    "Claude",
    "Katherine",
    "Tim",
    "Sophie",
    "Linus",
)
FAMILY = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Backus",
    "Perlman",
    "Thompson",
    "Hamilton",
    "Ritchie",
    "Lamarr",
    "Shannon",
    "Johnson",
)


def _score(code: str, baseline: float, fraction: float) -> float:
    instrument = INSTRUMENTS[code]
    best = instrument.maximum if instrument.better == HIGHER else instrument.minimum
    value = baseline + (best - baseline) * fraction
    return round(min(max(value, instrument.minimum), instrument.maximum))


def build(
    path: Path, scale: float = 1.0, today: date = date(2026, 11, 23), follow_ups: bool = True
) -> dict[str, int]:
    """The clinic in ``path``; without ``follow_ups``, the clinic as it was built before it
    answered them (the exports' byte-for-byte test keeps that one)."""
    rng = random.Random(2026)
    patients_n = max(int(5000 * scale), 1)
    courses_n = max(int(10000 * scale), 1)
    first_day = today - timedelta(days=3650)
    now = "2026-01-01T00:00:00Z"
    counts = dict.fromkeys(("patients", "courses", "sessions", "injections", "scores"), 0)
    with transaction(path, write=True) as db:
        db["patients"].insert_all(
            (
                {
                    "id": n,
                    "chart": f"P-{n:05d}",
                    "name": f"{rng.choice(NAMES)} {rng.choice(FAMILY)}",
                    "born": (date(1930, 1, 1) + timedelta(days=rng.randrange(25000))).isoformat(),
                    "sex": rng.choice("FMX"),
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(1, patients_n + 1)
            ),
            batch_size=1000,
        )
        counts["patients"] = patients_n
        session_id = injection_id = score_id = 0
        courses, sessions, injections, scores, adverse = [], [], [], [], []
        begun = set()  # (patient, condition, start) of each course: no two alike, as in a clinic
        for course_id in range(1, courses_n + 1):
            protocol = rng.choice(BUILTIN)
            condition, region, icd10 = CONDITIONS[protocol.name]
            side = rng.choice(("left", "right", "bilateral")) if region != "pelvis" else "midline"
            started = first_day + timedelta(days=rng.randrange(3650))
            patient_id = (course_id - 1) % patients_n + 1
            while (patient_id, condition, started) in begun:  # the export could not tell them
                started += timedelta(days=1)  # apart: a course begun the next day instead
            begun.add((patient_id, condition, started))
            planned = rng.choice((3, 4, 5, 6, 7))
            response = rng.choice((0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, -0.1))
            day, n, done = started, 0, []
            while n < planned and day <= today:
                n += 1
                session_id += 1
                done.append(session_id)
                sessions.append(
                    {
                        "id": session_id,
                        "course_id": course_id,
                        "number": n,
                        "date": day.isoformat(),
                        "practitioner": "Dr. Bench",
                        "guidance": rng.choice(("landmark", "ultrasound")),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                for position in range(1, rng.randint(8, 16) + 1):
                    template = protocol.sites[(position - 1) % len(protocol.sites)]
                    injection_id += 1
                    injections.append(
                        {
                            "id": injection_id,
                            "session_id": session_id,
                            "position": position,
                            "site": f"{template.site} {position}",
                            "side": side if side != "bilateral" else "left",
                            "solution": template.solution or "dextrose 20%",
                            "volume_ml": template.volume_ml or 1.0,
                            "points": template.points,
                        }
                    )
                fraction = response * (n - 1) / max(planned - 1, 1)
                measured = [("nrs", 7), (protocol.measure, 50), ("psfs", 4), ("vas", 60)]
                for code, baseline in list(dict(measured).items())[:3]:
                    score_id += 1
                    scores.append(
                        {
                            "id": score_id,
                            "course_id": course_id,
                            "session_id": session_id,
                            "instrument": code,
                            "value": _score(code, baseline, fraction),
                            "date": day.isoformat(),
                            "created_at": now,
                        }
                    )
                if rng.random() < 0.02:
                    adverse.append(
                        {
                            "session_id": session_id,
                            "kind": "flare",
                            "severity": "mild",
                            "onset": day.isoformat(),
                            "created_at": now,
                        }
                    )
                day = protocol.interval.after(day)
            if follow_ups and n >= planned:  # the follow-ups, answered as most are
                last = date.fromisoformat(sessions[-1]["date"])
                score_id = _follow_ups(
                    rng, course_id, protocol.measure, last, today, scores, score_id
                )
            closed = n >= planned and rng.random() < 0.9
            closed_on = (day - timedelta(days=1)) if closed and day <= today else None
            courses.append(
                {
                    "id": course_id,
                    "patient_id": patient_id,
                    "condition": condition,
                    "region": region,
                    "side": side,
                    "icd10": icd10,
                    "measure": protocol.measure,
                    "interval": str(protocol.interval),
                    "planned_sessions": planned,
                    "started_on": started.isoformat(),
                    "status": "completed" if closed_on else "active",
                    "closed_on": closed_on.isoformat() if closed_on else None,
                    "protocol": protocol.name,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(injections) > 20000:
                counts = _flush(db, courses, sessions, injections, scores, adverse, counts)
        counts = _flush(db, courses, sessions, injections, scores, adverse, counts)
        # Some records voided, as in any real file (numbers of voided sessions are kept).
        db.execute(
            "UPDATE scores SET voided_at = ?, void_reason = 'entered twice' WHERE id % 211 = 0",
            [now],
        )
    return counts


FOLLOW_UPS = (91, 182, 365)  # 3, 6 and 12 months after the last session, the default
ANSWERED = 0.8  # how many follow-ups are answered; the rest are missed


def _follow_ups(rng, course_id, measure, last, today, scores, score_id) -> int:
    """The course's follow-up scores (its measure and pain, no session): each timepoint
    answered or missed, an answer a little before or after its day, inside its window."""
    for days in FOLLOW_UPS:
        if rng.random() >= ANSWERED:
            continue
        answered = last + timedelta(days=round(days * rng.uniform(0.8, 1.2)))
        if answered > today:
            continue
        for code, value in ((measure, rng.randint(10, 40)), ("nrs", rng.randint(1, 5))):
            score_id += 1
            scores.append(
                {
                    "id": score_id,
                    "course_id": course_id,
                    "session_id": None,
                    "instrument": code,
                    "value": _score(code, value, 0.0),
                    "date": answered.isoformat(),
                    "created_at": "2026-01-01T00:00:00Z",
                }
            )
    return score_id


def _flush(db, courses, sessions, injections, scores, adverse, counts) -> dict[str, int]:
    for table, rows in (
        ("courses", courses),
        ("sessions", sessions),
        ("injections", injections),
        ("scores", scores),
        ("adverse_events", adverse),
    ):
        if rows:
            db[table].insert_all(rows, batch_size=2000)
            if table in counts:
                counts[table] += len(rows)
            rows.clear()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 23))
    args = parser.parse_args()
    if args.file.exists():
        sys.exit(f"{args.file} exists: give a new path")
    started = time.perf_counter()
    counts = build(args.file, args.scale, args.today)
    took = time.perf_counter() - started
    print(", ".join(f"{n:,} {what}" for what, n in counts.items()) + f" in {took:.0f} s")


if __name__ == "__main__":
    main()
