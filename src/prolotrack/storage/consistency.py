"""Checks of the record that hold on either engine, beside the chain and the records themselves.

- One history: each change a record's log rows show starts from the values the change before
  it left. A record changed behind prolotrack's back and then edited by prolotrack (which logs
  the tampered values as the edit's "before") is found here, though the record now agrees with
  its last audit row: the change is laundered, not hidden.
- What is kept beside the record and not logged: a session's number follows from its date among
  the course's sessions (a voided session keeps the number it had, as its void logged it), and
  the site names offered for completion are those ever used at a site.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from prolotrack.storage import audit, signatures

if TYPE_CHECKING:
    from prolotrack.storage import Database

LISTED = 20  # problems named per kind before the rest are summed up
_SITE_IN_LOG = {  # a site the log keeps: in the values a change replaced, or kept after it
    "sqlite": "json_extract({side}, '$.site')",
    "postgresql": "CAST({side} AS json) ->> 'site'",
}


def problems(db: Database) -> list[str]:
    found = [*broken_history(db), *misnumbered(db), *site_name_problems(db)]
    return found + signatures.mismatched(db)[:LISTED]


def same(current: dict, logged: dict, unlogged: set[str] = frozenset()) -> bool:
    """Whether two states of a record agree on every column both have (a column added by a
    later migration is in only one); numbers to 1e-9 of their size."""
    for column, value in current.items():
        if column in unlogged or column not in logged:
            continue
        was = logged[column]
        if isinstance(value, float) or isinstance(was, float):
            if value is None or was is None:
                if value is not was:
                    return False
            elif not math.isclose(value, was, rel_tol=1e-9, abs_tol=1e-9):
                return False
        elif value != was:
            return False
    return True


def broken_history(db: Database) -> list[str]:
    """Every logged change whose "before" is not what the change before it left."""
    entities = {f"e{n}": entity for n, entity in enumerate(audit.AUDITED)}
    found = []
    rows = db.execute(
        f"""
        SELECT id, entity, entity_id, before, previous, previous_id FROM (
            SELECT id, entity, entity_id, before,
                lag(after) OVER (PARTITION BY entity, entity_id ORDER BY id) AS previous,
                lag(id) OVER (PARTITION BY entity, entity_id ORDER BY id) AS previous_id
            FROM audit_log WHERE entity IN ({", ".join(f":{k}" for k in entities)})) AS t
        WHERE before IS NOT NULL AND previous IS NOT NULL AND previous != '' AND before != previous
        ORDER BY id""",
        entities,
    )
    for row_id, entity, entity_id, before, previous, previous_id in rows:
        table = audit.AUDITED[entity][0]
        if same(json.loads(before), json.loads(previous), audit.UNLOGGED.get(table, set())):
            continue
        found.append(
            f"history: change {row_id} to {entity} {entity_id} starts from values that change"
            f" {previous_id} did not leave (the record was changed behind prolotrack's back in"
            " between)"
        )
        if len(found) == LISTED:
            found.append("history: (more changes that do not follow the one before; not listed)")
            break
    return found


def misnumbered(db: Database) -> list[str]:
    """Live sessions whose number is not their place by date in their course, and voided
    ones whose number is not the one their void logged."""
    rows = db.execute(f"""
        SELECT id, number, expected FROM (
            SELECT s.id, s.number, (SELECT count(*) FROM sessions o
                WHERE o.course_id = s.course_id AND o.voided_at IS NULL AND o.date <= s.date)
                AS expected
            FROM sessions s WHERE s.voided_at IS NULL) AS t
        WHERE number != expected ORDER BY id LIMIT {LISTED}""").fetchall()
    found = [
        f"record: session {session_id} is numbered {number}, but its date makes it session"
        f" {expected} of its course (changed behind prolotrack's back)"
        for session_id, number, expected in rows
    ]
    voided = db.execute("""
        SELECT s.id, s.number, (SELECT a.after FROM audit_log a WHERE a.entity = 'session'
            AND a.entity_id = CAST(s.id AS TEXT) ORDER BY a.id DESC LIMIT 1)
        FROM sessions s WHERE s.voided_at IS NOT NULL ORDER BY s.id""")
    for session_id, number, after in voided:
        # a void kept by the log says the number (the compact log reads it back: no number)
        logged = json.loads(after).get("number", number) if after else number
        if logged != number:
            found.append(
                f"record: voided session {session_id} is numbered {number}, but its void logged"
                f" {logged} (changed behind prolotrack's back)"
            )
    return found[:LISTED]


def site_name_problems(db: Database) -> list[str]:
    """Site names offered that were never used, and sites used that are not offered."""
    never_used, missing = site_name_differences(db)
    found = [
        f"record: the site name '{name}' is offered but was never used at a site"
        " (added behind prolotrack's back)"
        for name in never_used
    ]
    found += [
        f"record: the site '{name}' is used but missing from the site names"
        " (removed behind prolotrack's back)"
        for name in missing
    ]
    return found[:LISTED]


def site_name_differences(db: Database) -> tuple[list[str], list[str]]:
    """(names offered but never used at a site, sites used but not offered)."""
    offered = {r[0].casefold(): r[0] for r in db.execute("SELECT name FROM site_names")}
    in_use = {
        r[0].casefold(): r[0]
        for r in db.execute("SELECT site FROM injections UNION SELECT site FROM protocol_sites")
    }
    site = _SITE_IN_LOG[db.dialect]
    logged = db.execute(
        f"SELECT {site.format(side='after')} FROM audit_log"
        " WHERE entity IN ('injection', 'protocol_site') AND after IS NOT NULL"
        f" UNION SELECT {site.format(side='before')} FROM audit_log"
        " WHERE entity IN ('injection', 'protocol_site') AND before IS NOT NULL"
    )
    ever = set(in_use) | {r[0].casefold() for r in logged if r[0] is not None}
    return (
        [offered[name] for name in sorted(set(offered) - ever)],
        [in_use[name] for name in sorted(set(in_use) - set(offered))],
    )
