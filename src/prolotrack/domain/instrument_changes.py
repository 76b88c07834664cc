"""Changing the instrument catalogue: a practice's own instruments, and its own MCIDs.

Every default of clinical-reference.md section 1 must be changeable by the practitioner; the
change and the source it cites go to the audit log like any other.
"""

from __future__ import annotations

import math
import re

from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.instruments import PERCENT, Instrument

CODE = re.compile(r"^[a-z][a-z0-9-]{0,29}$")


def read_mcid(text: str) -> float | None:
    """An MCID as typed: a positive number, or ``none`` where no MCID is confirmed."""
    if text.strip().lower() in ("none", "n/a"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"MCID {text!r} is not a number (or 'none')") from None
    if not math.isfinite(value):
        raise InvalidInput(f"MCID {text!r} is not a finite number")
    if not value > 0:
        raise InvalidInput(f"MCID {text!r} must be more than 0 (or 'none')")
    return value


def checked(instrument: Instrument) -> Instrument:
    for what, value in (
        ("--min", instrument.minimum),
        ("--max", instrument.maximum),
        ("MCID", instrument.mcid),
    ):
        if value is not None and not math.isfinite(value):
            raise InvalidInput(f"{what} {value} is not a finite number")
    if not instrument.maximum > instrument.minimum:
        raise InvalidInput(
            f"range {instrument.minimum:g}-{instrument.maximum:g}: the maximum must be above the"
            " minimum"
        )
    if instrument.mcid is not None:
        room = 100 if instrument.mcid_unit == PERCENT else instrument.maximum - instrument.minimum
        if instrument.mcid > room:
            unit = "% of baseline" if instrument.mcid_unit == PERCENT else "points"
            raise InvalidInput(f"MCID {instrument.mcid:g} {unit} is larger than the scale allows")
    return instrument
