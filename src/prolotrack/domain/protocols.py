"""Protocol templates: the sites, volumes and solutions of a published protocol, its schedule and
measure, so that a session of ten injections is one ``--protocol`` instead of ten ``--site``.

The built-in templates follow clinical-reference.md section 2. They are starting points for the
practitioner to edit (a protocol of the same name added with ``protocol add`` shadows the
built-in), never recommendations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from prolotrack.domain.dates import Interval, parse_interval
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.sites import SiteSpec, solution

STARTING_POINT = "A starting point to edit, not a recommendation: record what was actually given."


@dataclass(frozen=True)
class Protocol:
    name: str
    sites: tuple[SiteSpec, ...]
    interval: Interval | None = None
    planned_sessions: int | None = None
    measure: str | None = None
    condition: str = ""
    source: str = ""
    note: str = ""
    builtin: bool = False
    follow_up: str | None = None  # its follow-up timepoints ("3m,6m,12m"); None: the practice's
    max_ml: float | None = None  # the most a session may give in all, where the paper says

    @property
    def total_ml(self) -> float | None:
        if any(s.volume_ml is None for s in self.sites):
            return None
        return round(sum(s.volume_ml for s in self.sites), 3)


def _site(name: str, ml: float | None, sol: str | None, points: int = 1) -> SiteSpec:
    return SiteSpec(name, ml, solution(sol) if sol else None, None, points)


_RABAGO_EXTRA = (
    "MCL proximal",
    "MCL distal",
    "LCL proximal",
    "LCL distal",
    "pes anserine",
    "patellar tendon insertion",
    "quadriceps tendon insertion",
    "coronary ligament medial",
    "coronary ligament lateral",
)
_REEVES = "dextrose 10% + lidocaine 0.075%"
_YELLAND = "dextrose 20% + lignocaine 0.1% + ropivacaine 0.1%"
_SCARPONE = "dextrose 10.7% + sodium morrhuate 0.72% + lidocaine 0.29% + bupivacaine 0.036%"

_PUBLISHED = (
    Protocol(
        "knee-oa-rabago",
        (_site("intra-articular", 6, "D25"), *(_site(s, 0.5, "D15") for s in _RABAGO_EXTRA)),
        parse_interval("4w"), 3, "womac", "knee osteoarthritis",
        "Rabago 2013, Ann Fam Med 11:229 (n=90): at 52 weeks the composite WOMAC (scaled to 100"
        " points) improved 15.3 vs 7.6 (saline) vs 8.2 (exercise); this template records the"
        " 0-96 WOMAC total, so its points are not the paper's (15.3 of 100 is about 14.7 of 96)",
        "Sessions at weeks 0, 4 and 8 as progress counts them (the paper's weeks 1, 5, 9),"
        " optional weeks 12 and 16: 3 to 5 sessions. The paper injects 'tender ligament and"
        " tendon insertions' without naming them: the nine extra-articular sites here are common"
        " ones around the knee, a starting point; log those injected that day.",
    ),
    Protocol(
        "knee-oa-reeves", (_site("intra-articular", 9, _REEVES),),
        parse_interval("2m"), 6, "vas", "knee osteoarthritis",
        "Reeves & Hassanein 2000: pain -44 % at 12 months",
    ),
    Protocol(
        "finger-oa-reeves",
        (_site("joint medial aspect", 0.5, _REEVES), _site("joint lateral aspect", 0.5, _REEVES)),
        parse_interval("2m"), 3, "vas", "finger and thumb osteoarthritis",
        "Reeves & Hassanein 2000: pain with movement -42 % vs -15 %",
        "Months 0, 2, 4; the medial and lateral side of each painful joint (DIP, PIP, first CMC):"
        " name the joint in the site, e.g. --site 'PIP2 medial'.",
    ),
    Protocol(
        "lateral-elbow-scarpone",
        tuple(_site(s, 0.5, _SCARPONE) for s in ("supracondylar ridge", "lateral epicondyle",
                                                "annular ligament")),
        parse_interval("4w"), 3, "nrs", "lateral epicondylosis",
        "Scarpone 2008, Clin J Sport Med 18:248: resting pain fell to 0.5 of 10 at 16 weeks",
        "Weeks 0, 4, 8. The mix: 1 part 5 % sodium morrhuate, 1.5 parts 50 % dextrose, 0.5 part"
        " 4 % lidocaine, 0.5 part 0.5 % bupivacaine, 3.5 parts normal saline (clinical-reference"
        " section 8).",
    ),
    Protocol(
        "achilles-yelland",
        (_site("achilles anterolateral margin", 1, _YELLAND, 2),
         _site("achilles anteromedial margin", 1, _YELLAND, 2)),
        parse_interval("1w"), 6, "visa-a", "Achilles tendinosis",
        "Yelland 2011, BJSM 45:421: VISA-A +27.5 (injections), +41.1 (with eccentric exercise)",
        "Weekly, 4 to 12 sessions. Each site here is 1 mL over 2 needle points (0.5 mL a point;"
        " the paper gives 0.5-1 mL per tender point), at most 5 mL a session in all.",
        max_ml=5,
    ),
    Protocol(
        "sij-cusi", (_site("dorsal interosseous ligament", None, None),),
        parse_interval("6w"), 3, "rmdq", "sacroiliac joint dysfunction",
        "Cusi 2010, BJSM 44:100: improved",
        "Hypertonic dextrose, CT guided; the paper gives no volume or strength: give them with"
        " --volume and --solution.",
    ),
    Protocol(
        "cmc-oa-jahangiri",
        (_site("first CMC intra-articular", 1, "dextrose 10% + lidocaine 1% (0.5 mL D20 + 0.5 mL"
               " lidocaine 2%)"),),
        parse_interval("1m"), 3, "vas", "first carpometacarpal osteoarthritis",
        "Jahangiri 2014: 6-month VAS 1.1 better than steroid",
    ),
)  # fmt: skip
BUILTIN: tuple[Protocol, ...] = tuple(replace(p, builtin=True) for p in _PUBLISHED)


@dataclass
class Merged:
    """The sites of a session: the template's, then the extras, with what was replaced."""

    sites: list[SiteSpec] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


