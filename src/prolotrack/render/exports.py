"""The columns of each export, plain and de-identified, how a stored row becomes one, and
writing an export as CSV, JSON or a workbook."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from prolotrack.domain import deidentify as deid
from prolotrack.domain.solutions import anaesthetic_dose, keyed
from prolotrack.domain.solutions import totals as solution_totals
from prolotrack.render.view import Column

if TYPE_CHECKING:
    from prolotrack.domain.extracts import Extract

Progress = Callable[[str, str], Callable[[Iterable], Iterable]]  # (what, unit) -> a wrapper

TABLES = (
    "patients", "courses", "sessions", "injections", "scores", "progress", "adverse", "answers"
)  # fmt: skip


@dataclass(frozen=True)
class Export:
    columns: list[Column]
    shape: Callable[[dict], dict]
    plain: bool = False  # the stored row is written as it is: no shaping needed
    # an injection site's own values (render.delimited.SITE) shaped as ``shape`` shapes them
    shape_site: Callable[..., tuple] | None = None


def _cols(*keys: str) -> list[Column]:
    return [Column(k, k) for k in keys]


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class _Deidentified:
    """Turns a stored row into its de-identified form with the file's pseudonym key.

    Only what a catalogue names leaves: the condition as its ICD-10 code, the region, site and
    solution as the catalogues spell them, anything else typed as ``other``; the columns of
    ``_DEIDENTIFIED`` are all there is (no name, chart, phone, note, practitioner or date)."""

    def __init__(self, key: str):
        self.key = key

    def common(self, row: dict) -> dict:
        started = _day(row.get("started_on"))
        return {
            **{k: row.get(k) for k in row if k not in ("patient_id", "born", "started_on")},
            "patient": deid.patient_pseudonym(self.key, row["patient_id"]),
            "course": deid.course_pseudonym(self.key, row["course_id"])
            if "course_id" in row
            else None,
            "age_at_start": deid.age(_day(row.get("born")), started) if started else None,
            "start_year": started.year if started else None,
            **_catalogued(row),
        }

    def offset(self, row: dict, column: str) -> int | None:
        return deid.day_offset(_day(row.get(column)), _day(row["started_on"]))


def _catalogued(row: dict) -> dict:
    """The free-text columns a row has, as a de-identified export may carry them."""
    out = {}
    if "condition" in row:
        out["condition"] = deid.condition(row.get("icd10"))
    if "icd10" in row:
        out["icd10"] = deid.code_of(row["icd10"])
    if "instrument" in row:
        out["instrument"] = deid.instrument(row["instrument"])
    if "region" in row:
        out["region"] = deid.region(row["region"])
    if "site" in row:
        out["site"] = deid.site(row["site"], _known_sites())
    for column in ("solution", "anesthetic"):
        if column in row:
            out[column] = deid.solution(row[column])
    return out


@functools.cache
def _known_sites() -> dict[str, str]:
    from prolotrack.domain.protocols import BUILTIN
    from prolotrack.domain.site_names import LITERATURE

    names = [*LITERATURE, *(s.site for p in BUILTIN for s in p.sites)]
    return {" ".join(n.lower().split()): n for n in names}


_PLAIN = {
    "patients": ("patient_id", "chart", "name", "born", "sex", "phone", "note", "archived",
                 "courses", "weight_kg", "flags"),
    "courses": ("course_id", "chart", "name", "condition", "region", "course_side", "icd10",
                "measure", "interval", "planned_sessions", "started_on", "status", "closed_on",
                "close_reason", "sessions_done", "follow_up", "consent_on", "consent_form",
                "rehabilitation"),
    "sessions": ("session_id", "chart", "name", "course_id", "condition", "session_number",
                 "session_date", "practitioner", "anesthetic", "guidance", "sites", "volume_ml",
                 "note", "warnings", "signed_by", "signed_at", "meaning", "cosigned_by",
                 "cosigned_at", "cosign_meaning", "addenda"),
    "injections": ("chart", "name", "condition", "region", "course_side", "started_on", "measure",
                   "interval", "planned_sessions", "session_date", "session_number",
                   "practitioner", "anesthetic", "guidance", "site", "side", "solution",
                   "volume_ml", "points"),
    "scores": ("score_id", "chart", "name", "course_id", "condition", "instrument", "value",
               "score_date", "session_number"),
    "adverse": ("adverse_event_id", "chart", "name", "course_id", "condition", "session_id",
                "session_number", "session_date", "kind", "severity", "serious", "onset",
                "resolved_on", "recorded_on", "note"),
    "answers": ("answer_set_id", "chart", "name", "course_id", "condition", "form",
                "form_version", "scoring_version", "answer_date", "session_number", "position",
                "item", "value"),
}  # fmt: skip

_DEIDENTIFIED = {
    "patients": ("patient", "sex", "courses", "age_at_first_course", "flags"),
    "courses": ("patient", "course", "age_at_start", "start_year", "condition", "region",
                "course_side", "icd10", "measure", "interval", "planned_sessions", "status",
                "closed_day", "sessions_done", "follow_up", "consent", "rehabilitation"),
    "sessions": ("patient", "course", "start_year", "session_number", "session_day",
                 "anesthetic", "guidance", "sites", "volume_ml"),
    "injections": ("patient", "course", "age_at_start", "start_year", "condition", "region",
                   "course_side", "measure", "interval", "planned_sessions", "session_number",
                   "session_day", "anesthetic", "guidance", "site", "side", "solution",
                   "volume_ml", "points"),
    "scores": ("patient", "course", "start_year", "instrument", "value", "score_day",
               "session_number"),
    "adverse": ("patient", "course", "start_year", "condition", "session_number", "session_day",
                "kind", "severity", "serious", "onset_day", "resolved_day"),
    "answers": ("patient", "course", "start_year", "condition", "form", "form_version",
                "scoring_version", "answer_day", "session_number", "position", "item", "value"),
}  # fmt: skip

PROGRESS = (
    "course_id",
    "chart",
    "name",
    "condition",
    "instrument",
    "baseline",
    "latest",
    "change",
    "improvement",
    "improvement_pct",
    "mcid",
    "mcid_reached",
    "responder",
    "sessions_done",
    "planned_sessions",
    "next_due",
    "follow_ups",
    "lost_to_follow_up",
)
PROGRESS_DEIDENTIFIED = (
    "patient",
    "course",
    "condition",
    "instrument",
    "baseline",
    "latest",
    "change",
    "improvement",
    "improvement_pct",
    "mcid",
    "mcid_reached",
    "responder",
    "sessions_done",
    "planned_sessions",
    "follow_ups",
    "lost_to_follow_up",
)


_YES_NO = {"patients": "archived", "adverse": "serious"}  # stored 0/1, exported true/false


def export(table: str, *, key: str | None = None, instruments: list[str] = ()) -> Export:
    """The columns and row shaping of ``table``; de-identified when given the pseudonym key."""
    extra = list(instruments) if table == "injections" else []
    if table == "progress":
        keys = PROGRESS_DEIDENTIFIED if key else PROGRESS
        return Export(_cols(*keys), (lambda row: row) if not key else _progress(key))
    if key is None:
        if table in _YES_NO:
            column = _YES_NO[table]
            return Export(_cols(*_PLAIN[table]), lambda row: {**row, column: bool(row[column])})
        if table == "sessions":
            return Export(_cols(*_PLAIN[table], *GIVEN), _with_warnings)
        return Export(_cols(*_PLAIN[table], *extra), lambda row: row, plain=True)
    d = _Deidentified(key)

    def shape(row: dict) -> dict:
        out = d.common(row)
        if table == "patients":
            out["age_at_first_course"] = out.pop("age_at_start")
            out["flags"] = deid.flags(row.get("flags"))
        if table == "courses":
            out["consent"] = row.get("consent_on") is not None
            out["rehabilitation"] = deid.rehabilitation(row.get("rehabilitation"))
        out["closed_day"] = d.offset(row, "closed_on") if table == "courses" else None
        out["session_day"] = d.offset(row, "session_date") if "session_date" in row else None
        out["score_day"] = d.offset(row, "score_date") if "score_date" in row else None
        out["answer_day"] = d.offset(row, "answer_date") if "answer_date" in row else None
        if table == "adverse":
            out.update(
                serious=bool(row["serious"]),
                onset_day=d.offset(row, "onset"),
                resolved_day=d.offset(row, "resolved_on"),
            )
        return out

    columns = _cols(*_DEIDENTIFIED[table], *extra, *(GIVEN if table == "sessions" else ()))
    if table == "sessions":
        return Export(columns, lambda row: _given(shape(row), row))
    return Export(columns, shape, shape_site=_deidentified_site if table == "injections" else None)


def _deidentified_site(site, side, solution, volume_ml, points) -> tuple:
    """A site's own values as a de-identified row has them (``_catalogued``'s rule, not a
    second spelling of it)."""
    shaped = _catalogued({"site": site, "solution": solution})
    return shaped["site"], side, shaped["solution"], volume_ml, points


# What a session gave, in grams of dextrose and milligrams of each anaesthetic (SPEC, second
# edition): fixed columns, so that a spreadsheet's columns do not move from one export to the next.
GIVEN = ("dextrose_g", "lidocaine_mg", "bupivacaine_mg", "ropivacaine_mg", "procaine_mg")
_SEPARATOR, _PAIR = "\x1e", "\x1f"  # between the sites of a session, and solution from volume


def _given(out: dict, row: dict | None = None) -> dict:
    """The session's totals from its sites' solutions and volumes (``given`` from the query)."""
    source = row or out
    raw = source.get("given") or ""
    pairs = [(text, float(ml)) for text, ml in (p.split(_PAIR) for p in raw.split(_SEPARATOR) if p)]
    if dose := anaesthetic_dose(source.get("anesthetic")):
        pairs.append(dose)
    totals = keyed(solution_totals(pairs))
    return {**out, **{k: totals.get(k) for k in GIVEN}}


def _with_warnings(row: dict) -> dict:
    """A plain session row: its totals, and the warnings it was logged with, one cell."""
    kept = "; ".join((row.get("warnings") or "").splitlines()) or None
    return {**_given(row), "warnings": kept}


def _progress(key: str) -> Callable[[dict], dict]:
    def shape(row: dict) -> dict:
        return {
            **row,
            "patient": deid.patient_pseudonym(key, row["patient_id"]),
            "course": deid.course_pseudonym(key, row["course_id"]),
            **_catalogued(row),
        }

    return shape


def write(out: IO[Any], found: Extract, fmt: str, progress: Progress) -> int:
    """Write the rows read for an export as ``fmt`` (csv, json or xlsx); return how many.
    ``progress(what, unit)`` wraps the rows as they go (a bar on a terminal)."""
    from prolotrack.render import delimited

    shape = export(found.table, key=found.key, instruments=found.instruments)
    what = f"Exporting {found.table}"
    if found.sites is not None:  # the injections CSV: each session's cells made once
        sites = found.sites
        stored = progress(what, "sessions")(sites.sessions)
        if shape.shape_site is None:
            sessions = delimited.stored_sessions(shape.columns, sites.names, stored)
            site_cells = delimited.stored_cells
        else:
            sessions = delimited.shaped_sessions(shape.columns, sites.names, stored, shape.shape)
            site_cells = delimited.shaped_site_cells(shape.shape_site)
        return delimited.stream_sites(out, shape.columns, sessions, sites.sites, site_cells)
    if found.tuples is not None:
        assert found.names is not None
        if shape.plain and fmt == "csv":  # the hot path: tuples straight to csv
            rows = progress(what, "rows")(found.tuples)
            return delimited.stream_tuples(out, shape.columns, found.names, rows)
        names = found.names
        found.dicts = (dict(zip(names, row, strict=True)) for row in found.tuples)
    assert found.dicts is not None
    shaped = (shape.shape(r) for r in progress(what, "rows")(found.dicts))
    if fmt == "xlsx":
        from prolotrack.render import workbook

        return workbook.write(out, shape.columns, shaped, found.table)
    if fmt == "json":
        from prolotrack.render import jsondoc

        return jsondoc.stream(out, shape.columns, shaped)
    return delimited.stream(out, shape.columns, shaped)
