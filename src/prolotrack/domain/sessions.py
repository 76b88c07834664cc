"""Logging a treatment session: its injection sites, its scores, its adverse events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from prolotrack.domain.models import Course, Session
from prolotrack.domain.sites import SiteSpec


@dataclass
class SessionEntry:
    """What ``session log`` was given, read but not yet checked against the record."""

    given_on: date
    sites: list[SiteSpec]
    volume_ml: float | None = None
    solution: str | None = None
    side: str | None = None
    scores: list[tuple[str, float]] = field(default_factory=list)
    adverse: list[tuple[str, str]] = field(default_factory=list)
    anesthetic: str | None = None
    guidance: str | None = None
    practitioner: str | None = None
    note: str | None = None
    protocol: str | None = None

    def template_for(self, course: Course) -> str | None:
        """The protocol whose sites this session takes: the one named, or, when no site is
        given at all, the protocol the course follows."""
        return self.protocol or (course.protocol if not self.sites else None)


# An injection has one side: a site given as bilateral (or a protocol's site on a bilateral
# course) is two injections, left and right, each of the full volume.
BOTH_SIDES = ("left", "right")
_OPPOSITE = {"left": "right", "right": "left"}


def opposite_sides(course: Course, session: Session) -> list[str]:
    """Warnings for sites on the other side from a one-sided course."""
    other = _OPPOSITE.get(course.side or "")
    return [
        f"site {i.site!r} is on the {other} side, but course {course.id} ({course.condition})"
        f" is for the {course.side}: check the side"
        for i in session.injections
        if other and i.side == other
    ]


def unrecognised(session: Session) -> list[str]:
    """Warnings for solutions in which prolotrack knows no agent ("water", "X15"): kept as
    typed, they count in no total and meet no safety flag."""
    from prolotrack.domain.solutions import CATALOGUE, anaesthetic_dose, components

    typed = [i.solution for i in session.injections]
    if dose := anaesthetic_dose(session.anesthetic):
        typed.append(dose[0])
    known = ", ".join(a.name for a in CATALOGUE[:6])
    return [
        f"solution {text!r} names no agent prolotrack knows ({known}...): it is kept as typed,"
        " counts in no total and meets no safety flag; check it"
        for text in dict.fromkeys(typed)
        if not any(c.known for c in components(text))
    ]


def past_plan(course: Course, session: Session) -> list[str]:
    """A warning for a session numbered past the course's planned sessions."""
    planned = course.planned_sessions
    if not planned or session.number <= planned:
        return []
    return [
        f"this is session {session.number} of {course.label}, which planned {planned}:"
        f" check the course (prolotrack course edit {course.id} --sessions N --reason ...)"
    ]


@dataclass
class SessionChanges:
    """What ``session amend`` was given: ``None`` (or empty) leaves a field as it is."""

    given_on: date | None = None
    sites: list[SiteSpec] = field(default_factory=list)  # given: they replace the old sites
    volume_ml: float | None = None
    solution: str | None = None
    side: str | None = None
    scores: list[tuple[str, float]] = field(default_factory=list)
    adverse: list[tuple[str, str]] = field(default_factory=list)
    anesthetic: str | None = None
    guidance: str | None = None
    practitioner: str | None = None
    note: str | None = None
    protocol: str | None = None  # given: its sites (with any --site) replace the old ones

    def is_empty(self) -> bool:
        return all(v in (None, []) for v in vars(self).values())
