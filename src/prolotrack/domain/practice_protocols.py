"""The practice's own protocols: adding one (from --site options, a TOML file or a CSV of
sites) and removing one. A protocol of the same name as a built-in one shadows it."""

from __future__ import annotations

import csv
import io
import tomllib

from prolotrack.domain import follow_up as follow_up_points
from prolotrack.domain import vocab
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.sites import SiteSpec, solution, volume

SITE_FIELDS = ("site", "volume_ml", "solution", "side", "points")


def _site(fields: dict, where: str) -> SiteSpec:
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise InvalidInput(
            f"{where}: unknown field {sorted(unknown)[0]!r} (known: {', '.join(SITE_FIELDS)})"
        )
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


def read(text: str, name: str) -> tuple[dict, list[SiteSpec]]:
    """A protocol file's text: TOML (fields and [[site]] tables) when ``name`` ends in .toml,
    else CSV (one site a row)."""
    if name.lower().endswith(".toml"):
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise InvalidInput(f"{name} is not valid TOML: {error}") from None
        sites = data.pop("site", [])
        if not isinstance(sites, list):
            raise InvalidInput(f"{name}: 'site' must be a list of [[site]] tables")
        return data, [_site(s, f"{name}: site {n}") for n, s in enumerate(sites, start=1)]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return {}, [
            _site({k.strip().lower(): v for k, v in row.items() if v}, f"{name}:{reader.line_num}")
            for row in reader
        ]
    except csv.Error as error:
        raise InvalidInput(f"{name}: not a readable CSV file ({error})") from None


def timepoints(text) -> str | None:
    return follow_up_points.normal(str(text)) if text else None


def unfamiliar_site(name: str, close: list[str]) -> str:
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"site {name!r} is new to this practice{hint} (recorded as typed)"
