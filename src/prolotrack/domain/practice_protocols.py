"""The practice's own protocols: adding one (from --site options, a TOML file or a CSV of
sites) and removing one. A protocol of the same name as a built-in one shadows it."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from prolotrack.dates import parse_interval
from prolotrack.domain import catalogue, vocab
from prolotrack.domain import follow_up as follow_up_points
from prolotrack.domain.courses import check_measure
from prolotrack.domain.errors import InvalidInput, NotFound, Refused
from prolotrack.domain.protocols import BUILTIN, Protocol, check_name
from prolotrack.domain.sites import SiteSpec, parse_site, solution, volume
from prolotrack.storage import protocols

if TYPE_CHECKING:
    from prolotrack.storage import Database

SITE_FIELDS = ("site", "volume_ml", "solution", "side", "points")


def _site(fields: dict, where: str) -> SiteSpec:
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise InvalidInput(f"{where}: unknown field {sorted(unknown)[0]!r} (known: "
                           f"{', '.join(SITE_FIELDS)})")  # fmt: skip
    name = " ".join(str(fields.get("site") or "").split())
    if not name:
        raise InvalidInput(f"{where}: a site needs a name")
    try:
        name = vocab.printable(name, "site")
        ml = fields.get("volume_ml")
        points = int(fields.get("points") or 1)
        if points < 1:
            raise InvalidInput(f"points {points} must be at least 1")
        return SiteSpec(
            name,
            volume(str(ml), name) if ml not in (None, "") else None,
            solution(str(fields["solution"])) if fields.get("solution") else None,
            vocab.side(str(fields["side"])) if fields.get("side") else None,
            points,
        )
    except (InvalidInput, ValueError) as error:
        raise InvalidInput(f"{where}: {error}") from None


def _read(path: Path) -> tuple[dict, list[SiteSpec]]:
    """A protocol file: TOML (fields and [[site]] tables) or CSV (one site a row)."""
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            sites = data.pop("site", [])
            if not isinstance(sites, list):
                raise InvalidInput(f"{path}: 'site' must be a list of [[site]] tables")
            return data, [_site(s, f"{path}: site {n}") for n, s in enumerate(sites, start=1)]
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            return {}, [_site({k.strip().lower(): v for k, v in row.items() if v},
                              f"{path}:{reader.line_num}") for row in reader]  # fmt: skip
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text; save it as UTF-8") from None
    except csv.Error as error:
        raise InvalidInput(f"{path}: not a readable CSV file ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{path} is not valid TOML: {error}") from None


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
    fields, specs = _read(from_file) if from_file else ({}, [])
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
        follow_up=_timepoints(follow_up or fields.get("follow-up")),
    )
    warnings = [unfamiliar_site(n, close) for n, close in
                catalogue.unfamiliar(db, [s.site for s in specs])]  # fmt: skip
    protocols.insert(db, made)
    return made, warnings


def _timepoints(text) -> str | None:
    return follow_up_points.normal(str(text)) if text else None


def unfamiliar_site(name: str, close: list[str]) -> str:
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"site {name!r} is new to this practice{hint} (recorded as typed)"


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