def _key(spec: SiteSpec, default_side: str | None) -> tuple[str, str | None]:
    return (spec.site.lower(), spec.side or default_side)


def given_over(protocol: Protocol, volume_ml: float | None, solution: str | None) -> Protocol:
    """The protocol with the session's ``--volume`` and ``--solution`` in place of its own:
    options the user gives win over the template (SPEC: they come before the protocol)."""
    if volume_ml is None and solution is None:
        return protocol
    sites = tuple(
        replace(
            s,
            volume_ml=volume_ml if volume_ml is not None else s.volume_ml,
            solution=solution or s.solution,
        )
        for s in protocol.sites
    )
    return replace(protocol, sites=sites)


def merge(protocol: Protocol, given: list[SiteSpec], default_side: str | None) -> Merged:
    """The protocol's sites with ``given`` ones: a given site with the same name and side
    replaces the template's (taking its volume and solution where it names none); others add."""
    merged = Merged(list(protocol.sites))
    by_key = {_key(s, default_side): n for n, s in enumerate(merged.sites)}
    for spec in given:
        n = by_key.get(_key(spec, default_side))
        if n is None:
            merged.sites.append(spec)
            merged.added.append(spec.site)
            continue
        template = merged.sites[n]
        merged.sites[n] = SiteSpec(
            spec.site,
            spec.volume_ml if spec.volume_ml is not None else template.volume_ml,
            spec.solution or template.solution,
            spec.side or template.side,
            spec.points if spec.points != 1 else template.points,
        )
        merged.replaced.append(spec.site)
    return merged


def check_name(name: str) -> str:
    text = name.strip().lower()
    if not text or not all(c.isalnum() or c in "-_." for c in text):
        raise InvalidInput(
            f"protocol name {name!r}: use letters, digits and '-', e.g. knee-oa-rabago"
        )
    return text
