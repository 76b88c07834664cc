"""Changing the instrument catalogue: a practice's own instruments, and its own MCIDs.

Every default of clinical-reference.md section 1 must be changeable by the practitioner; the
change and the source it cites go to the audit log like any other.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain import vocab
from prolotrack.domain.errors import InvalidInput, NotFound, Refused
from prolotrack.domain.instruments import HIGHER, LOWER, PERCENT, POINTS, Instrument
from prolotrack.storage import scores

if TYPE_CHECKING:
    from prolotrack.storage import Database

_CODE = re.compile(r"^[a-z][a-z0-9-]{0,29}$")


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


def _check(instrument: Instrument) -> Instrument:
    for what, value in (("--min", instrument.minimum), ("--max", instrument.maximum),
                        ("MCID", instrument.mcid)):  # fmt: skip
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


def add(
    db: Database,
    code: str,
    *,
    name: str,
    minimum: float,
    maximum: float,
    better: str,
    mcid: str | None,
    percent: bool,
    source: str | None,
) -> Instrument:
    """Add the practice's own instrument (another version of WOMAC, a local scale...)."""
    code = code.strip().lower()
    if not _CODE.match(code):
        raise InvalidInput(f"instrument code {code!r}: use lower-case letters, digits and '-'")
    if scores.instrument(db, code) is not None:
        raise Refused(f"instrument {code!r} exists; change its MCID with 'instruments set'")
    made = _check(Instrument(
        code=code, name=vocab.text(name, "name"), minimum=minimum, maximum=maximum,
        better=vocab.one_of(better, (LOWER, HIGHER), "better"),
        mcid=read_mcid(mcid) if mcid is not None else None,
        mcid_unit=PERCENT if percent else POINTS, builtin=False,
        source=vocab.note(source, "source") or "",
    ))  # fmt: skip
    scores.insert_instrument(db, made)
    return made


def set_mcid(
    db: Database, code: str, mcid: str, *, percent: bool | None, source: str | None, today: date
) -> Instrument:
    """The practice's own MCID for an instrument; the source says where it comes from."""
    found = scores.instrument(db, code)
    if found is None:
        raise NotFound(f"unknown instrument {code!r} (see 'prolotrack instruments list')")
    unit = found.mcid_unit if percent is None else (PERCENT if percent else POINTS)
    cited = vocab.note(source, "source") or (
        f"set by the practice on {today.isoformat()} (before: {found.mcid_text}, {found.source})"
    )
    changed = _check(replace(found, mcid=read_mcid(mcid), mcid_unit=unit, source=cited))
    scores.update_instrument(db, changed)
    return changed
