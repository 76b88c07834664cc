"""Queries on the practice's own protocol templates (the built-in ones live in the domain)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prolotrack.domain.dates import parse_interval
from prolotrack.domain.protocols import Protocol
from prolotrack.domain.sites import SiteSpec
from prolotrack.storage import rows, sql

if TYPE_CHECKING:
    from prolotrack.storage import Database


def _protocol(row: dict, sites: list[SiteSpec]) -> Protocol:
    return Protocol(
        name=row["name"],
        sites=tuple(sites),
        interval=parse_interval(row["interval"]) if row["interval"] else None,
        planned_sessions=row["planned_sessions"],
        measure=row["measure"],
        condition=row["condition"],
        source=row["source"],
        note=row["note"],
        follow_up=row.get("follow_up"),
        max_ml=row.get("max_ml"),
    )


def _sites(db: Database, name: str) -> list[SiteSpec]:
    return [
        SiteSpec(r["site"], r["volume_ml"], r["solution"], r["side"], r["points"])
        for r in db.query(
            "SELECT * FROM protocol_sites WHERE protocol = :name ORDER BY position", {"name": name}
        )
    ]


def get(db: Database, name: str) -> Protocol | None:
    found = list(db.query("SELECT * FROM protocols WHERE name = :name", {"name": name}))
    return _protocol(found[0], _sites(db, name)) if found else None


def listing(db: Database) -> list[Protocol]:
    found = db.query("SELECT * FROM protocols ORDER BY name")
    return [_protocol(r, _sites(db, r["name"])) for r in found]


def insert(db: Database, protocol: Protocol) -> None:
    rows.insert_all(
        db,
        "protocols",
        [
            {
                "name": protocol.name,
                "condition": protocol.condition,
                "interval": str(protocol.interval) if protocol.interval else None,
                "planned_sessions": protocol.planned_sessions,
                "measure": protocol.measure,
                "source": protocol.source,
                "note": protocol.note,
                "follow_up": protocol.follow_up,
                "max_ml": protocol.max_ml,
                "created_at": rows.utc_now(),
            }
        ],
    )
    rows.insert_all(
        db,
        "protocol_sites",
        [
            {
                "protocol": protocol.name,
                "position": n,
                "site": s.site,
                "side": s.side,
                "volume_ml": s.volume_ml,
                "solution": s.solution,
                "points": s.points,
            }
            for n, s in enumerate(protocol.sites, start=1)
        ],
    )


def remove(db: Database, name: str) -> None:
    db.execute("DELETE FROM protocol_sites WHERE protocol = :name", {"name": name})
    db.execute("DELETE FROM protocols WHERE name = :name", {"name": name})


def followed_by(db: Database, name: str) -> list[int]:
    """The active courses (not voided) that follow this protocol."""
    found = """SELECT id FROM courses WHERE protocol = :name AND status = 'active'
               AND voided_at IS NULL ORDER BY id"""
    return [r[0] for r in db.execute(found, {"name": name})]


def site_names(db: Database) -> list[str]:
    """Every site name ever logged or written in a protocol (kept by triggers as they are)."""
    order = sql.nocase(db, "name")  # the column's own collation on SQLite
    return [r["name"] for r in db.query(f"SELECT name FROM site_names ORDER BY {order}")]
