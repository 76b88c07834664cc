"""Recording and changing patients."""

from __future__ import annotations

from datetime import date

from prolotrack.domain import vocab
from prolotrack.domain.errors import InvalidInput


def checked_fields(today: date, **given) -> dict:
    """Check and normalise the given patient fields (``None`` means not given)."""
    fields: dict = {}
    if given.get("name") is not None:
        fields["name"] = vocab.visible(vocab.text(given["name"], "name"), "name")
    if given.get("chart") is not None:
        chart = " ".join(given["chart"].split())
        if not chart:
            raise InvalidInput("chart number cannot be empty")
        fields["chart"] = vocab.visible(vocab.printable(chart, "chart number"), "chart number")
    if given.get("born") is not None:
        fields["born"] = vocab.not_after(given["born"], today, "birth date").isoformat()
    if given.get("sex") is not None:
        fields["sex"] = vocab.sex(given["sex"])
    for key in ("phone", "note"):
        if given.get(key) is not None:
            fields[key] = vocab.note(given[key], key)
    if fields.get("phone"):
        vocab.visible(fields["phone"], "phone")
    if given.get("weight_kg") is not None:
        fields["weight_kg"] = weight(given["weight_kg"])
    return fields


def weight(kg: float) -> float:
    """A body weight in kg, for the anaesthetic limits in mg/kg."""
    if not 0 < kg <= 500:
        raise InvalidInput(f"weight {kg:g} kg is out of range (more than 0, at most 500 kg)")
    return kg
