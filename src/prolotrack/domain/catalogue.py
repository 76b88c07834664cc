"""The site catalogue: names from the literature (clinical-reference.md section 3), the built-in
protocols' sites, and every site this practice has ever logged or written in a protocol.

Sites are free text, so a practitioner is never blocked: a name never seen before is recorded
as typed, with a warning that suggests the close names it may have meant.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from prolotrack.domain.protocols import BUILTIN
from prolotrack.storage import protocols

if TYPE_CHECKING:
    from prolotrack.storage import Database

LITERATURE = (
    # knee
    "intra-articular", "coronary ligament medial", "coronary ligament lateral", "MCL", "LCL",
    "medial collateral ligament", "lateral collateral ligament", "pes anserine",
    "patellar tendon insertion", "quadriceps tendon insertion",
    # elbow
    "supracondylar ridge", "lateral epicondyle", "annular ligament", "common extensor origin",
    # low back and pelvis
    "iliolumbar ligament", "short dorsal sacroiliac ligament", "long dorsal sacroiliac ligament",
    "dorsal interosseous ligament", "supraspinous ligament", "interspinous ligament",
    "tender lumbo-pelvic ligaments",
    # Achilles
    "achilles anterolateral margin", "achilles anteromedial margin",
    # shoulder
    "supraspinatus insertion", "rotator cuff enthesis",
    # hand
    "DIP medial", "DIP lateral", "PIP medial", "PIP lateral", "first CMC intra-articular",
    "first CMC medial", "first CMC lateral",
)  # fmt: skip


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
