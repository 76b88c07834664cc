"""Adding an instrument of the practice's own, and setting a practice's MCID."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain import vocab
from prolotrack.domain.errors import InvalidInput, NotFound, Refused
from prolotrack.domain.instruments import HIGHER, LOWER, PERCENT, POINTS, Instrument
from prolotrack.storage import scores

if TYPE_CHECKING:
    from prolotrack.storage import Database
from prolotrack.domain.instrument_changes import CODE, checked, read_mcid


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
    if not CODE.match(code):
        raise InvalidInput(f"instrument code {code!r}: use lower-case letters, digits and '-'")
    if scores.instrument(db, code) is not None:
        raise Refused(f"instrument {code!r} exists; change its MCID with 'instruments set'")
    made = checked(
        Instrument(
            code=code,
            name=vocab.text(name, "name"),
            minimum=minimum,
            maximum=maximum,
            better=vocab.one_of(better, (LOWER, HIGHER), "better"),
            mcid=read_mcid(mcid) if mcid is not None else None,
            mcid_unit=PERCENT if percent else POINTS,
            builtin=False,
            source=vocab.note(source, "source") or "",
        )
    )
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
    changed = checked(replace(found, mcid=read_mcid(mcid), mcid_unit=unit, source=cited))
    scores.update_instrument(db, changed)
    return changed
