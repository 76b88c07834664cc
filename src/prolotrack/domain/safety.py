"""Was it safe: a patient's safety flags, and the warnings a session gets when it is logged.

Warnings never refuse a session: the practitioner has the patient in front of them and may have
reasons (an allergy already tested, a dose split over two visits). They are printed before
anything else, and kept on the session so that whoever reads it later sees what was known.
Flag kinds and what meets them follow clinical-reference.md section 8.
"""

from __future__ import annotations

from collections.abc import Iterable

from prolotrack.domain import solutions, vocab
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.models import AdverseEvent, Course, Flag, Patient

# kind -> what it means at an injection (the warning's reason)
FLAGS = {
    "allergy:lidocaine": "allergic to lidocaine",
    "allergy:amide": "allergic to amide anaesthetics (lidocaine, bupivacaine, ropivacaine)",
    "allergy:fish": "allergic to fish (sodium morrhuate is made from cod-liver oil)",
    "allergy:corn": "allergic to corn (dextrose is corn-derived; rare)",
    "anticoagulant": "on an anticoagulant: bleeding and bruising",
    "diabetes": "diabetic: the dextrose is a glucose load (usually small)",
    "pregnancy": "pregnant",
    "immunosuppressed": "immunosuppressed: infection",
    "bleeding-disorder": "has a bleeding disorder: bleeding and bruising",
}
OTHER = "other:"
# Flags that meet every injection, whatever is in the syringe.
_ALWAYS = ("anticoagulant", "pregnancy", "immunosuppressed", "bleeding-disorder")
FLAG_FORMS = ", ".join(FLAGS) + ", or other:TEXT"


def meaning(kind: str) -> str:
    """What a flag means at an injection, in words."""
    return FLAGS.get(kind) or kind[len(OTHER) :]


def flag_kind(text: str) -> str:
    """A flag kind from the catalogue, or ``other:TEXT``."""
    kind = " ".join(text.split())
    lowered = kind.lower()
    if lowered in FLAGS:
        return lowered
    if lowered.startswith(OTHER) and kind[len(OTHER) :].strip():
        return OTHER + vocab.printable(kind[len(OTHER) :].strip(), "flag")
    raise InvalidInput(f"unknown flag {text!r} (use {FLAG_FORMS})")


def _agents(given: Iterable[tuple[str, float | None]]) -> set[str]:
    return {c.agent for text, _ in given for c in solutions.components(text) if c.known}


def warnings(
    patient: Patient,
    course: Course,
    patient_flags: list[Flag],
    given: list[tuple[str, float]],
    anaesthetic: str | None,
    volume_cap_ml: float | None,
    protocol: str | None,
) -> list[str]:
    """What the practitioner should know before this session stands: the flags that meet it
    first, then doses past their limits, a protocol's volume cap, and missing consent.
    ``given`` is each site's (solution, mL); ``anaesthetic`` the session's own text."""
    found = []
    agents = _agents([*given, (anaesthetic or "", None)])
    if dose := solutions.anaesthetic_dose(anaesthetic):
        given = [*given, dose]
    for flag in patient_flags:
        meets = [a for a in sorted(agents) if flag.kind in solutions.BY_NAME[a].meets]
        said = f"FLAG {flag.kind}: {patient.label} is {meaning(flag.kind)}"
        if flag.kind.startswith(OTHER):
            found.append(f"FLAG: {patient.label}: {meaning(flag.kind)}")
        elif meets:
            found.append(f"{said}, and this session gives {', '.join(meets)}")
        elif flag.kind in _ALWAYS:
            found.append(said)
    found += _doses(patient, solutions.totals(given))
    total = sum(ml for _, ml in given)
    if volume_cap_ml is not None and total > volume_cap_ml + 1e-9:
        found.append(
            f"{total:g} mL in this session is more than protocol {protocol}'s"
            f" {volume_cap_ml:g} mL a session"
        )
    if course.consent_on is None:
        found.append(
            f"no consent is recorded for course {course.id} ({course.condition}):"
            f" prolotrack course consent {course.id} --date DATE"
        )
    return found


def open_serious(events: list[AdverseEvent]) -> list[str]:
    """Warnings for the course's serious adverse events not yet resolved: first of all."""
    return [
        f"serious adverse event {e.id} ({e.kind}, {e.severity}, onset {e.onset_on}) of this"
        f" course is still open: check it before injecting again (prolotrack adverse resolve"
        f" {e.id} once it is over)"
        for e in events
        if e.serious and e.resolved_on is None
    ]


def _ref(patient: Patient) -> str:
    import shlex

    return shlex.quote(f"chart:{patient.chart}" if patient.chart else f"patient:{patient.id}")


def _doses(patient: Patient, mg: dict[str, float]) -> list[str]:
    found = []
    for name, amount in mg.items():
        agent = solutions.BY_NAME.get(name)
        if agent is None:
            continue
        if agent.max_mg is not None and amount > agent.max_mg:
            found.append(
                f"{name} {amount:g} mg is more than the {agent.max_mg:g} mg limit for one procedure"
            )
        if agent.max_mg_per_kg is not None and not patient.weight_kg and amount > 0:
            found.append(
                f"{name} {amount:g} mg given with no weight recorded for {patient.label}: the"
                f" {agent.max_mg_per_kg:g} mg/kg limit could not be checked"
                f" (prolotrack patient edit {_ref(patient)} --weight KG)"
            )
        if agent.max_mg_per_kg is not None and patient.weight_kg:
            limit = agent.max_mg_per_kg * patient.weight_kg
            if amount > limit:
                found.append(
                    f"{name} {amount:g} mg is more than {agent.max_mg_per_kg:g} mg/kg for"
                    f" {patient.weight_kg:g} kg ({limit:g} mg)"
                )
    return found
