"""Which site names the practice knows: the literature's, the built-in protocols' and its own."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from prolotrack.domain.protocols import BUILTIN
from prolotrack.storage import protocols

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.site_names import LITERATURE


def names(db: Database) -> list[str]:
    """Every known site name, once each (first spelling wins), literature first."""
    found: dict[str, str] = {}
    builtin = (s.site for p in BUILTIN for s in p.sites)
    for name in (*LITERATURE, *builtin, *protocols.site_names(db)):
        found.setdefault(name.lower(), name)
    return list(found.values())


def unfamiliar(db: Database, given: list[str]) -> list[tuple[str, list[str]]]:
    """The given names never seen before, each with up to three close known names."""
    known = names(db)
    by_lower = {n.lower(): n for n in known}
    result = []
    for name in dict.fromkeys(given):
        if name.lower() in by_lower:
            continue
        close = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.75)
        result.append((name, [by_lower[c] for c in close]))
    return result
