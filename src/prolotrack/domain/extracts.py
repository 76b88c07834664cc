"""What an export reads, as it comes off the database: rows not yet shaped or written."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass
class SiteCells:
    """The ``export injections`` CSV in two streams in the export's order: each session's
    values, and each of its sites' stored ``(site, side, solution, volume_ml, points)``.

    ``sessions`` rows are the session's stored values named by ``names`` (its score on each
    instrument named by the instrument's code), then how many sites it has."""

    sessions: Iterator[tuple]
    sites: Iterator[tuple]
    names: list[str]


@dataclass
class Extract:
    """One table's rows as read: ``sites`` for the injections CSV (each session once, then
    its sites), ``tuples`` for a table written as stored (named by ``names``), else ``dicts``.
    ``key`` is the pseudonym key of a de-identified export; ``instruments`` the score columns
    of the injections export."""

    table: str
    key: str | None
    instruments: list[str]
    sites: SiteCells | None = None
    tuples: Iterable[tuple] | None = None
    names: list[str] | None = None
    dicts: Iterator[dict] | None = None
