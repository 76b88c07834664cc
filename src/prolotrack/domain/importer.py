"""Importing a spreadsheet of past sessions: the shape of ``export injections``.

One row per injection site. Patients are matched by chart number (or, without one, by exact
name), courses by patient + condition + start date, sessions by course + date; what is already
present is recognised and skipped, so importing a file twice changes nothing. The rows of one
session must stand together, as ``export injections`` writes them; the file is read once, so
memory does not grow with its length. Every problem is collected as ``FILE:LINE: column:
message`` and, if there is any, the caller's transaction is rolled back: all or nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import IO, TYPE_CHECKING

from prolotrack.dates import parse_date, parse_interval
from prolotrack.domain import courses, patients, sessions, vocab
from prolotrack.domain.errors import InvalidInput, ProlotrackError
from prolotrack.domain.instruments import Instrument
from prolotrack.domain.models import Course, Patient
from prolotrack.domain.sites import SiteSpec, solution, volume
from prolotrack.storage import courses as stored_courses
from prolotrack.storage import patients as stored_patients
from prolotrack.storage import scores as stored_scores
from prolotrack.storage import sessions as stored_sessions

if TYPE_CHECKING:
    from prolotrack.storage import Database

REQUIRED = ("name", "condition", "started_on", "session_date", "site", "volume_ml", "solution")
OPTIONAL = ("chart", "region", "course_side", "icd10", "measure", "interval",
            "planned_sessions", "session_number", "practitioner", "anesthetic", "guidance",
            "side", "points")  # fmt: skip
COURSE_FIELDS = ("region", "course_side", "icd10", "measure", "interval", "planned_sessions")
SESSION_FIELDS = ("practitioner", "anesthetic", "guidance")


class ImportRefused(ProlotrackError):
    """The file has problems; nothing was imported. ``details`` lists each one."""

    def __init__(self, source: str, problems: list[str]):
        self.details = problems
        count = len(problems)
        super().__init__(
            f"{source}: {count} problem{'s' if count != 1 else ''}; nothing was imported"
        )


@dataclass
class Tally:
    rows: int = 0
    patients_added: int = 0
    courses_added: int = 0
    sessions_added: int = 0
    sessions_skipped: int = 0
    injections: int = 0
    scores: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Session:
    """The rows of one session as read: its keys, its fields and its sites."""

    line: int
    patient_key: tuple
    course_key: tuple
    row: dict
    sites: list[SiteSpec] = field(default_factory=list)
    scores: list[tuple[str, float]] = field(default_factory=list)
    broken: bool = False


class Importer:
    def __init__(
        self,
        db: Database,
        source: str,
        today: date,
        date_order: str | None,
        unquote: Callable[[str], str],
    ):
        self.db, self.source, self.today = db, source, today
        self.date_order, self.unquote = date_order, unquote
        self.catalogue: dict[str, Instrument] = {i.code: i for i in stored_scores.instruments(db)}
        self.problems: list[str] = []
        self.tally = Tally()
        self.patients: dict[tuple, tuple[int, str, Patient | None]] = {}
        self.courses: dict[tuple, tuple[int, dict, Course | None]] = {}
        self.sessions_seen: dict[tuple, int] = {}
        self.failed: set[tuple] = set()

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(f"{self.source}:{line}: {column}: {message}")

    # Reading -----------------------------------------------------------------------------

    def read(self, handle: IO[str], progress: Callable[[Iterable], Iterable] = iter) -> Tally:
        """Read the whole file, recording what it holds and every problem found."""
        try:
            return self._read(handle, progress)
        except UnicodeDecodeError:
            raise InvalidInput(
                f"{self.source} is not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'"
            ) from None
        except csv.Error as error:
            raise InvalidInput(f"{self.source}: not a readable CSV file ({error})") from None

    def _read(self, handle: IO[str], progress: Callable[[Iterable], Iterable]) -> Tally:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise InvalidInput(f"{self.source} is empty (expected a header row)")
        columns = [h.strip().lower() for h in header]
        if not self._header_ok(columns):
            raise ImportRefused(self.source, self.problems)
        current: _Session | None = None
        line = reader.line_num
        for cells in progress(reader):
            start, line = line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            self.tally.rows += 1
            row = {k: self.unquote(v.strip()) for k, v in zip(columns, cells, strict=False)}
            if len(cells) != len(columns):
                self.problem(start, "-", f"{len(cells)} cells where the header has {len(columns)}")
                continue
            parsed = self._row(start, row)
            if parsed is None:
                if current is not None:
                    current.broken = True
                continue
            key, spec, scores = parsed
            if current is not None and key == (current.course_key, current.row["session_date"]):
                self._same_session(start, current, row, scores)
                current.sites.append(spec)
                continue
            self._store(current)
            current = self._open(start, key, row, spec, scores)
        self._store(current)
        return self.tally

    def _header_ok(self, columns: list[str]) -> bool:
        known = set(REQUIRED) | set(OPTIONAL) | set(self.catalogue)
        for column in columns:
            if column not in known:
                self.problem(1, column, "unknown column (a column is a field of 'export"
                             " injections' or an instrument code)")  # fmt: skip
        for column in REQUIRED:
            if column not in columns:
                self.problem(1, column, "required column is missing")
        if len(set(columns)) != len(columns):
            self.problem(1, "-", "a column name appears twice")
        return not self.problems

    def _row(self, line: int, row: dict) -> tuple | None:
        """Check one row's cells; return its session key, site and scores, or None."""
        before = len(self.problems)

        def read(column: str, reader: Callable, required: bool = False):
            text = row.get(column, "")
            if not text:
                if required:
                    self.problem(line, column, "is empty")
                return None
            try:
                return reader(text)
            except (InvalidInput, ValueError) as error:
                self.problem(line, column, str(error))
                return None

        a_date = lambda t: parse_date(t, self.today, self.date_order).isoformat()  # noqa: E731
        row["started_on"] = read("started_on", a_date, True)
        row["session_date"] = read("session_date", a_date, True)
        # One-line texts are read as the command line reads them (spaces and line breaks
        # collapsed), so that a hand-typed sheet finds the patients and courses it names.
        row["chart"] = read("chart", lambda t: vocab.printable(" ".join(t.split()), "chart"))
        for column in ("name", "condition", "site"):
            row[column] = read(column, lambda t, c=column: vocab.text(t, c), True)
        row["region"] = read("region", lambda t: vocab.text(t, "region"))
        for column in ("practitioner", "anesthetic"):
            row[column] = read(column, lambda t, c=column: vocab.note(t, c))
        vol = read("volume_ml", volume, True)
        sol = read("solution", solution, True)
        side = read("side", vocab.side)
        points = read("points", _points) or 1
        row["course_side"] = read("course_side", vocab.side)
        row["interval"] = read("interval", lambda t: str(parse_interval(t)))
        row["planned_sessions"] = read("planned_sessions", _planned)
        row["guidance"] = read("guidance", lambda t: vocab.one_of(t, vocab.GUIDANCE, "guidance"))
        row["icd10"] = read("icd10", vocab.icd10)
        row["measure"] = read("measure", self._instrument)
        scores = []
        for code, instrument in self.catalogue.items():
            value = read(code, lambda t, i=instrument: i.check(float(t)))
            if value is not None:
                scores.append((code, value))
        if len(self.problems) > before:
            return None
        chart = row.get("chart") or None
        patient_key = ("chart", chart.lower()) if chart else ("name", row["name"].lower())
        course_key = (patient_key, row["condition"].lower(), row["started_on"])
        spec = SiteSpec(row["site"], vol, sol, side, points)
        return (course_key, row["session_date"]), spec, scores

    def _instrument(self, code: str) -> str:
        if code.lower() not in self.catalogue:
            raise InvalidInput(f"unknown instrument {code!r}")
        return code.lower()

    def _same_session(self, line: int, current: _Session, row: dict, scores: list) -> None:
        for column in SESSION_FIELDS:
            if (row.get(column) or None) != (current.row.get(column) or None):
                self.problem(line, column, f"differs from line {current.line} of the same session")
        if scores != current.scores:
            self.problem(line, "scores", f"differ from line {current.line} of the same session")

    def _open(self, line, key, row, spec, scores) -> _Session:
        course_key, _ = key
        if key in self.sessions_seen:
            self.problem(line, "session_date", "the rows of one session must stand together"
                         f" (this session began at line {self.sessions_seen[key]})")  # fmt: skip
        self.sessions_seen.setdefault(key, line)
        return _Session(line, course_key[0], course_key, row, [spec], scores)

    # Writing -----------------------------------------------------------------------------

    def _store(self, group: _Session | None) -> None:
        if group is None or group.broken:
            return
        if group.patient_key in self.failed or group.course_key in self.failed:
            return  # its patient or course was already reported
        try:
            patient = self._patient(group)
        except ProlotrackError as error:
            self.failed.add(group.patient_key)
            self.problem(group.line, "name", str(error))
            return
        try:
            course = self._course(group, patient)
        except ProlotrackError as error:
            self.failed.add(group.course_key)
            self.problem(group.line, "condition", str(error))
            return
        try:
            self._session(group, course)
        except ProlotrackError as error:
            self.problem(group.line, "session_date", str(error))

    def _patient(self, group: _Session) -> Patient:
        key, row = group.patient_key, group.row
        if key in self.patients:
            first_line, name, found = self.patients[key]
            if row["name"] != name:
                raise InvalidInput(
                    f"name {row['name']!r} differs from line {first_line} ({name!r})"
                )
            return found
        chart = row.get("chart") or None
        if chart:
            found = stored_patients.by_chart(self.db, chart)
        else:
            same = stored_patients.unnumbered_named(self.db, row["name"])
            if len(same) > 1:
                raise InvalidInput(
                    f"{len(same)} patients without a chart are named {row['name']!r}"
                )
            found = same[0] if same else None
        if found is not None and found.name.lower() != row["name"].lower():
            raise InvalidInput(f"chart {chart!r} belongs to {found.name!r}, not {row['name']!r}")
        if found is None:
            self._warn_of_namesakes(group.line, row["name"], chart)
            found = patients.add(self.db, self.today, name=row["name"], chart=chart)
            self.tally.patients_added += 1
        self.patients[key] = (group.line, row["name"], found)
        return found

    def _warn_of_namesakes(self, line: int, name: str, chart: str | None) -> None:
        """A new patient whose name is already on file under another chart number: often a
        chart that a spreadsheet stripped of its zeros (007 read as 7)."""
        for other in stored_patients.charted_named(self.db, name):
            if other.chart == chart:
                continue
            stripped = chart and other.chart and other.chart.lstrip("0") == chart.lstrip("0")
            why = " (a spreadsheet may have stripped its zeros)" if stripped else ""
            self.tally.warnings.append(
                f"line {line}: {name!r} with chart {chart!r} is added as a new patient, but"
                f" {other.label} is already on file{why}"
            )

    def _course(self, group: _Session, patient: Patient) -> Course:
        row = group.row
        fields = {k: row.get(k) or None for k in COURSE_FIELDS}
        if group.course_key in self.courses:
            first_line, first_fields, found = self.courses[group.course_key]
            for k in COURSE_FIELDS:
                if fields[k] != first_fields[k]:
                    raise InvalidInput(f"{k} differs from line {first_line} of the same course")
            return stored_courses.get(self.db, found.id)
        started_on = date.fromisoformat(row["started_on"])
        found = stored_courses.find(self.db, patient.id, row["condition"], started_on)
        if found is None:
            plan = courses.CoursePlan(
                condition=row["condition"], started_on=started_on, region=fields["region"],
                side=fields["course_side"], icd10=fields["icd10"], measure=fields["measure"],
                interval=parse_interval(fields["interval"]) if fields["interval"] else None,
                planned_sessions=fields["planned_sessions"],
            )  # fmt: skip
            found = courses.start(self.db, patient, plan, self.today)
            self.tally.courses_added += 1
        self.courses[group.course_key] = (group.line, fields, found)
        return found

    def _session(self, group: _Session, course: Course) -> None:
        given_on = date.fromisoformat(group.row["session_date"])
        if stored_sessions.on_date(self.db, course.id, given_on) is not None:
            self.tally.sessions_skipped += 1
            return
        entry = sessions.SessionEntry(
            given_on=given_on, sites=group.sites, scores=group.scores,
            anesthetic=group.row.get("anesthetic") or None,
            guidance=group.row.get("guidance") or None,
            practitioner=group.row.get("practitioner") or None,
        )  # fmt: skip
        sessions.log(self.db, course, entry, self.today, None)
        self.tally.sessions_added += 1
        self.tally.injections += len(group.sites)
        self.tally.scores += len(group.scores)

    def finish(self) -> Tally:
        if self.problems:
            raise ImportRefused(self.source, self.problems)
        return self.tally


def _points(text: str) -> int:
    value = int(text)
    if value < 1:
        raise InvalidInput(f"points {value} must be at least 1")
    return value


def _planned(text: str) -> int:
    return vocab.planned_sessions(int(text))
