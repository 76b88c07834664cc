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
from typing import IO

from prolotrack.domain import vocab
from prolotrack.domain.dates import parse_date, parse_interval
from prolotrack.domain.errors import InvalidInput, ProlotrackError
from prolotrack.domain.instruments import Instrument
from prolotrack.domain.sites import SiteSpec, solution, volume

REQUIRED = ("name", "condition", "started_on", "session_date", "site", "volume_ml", "solution")
OPTIONAL = (
    "chart",
    "region",
    "course_side",
    "icd10",
    "measure",
    "interval",
    "planned_sessions",
    "session_number",
    "practitioner",
    "anesthetic",
    "guidance",
    "side",
    "points",
)
COURSE_FIELDS = ("region", "course_side", "icd10", "measure", "interval", "planned_sessions")
SESSION_FIELDS = ("practitioner", "anesthetic", "guidance")
SITE_COLUMNS = frozenset(("site", "volume_ml", "solution", "side", "points"))


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
class SessionRows:
    """The rows of one session as read: its keys, its fields and its sites."""

    line: int
    patient_key: tuple
    course_key: tuple
    row: dict
    sites: list[SiteSpec] = field(default_factory=list)
    scores: list[tuple[str, float]] = field(default_factory=list)
    broken: bool = False


class Sheet:
    """Reads a sheet of sessions, checking every cell; each session's rows, once read whole,
    go to ``store`` (which records them, or says what is wrong with them)."""

    def __init__(
        self,
        source: str,
        today: date,
        date_order: str | None,
        unquote: Callable[[str], str],
        catalogue: dict[str, Instrument],
    ):
        self.source, self.today = source, today
        self.date_order, self.unquote = date_order, unquote
        self.catalogue = catalogue
        self.problems: list[str] = []
        self.tally = Tally()
        self.sessions_seen: dict[tuple, int] = {}
        self.course_keys: dict[tuple, tuple] = {}
        self.sites_read: dict[tuple, SiteSpec] = {}  # a clinic's sites repeat: 209 in 586,848

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(f"{self.source}:{line}: {column}: {message}")

    def read(
        self,
        handle: IO[str],
        store: Callable[[SessionRows], None],
        progress: Callable[[Iterable], Iterable] = iter,
    ) -> Tally:
        """Read the whole file, handing each session to ``store``; every problem is kept."""
        self.store = store
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
        current: SessionRows | None = None
        line = reader.line_num
        # A session's rows repeat its patient, course, session and scores in every row; while
        # those cells stay as they were in the row before, only the site's cells are read.
        shared_at = [n for n, column in enumerate(columns) if column not in SITE_COLUMNS]
        site_at = [n for n, column in enumerate(columns) if column in SITE_COLUMNS]
        last_shared: list[str] | None = None
        for cells in progress(reader):
            start, line = line + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            self.tally.rows += 1
            if len(cells) != len(columns):
                self.problem(start, "-", f"{len(cells)} cells where the header has {len(columns)}")
                last_shared = None
                continue
            shared = [cells[n] for n in shared_at]
            if current is not None and shared == last_shared:
                # a site's cells read right once are not read again (wrong ones are, to
                # report each line they are on)
                site_cells = tuple(cells[n] for n in site_at)
                spec = self.sites_read.get(site_cells)
                if spec is None:
                    row = {columns[n]: self.unquote(cells[n].strip()) for n in site_at}
                    spec = self._site(start, row)
                if spec is None:
                    current.broken = True
                else:
                    current.sites.append(spec)
                    self.sites_read[site_cells] = spec
                continue
            last_shared = None
            row = {k: self.unquote(v.strip()) for k, v in zip(columns, cells, strict=True)}
            parsed = self._row(start, row)
            if parsed is None:
                if current is not None:
                    current.broken = True
                continue
            last_shared = shared
            key, spec, scores = parsed
            if current is not None and key == (current.course_key, current.row["session_date"]):
                self._same_session(start, current, row, scores)
                current.sites.append(spec)
                continue
            self._hand_over(current)
            current = self._open(start, key, row, spec, scores)
        self._hand_over(current)
        return self.tally

    def _hand_over(self, group: SessionRows | None) -> None:
        if group is not None and not group.broken:
            self.store(group)

    def finish(self) -> Tally:
        if self.problems:
            raise ImportRefused(self.source, self.problems)
        return self.tally

    def _header_ok(self, columns: list[str]) -> bool:
        known = set(REQUIRED) | set(OPTIONAL) | set(self.catalogue)
        for column in columns:
            if column not in known:
                self.problem(
                    1,
                    column,
                    "unknown column (a column is a field of 'export"
                    " injections' or an instrument code)",
                )
        for column in REQUIRED:
            if column not in columns:
                self.problem(1, column, "required column is missing")
        if len(set(columns)) != len(columns):
            self.problem(1, "-", "a column name appears twice")
        return not self.problems

    def _cell(self, line: int, row: dict, column: str, reader: Callable, required=False):
        """The value of one cell read by ``reader``; None if empty or wrong (the problem kept)."""
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

    def _site(self, line: int, row: dict) -> SiteSpec | None:
        """Check the cells of a row's injection site; return it, or None."""
        before = len(self.problems)
        site = self._cell(line, row, "site", lambda t: vocab.text(t, "site"), True)
        vol = self._cell(line, row, "volume_ml", volume, True)
        sol = self._cell(line, row, "solution", solution, True)
        side = self._cell(line, row, "side", vocab.side)
        points = self._cell(line, row, "points", _points) or 1
        if len(self.problems) > before:
            return None
        return SiteSpec(site, vol, sol, side, points)

    def _row(self, line: int, row: dict) -> tuple | None:
        """Check one row's cells; return its session key, site and scores, or None."""
        before = len(self.problems)

        def read(column: str, reader: Callable, required: bool = False):
            return self._cell(line, row, column, reader, required)

        a_date = lambda t: parse_date(t, self.today, self.date_order).isoformat()  # noqa: E731
        row["started_on"] = read("started_on", a_date, True)
        row["session_date"] = read("session_date", a_date, True)
        # One-line texts are read as the command line reads them (spaces and line breaks
        # collapsed), so that a hand-typed sheet finds the patients and courses it names.
        row["chart"] = read("chart", lambda t: vocab.printable(" ".join(t.split()), "chart"))
        for column in ("name", "condition"):
            row[column] = read(column, lambda t, c=column: vocab.text(t, c), True)
        spec = self._site(line, row)
        row["region"] = read("region", lambda t: vocab.text(t, "region"))
        for column in ("practitioner", "anesthetic"):
            row[column] = read(column, lambda t, c=column: vocab.note(t, c))
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
        return (course_key, row["session_date"]), spec, scores

    def _instrument(self, code: str) -> str:
        if code.lower() not in self.catalogue:
            raise InvalidInput(f"unknown instrument {code!r}")
        return code.lower()

    def _same_session(self, line: int, current: SessionRows, row: dict, scores: list) -> None:
        for column in SESSION_FIELDS:
            if (row.get(column) or None) != (current.row.get(column) or None):
                self.problem(line, column, f"differs from line {current.line} of the same session")
        if scores != current.scores:
            self.problem(line, "scores", f"differ from line {current.line} of the same session")

    def _open(self, line, key, row, spec, scores) -> SessionRows:
        # one key per course, shared by its sessions: the keys kept of every session (to find
        # one whose rows do not stand together) then take a third of what they did
        course_key = self.course_keys.setdefault(key[0], key[0])
        key = (course_key, key[1])
        if key in self.sessions_seen:
            self.problem(
                line,
                "session_date",
                "the rows of one session must stand together"
                f" (this session began at line {self.sessions_seen[key]})",
            )
        self.sessions_seen.setdefault(key, line)
        return SessionRows(line, course_key[0], course_key, row, [spec], scores)


def _points(text: str) -> int:
    value = int(text)
    if value < 1:
        raise InvalidInput(f"points {value} must be at least 1")
    return value


def _planned(text: str) -> int:
    return vocab.planned_sessions(int(text))
