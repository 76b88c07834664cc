"""Shell completion of values from the practice's own records: charts, course ids, instrument
codes, protocol names, site names. Completion must never fail loudly: any problem gives no
candidates."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

import typer


def _from_database(ctx: typer.Context, query: Callable) -> list:
    from prolotrack.cli.context import Clinic

    root = ctx.find_root()
    place = Clinic(root.params.get("db") or os.environ.get("PROLOTRACK_DB"))
    try:
        if place.url is None and not place.path.exists():
            return []
        with place.open(write=False) as desk:
            return query(desk.db)
    except Exception:  # completion offers what it can, and never a traceback
        return []


_BASH_SPECIAL = re.compile(r"""([\s'"\\$`!&;|<>()*?#~{}\[\]])""")


def _typed(incomplete: str) -> str:
    """What the user has typed so far, without the quotes or backslashes of their shell."""
    return re.sub(r"\\(.)", r"\1", incomplete).lstrip("'\"")


def _for_shell(values: list[str]) -> list[str]:
    """Bash inserts a completion as it is: ``pes anserine`` would become two words, so its
    spaces (and other special characters) are escaped. Zsh and fish quote for themselves."""
    if "bash" not in os.environ.get("_PROLOTRACK_COMPLETE", ""):
        return values
    return [_BASH_SPECIAL.sub(r"\\\1", v) for v in values]


def _starting(values, incomplete: str) -> list[str]:
    """The values that start with what was typed, in any case or accent, each given back with
    the typed part as it was typed (the shell keeps only what starts with it)."""
    from prolotrack.domain.vocab import fold

    typed = _typed(incomplete)
    wanted = fold(typed)
    found = [
        typed + v[len(typed) :]
        for v in dict.fromkeys(values)
        if v and len(v) >= len(typed) and fold(v).startswith(wanted)
    ]
    return _for_shell(found)


def complete_patient(ctx: typer.Context, incomplete: str) -> list[str]:
    """Chart numbers and names of patients not archived, and their surnames (a unique part of
    a name is a PATIENT too): ``hop`` offers Hopper, ``gr`` Grace Hopper."""
    rows = _from_database(
        ctx,
        lambda db: list(
            db.query("SELECT chart, name FROM patients WHERE archived_at IS NULL ORDER BY name")
        ),
    )
    charts = sorted(r["chart"] for r in rows if r["chart"])
    names = [r["name"] for r in rows]
    later_words = [word for name in names for word in name.split()[1:]]
    return _starting([*charts, *names, *later_words], incomplete)


def complete_course_or_patient(ctx: typer.Context, incomplete: str) -> list:
    """Active courses by id (with their patient and condition), then patients."""
    return [*complete_course(ctx, incomplete), *complete_patient(ctx, incomplete)]


def complete_course(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Ids of active courses, with their patient and condition as help."""
    rows = _from_database(
        ctx,
        lambda db: list(
            db.query(
                "SELECT c.id, c.condition, p.chart, p.name FROM courses c JOIN patients p"
                " ON p.id = c.patient_id WHERE c.status = 'active' ORDER BY c.id"
            )
        ),
    )
    return [
        (str(r["id"]), f"{r['chart'] or r['name']}: {r['condition']}")
        for r in rows
        if str(r["id"]).startswith(incomplete)
    ]


def complete_instrument(ctx: typer.Context, incomplete: str) -> list[str]:
    from prolotrack.domain.instruments import CATALOGUE

    stored = _from_database(
        ctx, lambda db: [r["code"] for r in db.query("SELECT code FROM instruments ORDER BY rowid")]
    )
    return _starting(stored or [i.code for i in CATALOGUE], incomplete)


def complete_protocol(ctx: typer.Context, incomplete: str) -> list[str]:
    from prolotrack.domain.protocols import BUILTIN

    own = _from_database(
        ctx, lambda db: [r["name"] for r in db.query("SELECT name FROM protocols ORDER BY name")]
    )
    return _starting([*own, *(p.name for p in BUILTIN)], incomplete)


def complete_site(ctx: typer.Context, incomplete: str) -> list[str]:
    """Site names for the first field of a --site SPEC."""
    from prolotrack.actions import site_names
    from prolotrack.domain.site_names import LITERATURE

    if ":" in incomplete:  # past the site name: volume, solution, side are the user's
        return []
    known = _from_database(ctx, site_names.names) or list(LITERATURE)
    return _starting(sorted(known, key=str.lower), incomplete)
