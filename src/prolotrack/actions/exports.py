"""What an export reads: the rows of one table (or the progress of each course), filtered,
with the pseudonym key when it is de-identified. render/export_files.py writes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.actions import lookup
from prolotrack.domain.extracts import Extract
from prolotrack.domain.instruments import CATALOGUE
from prolotrack.storage import exports
from prolotrack.storage.exports import Filters

if TYPE_CHECKING:
    from prolotrack.storage import Database


def read(
    db: Database,
    table: str,
    *,
    since: date | None,
    until: date | None,
    patient: str | None,
    deidentify: bool,
    today: date,
    csv: bool,
) -> Extract:
    """The rows of ``table`` (a name of render.exports.TABLES) for the export's filters:
    the clinical date inside ``since``..``until``, one patient (a reference) or all."""
    filters = Filters(since, until, lookup.patient(db, patient).id if patient else None)
    key = exports.secret(db, "pseudonym-key") if deidentify else None
    instruments = exports.instruments_used(db) if table == "injections" else []
    if deidentify:  # a practice's own instrument's code is its free text: not a column
        instruments = [c for c in instruments if c in {i.code for i in CATALOGUE}]
    found = Extract(table, key, instruments)
    if table == "progress":
        from prolotrack.actions import progress

        found.dicts = progress.export_rows(db, exports.course_ids(db, filters), today)
    elif table == "injections" and csv:  # hundreds of thousands of rows: a session once
        found.sites = exports.injections_csv(db, filters, instruments)
    else:
        rows = (
            exports.injections(db, filters, instruments)
            if table == "injections"
            else getattr(exports, table)(db, filters)
        )
        found.tuples, found.names = rows, rows.columns
    return found


def fhir(db: Database, patient: str | None, *, bulk: bool = False) -> Iterator[dict]:
    """Every FHIR resource of the record, or of one patient (a reference), as Bundle entries
    (``bulk``: for Bulk Data files)."""
    from prolotrack.actions import fhir as resources

    return resources.entries(db, lookup.patient(db, patient).id if patient else None, bulk=bulk)


def redcap(db: Database):
    """The record as a de-identified REDCap project (domain/redcap.py): every live course."""
    from prolotrack.actions.courses import practice_follow_up
    from prolotrack.domain import redcap as project
    from prolotrack.domain.form_catalogue import FORMS
    from prolotrack.storage import answers, courses, flags, scores, sessions

    found = courses.listing(db)
    found.sort(key=lambda c: c.id)
    given = scores.for_courses(db, [c.id for c in found])
    data = [
        project.CourseData(
            c,
            sessions.listing(db, course_id=c.id),
            given[c.id],
            answers.for_course(db, c.id),
            [r["kind"] for r in flags.rehabilitation(db, c.id)],
        )
        for c in found
    ]
    catalogue = {i.code: i for i in CATALOGUE}
    key = exports.secret(db, "pseudonym-key")
    return project.project(data, key, catalogue, FORMS, practice_follow_up(db))
