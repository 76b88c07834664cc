"""What a solution is made of: its agents and their concentrations, and what a session gave.

A solution is typed as text (``D15``, ``dextrose 15% + lidocaine 0.2%``) and kept as typed; this
module reads it into components, each an agent with a concentration in % weight per volume
(clinical-reference.md section 8: 1 % = 10 mg/mL). Agents the catalogue knows are recognised in
any spelling it lists; others are kept as typed. Nothing here guesses: a component without a
strength counts toward no total.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

MG_PER_ML_PER_PERCENT = 10.0  # 1 % weight per volume is 10 mg in each mL

DEXTROSE = "dextrose"
ANAESTHETIC = "anaesthetic"


@dataclass(frozen=True)
class Agent:
    name: str
    spellings: tuple[str, ...]
    role: str  # DEXTROSE, ANAESTHETIC, or what else it is: "sclerosant", "diluent"...
    max_mg_per_kg: float | None = None  # without adrenaline (product labelling)
    max_mg: float | None = None
    meets: tuple[str, ...] = ()  # the safety flags this agent meets (patient flag kinds)


CATALOGUE: tuple[Agent, ...] = (
    Agent("dextrose", ("dextrose", "glucose"), DEXTROSE, meets=("allergy:corn", "diabetes")),
    Agent("lidocaine", ("lidocaine", "lignocaine", "xylocaine"), ANAESTHETIC,
          max_mg_per_kg=4.5, max_mg=300, meets=("allergy:lidocaine", "allergy:amide")),
    Agent("ropivacaine", ("ropivacaine", "naropin"), ANAESTHETIC,
          meets=("allergy:amide",)),
    Agent("bupivacaine", ("bupivacaine", "sensorcaine", "marcaine"), ANAESTHETIC,
          max_mg_per_kg=2, max_mg=175, meets=("allergy:amide",)),
    Agent("procaine", ("procaine", "novocaine", "novocain"), ANAESTHETIC),
    Agent("sodium morrhuate", ("sodium morrhuate", "morrhuate"), "sclerosant",
          meets=("allergy:fish",)),
    Agent("glycerin", ("glycerin", "glycerine", "glycerol"), "sclerosant"),
    Agent("phenol", ("phenol",), "sclerosant"),
    Agent("P2G", ("p2g",), "sclerosant", meets=("allergy:corn", "diabetes")),
    Agent("saline", ("saline", "normal saline", "sodium chloride"), "diluent"),
    Agent("adrenaline", ("adrenaline", "epinephrine"), "vasoconstrictor"),
)  # fmt: skip
_BY_SPELLING = {s: a for a in CATALOGUE for s in a.spellings}
BY_NAME = {a.name: a for a in CATALOGUE}

_SHORTHAND = re.compile(r"^d\s*(?P<strength>\d+(?:\.\d+)?)\s*%?$")
_STRENGTH_FIRST = re.compile(r"^(?P<strength>\d+(?:\.\d+)?)\s*%\s*(?P<agent>.+)$")
# "lidocaine 1%", "lidocaine, 1%", "lidocaine 1% skin wheal" (the words after it describe)
_STRENGTH_AFTER = re.compile(
    r"^(?P<agent>.*?)[\s,]*(?P<strength>\d+(?:\.\d+)?)\s*%\s*(?P<rest>.*)$"
)
_ASIDE = re.compile(r"\([^)]*\)")  # "(0.5 mL D20 + 0.5 mL lidocaine 2%)": how it was made
# Components are joined by "+", "and" or "with"; a comma joins them too unless a strength
# follows it ("lidocaine, 1%" is one component).
_JOINS = re.compile(r"\s*(?:\+|\band\b|\bwith\b|,(?!\s*\d+(?:\.\d+)?\s*%))\s*")


@dataclass(frozen=True)
class Component:
    agent: str  # the catalogue's name, or the words as typed
    percent: float | None  # weight per volume; None where the text gives none
    known: bool  # whether the catalogue knows the agent

    @property
    def mg_per_ml(self) -> float | None:
        return None if self.percent is None else self.percent * MG_PER_ML_PER_PERCENT

    def __str__(self) -> str:
        return self.agent if self.percent is None else f"{self.agent} {self.percent:g}%"


def agent(words: str) -> Agent | None:
    """The catalogue's agent for these words (any spelling it lists, any case)."""
    return _BY_SPELLING.get(" ".join(words.lower().split()))


