"""The practice's own protocols: adding one (from --site options, a TOML file or a CSV of
sites) and removing one. A protocol of the same name as a built-in one shadows it."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

from prolotrack.domain import follow_up as follow_up_points
from prolotrack.domain import vocab
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.sites import SiteSpec, solution, volume

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


def read_file(path: Path) -> tuple[dict, list[SiteSpec]]:
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


def timepoints(text) -> str | None:
    return follow_up_points.normal(str(text)) if text else None


def unfamiliar_site(name: str, close: list[str]) -> str:
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"site {name!r} is new to this practice{hint} (recorded as typed)"
