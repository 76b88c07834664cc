"""Injection sites as typed with ``--site SITE[:VOLUME[:SOLUTION[:SIDE]]]`` and their defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass

from prolotrack.domain import vocab
from prolotrack.domain.errors import InvalidInput

SITE_FORM = "SITE[:VOLUME[:SOLUTION[:SIDE]]], e.g. MCL:0.5:D15 or intra-articular:6:D25:right"

_DEXTROSE = re.compile(r"^d\s*(\d+(?:\.\d+)?)\s*%?$", re.IGNORECASE)
MAX_DEXTROSE_PCT = 50
_VOLUME = re.compile(r"^(\d+(?:[.,]\d*)?|[.,]\d+)\s*(ml)?$", re.IGNORECASE)


def solution(text: str) -> str:
    """Expand the shorthand ``D15`` to ``dextrose 15%``; other solutions stay as typed."""
    trimmed = " ".join(text.split())
    if not trimmed:
        raise InvalidInput("solution cannot be empty")
    trimmed = vocab.printable(trimmed, "solution")
    if match := _DEXTROSE.match(trimmed):
        trimmed = f"dextrose {_dextrose(float(match.group(1)), text):g}%"
    from prolotrack.domain.solutions import DEXTROSE, components

    for part in components(trimmed):  # however it is written: D60, dextrose 60%, 60% glucose
        if part.agent == DEXTROSE and part.percent is not None:
            _dextrose(part.percent, text)
    return trimmed


def _dextrose(strength: float, text: str) -> float:
    """A dextrose strength a syringe can hold: no stock solution is stronger than D50."""
    if not 0 < strength <= MAX_DEXTROSE_PCT:
        raise InvalidInput(
            f"dextrose {strength:g}% in {text!r} is out of range: more than 0 and at most"
            f" {MAX_DEXTROSE_PCT}% (D50, the strongest stock; prolotherapy uses about 10-25%)"
        )
    return strength


def volume(text: str, site: str | None = None) -> float:
    """Read a volume in mL (``0.5``, ``6``, ``6ml``, ``0,5``) and check its range."""
    match = _VOLUME.match(text.strip())
    if not match:
        where = f" for site {site!r}" if site else ""
        raise InvalidInput(f"volume {text!r}{where} is not a number of mL (e.g. 0.5 or 6)")
    return vocab.volume(float(match.group(1).replace(",", ".")), site)


def anaesthetic(text: str | None) -> str | None:
    """A session's anaesthetic: a note as typed, or ``SOLUTION:ML`` (``lidocaine 1%:2``), a
    dose that counts in the session's totals and limits, its solution and volume checked as a
    site's are."""
    note = vocab.note(text, "anesthetic")
    from prolotrack.domain.solutions import anaesthetic_dose

    dose = anaesthetic_dose(note)
    if dose is None:
        return note
    given, ml = dose
    return f"{solution(given)}:{vocab.volume(ml, 'the anesthetic'):g}"


@dataclass(frozen=True)
class SiteSpec:
    """One ``--site`` as typed: only the site name is required."""

    site: str
    volume_ml: float | None = None
    solution: str | None = None
    side: str | None = None
    points: int = 1  # needle entry points: not part of the typed form

    def __str__(self) -> str:
        fields = [
            self.site,
            "" if self.volume_ml is None else f"{self.volume_ml:g}",
            self.solution or "",
            self.side or "",
        ]
        while fields[-1] == "":
            fields.pop()
        return ":".join(fields)


def parse_site(text: str) -> SiteSpec:
    """Read ``SITE[:VOLUME[:SOLUTION[:SIDE]]]``; empty fields are left for the defaults."""
    fields = [" ".join(part.split()) for part in text.split(":")]
    if len(fields) > 4:
        raise InvalidInput(f"--site {text!r} has more than four fields (use {SITE_FORM})")
    fields += [""] * (4 - len(fields))
    name, volume_text, solution_text, side_text = fields
    if not name:
        raise InvalidInput(f"--site {text!r} has no site name (use {SITE_FORM})")
    name = vocab.printable(name, "site")
    return SiteSpec(
        site=name,
        volume_ml=volume(volume_text, name) if volume_text else None,
        solution=solution(solution_text) if solution_text else None,
        side=vocab.side(side_text) if side_text else None,
    )


@dataclass(frozen=True)
class InjectionDraft:
    """An injection site with every field settled, ready to be recorded."""

    site: str
    side: str | None
    solution: str
    volume_ml: float
    points: int = 1


def settle(spec: SiteSpec, fallbacks: list[SiteSpec]) -> InjectionDraft:
    """Fill the empty fields of ``spec`` from ``fallbacks``, first one first.

    The command line passes its ``--volume/--solution/--side`` options, then the course
    side and the ``default-solution`` setting, in that order.
    """

    def first(field: str):
        for source in (spec, *fallbacks):
            value = getattr(source, field)
            if value is not None:
                return value
        return None

    volume_ml = first("volume_ml")
    solution_text = first("solution")
    if volume_ml is None:
        raise InvalidInput(
            f"site {spec.site!r} has no volume:"
            f" give it as --site '{spec.site}:0.5' or with --volume"
        )
    if solution_text is None:
        raise InvalidInput(
            f"site {spec.site!r} has no solution:"
            f" give it as --site '{spec.site}:{volume_ml:g}:D15',"
            " with --solution, or set one with 'prolotrack config set default-solution D15'"
        )
    return InjectionDraft(spec.site, first("side"), solution_text, volume_ml, spec.points)