@lru_cache(maxsize=1024)  # an export reads the same few solutions over and over
def components(text: str | None) -> tuple[Component, ...]:
    """The agents of a solution with their concentrations, in the order typed."""
    if not text or not text.strip():
        return ()
    found = []
    for part in _JOINS.split(" ".join(_ASIDE.sub(" ", text).split())):
        part = part.strip(" ,;")
        if part:
            found.append(_component(part))
    return tuple(found)


def _component(part: str) -> Component:
    lowered = part.lower()
    if match := _SHORTHAND.match(lowered):
        return Component(DEXTROSE, float(match["strength"]), True)
    words, strength = part, None
    match = _STRENGTH_FIRST.match(lowered) or _STRENGTH_AFTER.match(lowered)
    if match and (not match.groupdict().get("rest") or agent(match["agent"])):
        words, strength = part[match.start("agent") : match.end("agent")], float(match["strength"])
    words = words.strip(" ,;")
    if words.lower().endswith(" solution"):
        words = words[: -len(" solution")]
    known = agent(words)
    if known is None:
        return Component(part if strength is None else words, strength, False)
    return Component(known.name, strength, True)


# A session's anaesthetic written as a solution with its volume: "lidocaine 1%:2" (SPEC, third
# edition); written without one it is a note ("lidocaine 1% skin wheal") and counts in no total.
_DOSE = re.compile(r"^(?P<solution>[^:]+?)\s*:\s*(?P<ml>\d+(?:[.,]\d*)?|[.,]\d+)\s*(?:ml)?$", re.I)


def anaesthetic_dose(text: str | None) -> tuple[str, float] | None:
    """The (solution, mL) a session's anaesthetic gives when written ``SOLUTION:ML``."""
    match = _DOSE.match(text.strip()) if text else None
    if match is None:
        return None
    return match["solution"], float(match["ml"].replace(",", "."))


def totals(given: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Milligrams of each agent with a strength, over (solution, mL) pairs; in catalogue order,
    then others as typed."""
    mg: dict[str, float] = {}
    for solution, volume_ml in given:
        for c in components(solution):
            if c.mg_per_ml is not None:
                mg[c.agent] = mg.get(c.agent, 0.0) + c.mg_per_ml * volume_ml
    order = {a.name: n for n, a in enumerate(CATALOGUE)}
    return {k: round(mg[k], 3) for k in sorted(mg, key=lambda k: (order.get(k, len(order)), k))}


def describe(mg: dict[str, float]) -> list[str]:
    """Totals as a practitioner reads them: grams of dextrose, milligrams of the rest."""
    out = []
    for name, amount in mg.items():
        if name == DEXTROSE:
            out.append(f"{name} {_rounded(amount / 1000, '0.01')} g")
        else:
            out.append(f"{name} {_rounded(amount, '0.1')} mg".replace(".0 mg", " mg"))
    return out


def _rounded(value: float, places: str) -> str:
    """Half up, as a person rounds (2.175 g is 2.18 g, though the float is 2.17499...)."""
    from decimal import ROUND_HALF_UP, Decimal

    return str(Decimal(repr(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


class Totals(dict):
    """What a session gave, keyed as JSON and CSV carry it (``dextrose_g``, ``lidocaine_mg``),
    and as a practitioner reads it (``described``: "dextrose 3.00 g, lidocaine 20 mg")."""

    def __init__(self, mg: dict[str, float]):
        super().__init__(keyed(mg))
        self.described = describe(mg)


def keyed(mg: dict[str, float]) -> dict[str, float]:
    """Totals as JSON and CSV keys: ``dextrose_g`` in grams, ``lidocaine_mg`` in milligrams."""
    out = {}
    for name, amount in mg.items():
        key = "_".join(name.lower().split())
        if name == DEXTROSE:
            out[f"{key}_g"] = round(amount / 1000, 3)
        else:
            out[f"{key}_mg"] = round(amount, 2)
    return out
