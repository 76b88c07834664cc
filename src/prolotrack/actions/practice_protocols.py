"""The practice's own protocols: adding and removing them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from prolotrack.actions import site_names
from prolotrack.actions.courses import check_measure
from prolotrack.domain import vocab
from prolotrack.domain.dates import parse_interval
from prolotrack.domain.errors import InvalidInput, NotFound, Refused
from prolotrack.domain.practice_protocols import read, timepoints, unfamiliar_site
from prolotrack.domain.protocols import BUILTIN, Protocol, check_name
from prolotrack.domain.sites import parse_site
from prolotrack.storage import protocols

if TYPE_CHECKING:
    from prolotrack.storage import Database


def add(
    db: Database,
    name: str,
    *,
    sites: list[str],
    from_file: Path | None = None,
    every: str | None = None,
    sessions: int | None = None,
    measure: str | None = None,
    condition: str | None = None,
    source: str | None = None,
    note: str | None = None,
    follow_up: str | None = None,
) -> tuple[Protocol, list[str]]:
    """Add a protocol; return it with warnings about site names never seen before."""
    key = check_name(name)
    if protocols.get(db, key) is not None:
        raise Refused(f"the practice already has a protocol {key!r}; remove it first")
    fields, specs = _read_file(from_file) if from_file else ({}, [])
    known = {"name", "condition", "every", "sessions", "measure", "source", "note", "follow-up"}
    if set(fields) - known:
        raise InvalidInput(f"{from_file}: unknown field {sorted(set(fields) - known)[0]!r}")
    specs += [parse_site(s) for s in sites]
    if not specs:
        raise InvalidInput("a protocol needs at least one site (--site or --from FILE)")
    every = every or fields.get("every")
    sessions = sessions or fields.get("sessions")
    measure = measure or fields.get("measure")
    made = Protocol(
        name=key,
        sites=tuple(specs),
        interval=parse_interval(str(every)) if every else None,
        planned_sessions=vocab.planned_sessions(int(sessions)) if sessions else None,
        measure=check_measure(db, measure) if measure else None,
        condition=vocab.printable(
            " ".join(str(condition or fields.get("condition") or "").split()), "condition"
        ),
        source=vocab.note(str(source or fields.get("source") or ""), "source") or "",
        note=vocab.note(str(note or fields.get("note") or ""), "note") or "",
        follow_up=timepoints(follow_up or fields.get("follow-up")),
    )
    warnings = [
        unfamiliar_site(n, close) for n, close in site_names.unfamiliar(db, [s.site for s in specs])
    ]
    protocols.insert(db, made)
    return made, warnings


def remove(db: Database, name: str) -> bool:
    """Remove the practice's protocol; return whether a built-in one of that name reappears."""
    key = check_name(name)
    builtin = any(p.name == key for p in BUILTIN)
    if protocols.get(db, key) is None:
        if builtin:
            raise Refused(f"{key!r} is a built-in protocol: it cannot be removed")
        raise NotFound(f"no protocol {name!r} of the practice (see 'prolotrack protocol list')")
    following = protocols.followed_by(db, key)
    if following:
        listed = ", ".join(str(n) for n in following)
        raise Refused(
            f"protocol {key!r} is followed by active {vocab.plural(len(following), 'course')}"
            f" ({listed}): close them or give them another protocol (course edit --protocol)"
            " first"
        )
    protocols.remove(db, key)
    return builtin


def _read_file(path: Path) -> tuple[dict, list]:
    """A protocol file from disk, read as UTF-8 (a byte-order mark allowed)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text; save it as UTF-8") from None
    return read(text, str(path))
