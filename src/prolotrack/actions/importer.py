"""Importing a spreadsheet of past sessions: each session the sheet holds (read and checked
by ``domain.importer.Sheet``) is recorded as ``session log`` would record it, with its patient
and course found or made. Every problem is collected; if there is any, the caller's transaction
is rolled back: all or nothing."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date
from typing import IO, TYPE_CHECKING

from prolotrack.actions import courses, patients, sessions
from prolotrack.actions.course_facts import CourseFacts
from prolotrack.domain.courses import CoursePlan
from prolotrack.domain.dates import parse_interval
from prolotrack.domain.errors import InvalidInput, ProlotrackError
from prolotrack.domain.importer import COURSE_FIELDS, SessionRows, Sheet, Tally
from prolotrack.domain.models import Course, Patient
from prolotrack.domain.sessions import SessionEntry
from prolotrack.storage import courses as stored_courses
from prolotrack.storage import patients as stored_patients
from prolotrack.storage import scores as stored_scores

if TYPE_CHECKING:
    from prolotrack.storage import Database


class Namesakes:
    """What the import knows of the charted patients of one name: how many, the first three
    charts, and every chart without its leading zeros (to spot a stripped one)."""

    SHOWN = 3

    def __init__(self, name: str):
        self.name, self.count, self.first, self.stripped = name, 0, [], set()

    def add(self, chart: str) -> None:
        self.count += 1
        if len(self.first) < self.SHOWN:
            self.first.append(chart)
        self.stripped.add(chart.lstrip("0"))

    def warning(self, name: str, chart: str | None) -> str:
        listed = ", ".join(f"{self.name} ({c})" for c in self.first)
        more = f" and {self.count - len(self.first)} more" if self.count > len(self.first) else ""
        why = ""
        if chart and chart.lstrip("0") in self.stripped:
            why = " (a spreadsheet may have stripped its zeros)"
        already = "is" if self.count == 1 else "are"
        return (
            f"{name!r} with chart {chart!r} is added as a new patient, but {listed}{more}"
            f" {already} already on file{why}"
        )


class Importer:
    RECENT_COURSES = 1000  # whose facts are kept (the ten-year export has 454 open at once)

    def __init__(
        self,
        db: Database,
        source: str,
        today: date,
        date_order: str | None,
        unquote: Callable[[str], str],
    ):
        self.db, self.today = db, today
        self.catalogue = {i.code: i for i in stored_scores.instruments(db)}
        self.follow_up = courses.practice_follow_up(db)  # a new course's, unless its own
        self.sheet = Sheet(source, today, date_order, unquote, self.catalogue)
        self.tally = self.sheet.tally
        self.patients: dict[tuple, tuple[int, str, Patient | None]] = {}
        self.courses: dict[tuple, tuple[int, tuple, int]] = {}  # its first line, fields, id
        # what the checks read of a course, for the courses most recently recorded: an export
        # lists sessions by date, so a course's sessions are months apart in it, among those
        # of the few hundred courses open at the time; kept for so many only, the import's
        # memory stays flat however many courses the sheet holds
        self.facts: OrderedDict[int, CourseFacts] = OrderedDict()
        self.failed: set[tuple] = set()
        self.namesakes: dict[str, Namesakes] = {}
        self.added: set[int] = set()  # the patients this import added: nothing on file yet

    def read(self, handle: IO[str], progress: Callable[[Iterable], Iterable] = iter) -> Tally:
        """Read the whole file, recording each session it holds and every problem found."""
        with self.db.pipeline():  # on PostgreSQL, a session's writes in one round trip
            return self.sheet.read(handle, self._store, progress)

    def finish(self) -> Tally:
        return self.sheet.finish()

    def _store(self, group: SessionRows) -> None:
        if group.patient_key in self.failed or group.course_key in self.failed:
            return  # its patient or course was already reported
        try:
            patient = self._patient(group)
        except ProlotrackError as error:
            self.failed.add(group.patient_key)
            self.sheet.problem(group.line, "name", str(error))
            return
        try:
            facts = self._course(group, patient)
        except ProlotrackError as error:
            self.failed.add(group.course_key)
            self.sheet.problem(group.line, "condition", str(error))
            return
        try:
            self._session(group, facts)
        except ProlotrackError as error:
            self.sheet.problem(group.line, "session_date", str(error))

    def _patient(self, group: SessionRows) -> Patient:
        key, row = group.patient_key, group.row
        if key in self.patients:
            first_line, name, found = self.patients[key]
            if row["name"] != name:
                raise InvalidInput(
                    f"name {row['name']!r} differs from line {first_line} ({name!r})"
                )
            return found
        chart = " ".join((row.get("chart") or "").split()) or None  # as it would be stored
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
            found = patients.add(
                self.db, self.today, name=row["name"], chart=chart, chart_unused=True
            )
            self.added.add(found.id)
            self.tally.patients_added += 1
            if found.chart:
                self._namesakes(found.name).add(found.chart)
        self.patients[key] = (group.line, row["name"], found)
        return found

    def _namesakes(self, name: str) -> Namesakes:
        """The charted patients of this name (any case): read from the file once per name,
        then kept up to date as the import adds patients."""
        key = name.lower()
        if key not in self.namesakes:
            self.namesakes[key] = Namesakes(name)
            for other in stored_patients.charted_named(self.db, name):
                self.namesakes[key].add(other.chart)
        return self.namesakes[key]

    def _warn_of_namesakes(self, line: int, name: str, chart: str | None) -> None:
        """One warning for a new patient whose name is already on file under other chart
        numbers, naming at most three: often a chart that a spreadsheet stripped of its zeros
        (007 read as 7). Constant work per patient, however many share the name."""
        known = self._namesakes(name)
        if known.count:
            self.tally.warnings.append(f"line {line}: {known.warning(name, chart)}")

    def _course(self, group: SessionRows, patient: Patient) -> CourseFacts:
        """The session's course, found or started, with what its sessions' checks read of it
        (kept from one session of the course to the next, for the courses recorded last)."""
        known = self._known_course(group)
        if known in self.facts:
            self.facts.move_to_end(known)
            return self.facts[known]
        if known is None:
            course, started = self._first_seen(group, patient)
        else:  # its turn came back after a thousand other courses': read as it now stands
            course, started = stored_courses.get(self.db, known), False
            assert course is not None
        if started:  # on PostgreSQL, four round trips a course that would find nothing
            new_patient = patient.id in self.added
            facts = CourseFacts.started(self.db, course, self.catalogue, new_patient=new_patient)
        else:
            facts = CourseFacts(self.db, course, self.catalogue)
        self.facts[course.id] = facts
        if len(self.facts) > self.RECENT_COURSES:
            self.facts.popitem(last=False)
        return self.facts[course.id]

    def _known_course(self, group: SessionRows) -> int | None:
        """The id of the course of an earlier line, whose fields this line must repeat."""
        if group.course_key not in self.courses:
            return None
        first_line, first_fields, course_id = self.courses[group.course_key]
        for k, first in zip(COURSE_FIELDS, first_fields, strict=True):
            if (group.row.get(k) or None) != first:
                raise InvalidInput(f"{k} differs from line {first_line} of the same course")
        return course_id

    def _first_seen(self, group: SessionRows, patient: Patient) -> tuple[Course, bool]:
        """The course a line names first: found on file, or started (True)."""
        row = group.row
        fields = {k: row.get(k) or None for k in COURSE_FIELDS}
        started_on = date.fromisoformat(row["started_on"])
        found = None
        if patient.id not in self.added:  # a patient just added has no course on file
            found = stored_courses.find(self.db, patient.id, row["condition"], started_on)
        started = found is None
        if started:
            plan = CoursePlan(
                condition=row["condition"],
                started_on=started_on,
                region=fields["region"],
                side=fields["course_side"],
                icd10=fields["icd10"],
                measure=fields["measure"],
                interval=parse_interval(fields["interval"]) if fields["interval"] else None,
                planned_sessions=fields["planned_sessions"],
                follow_up=self.follow_up,
            )
            found = courses.start(self.db, patient, plan, self.today, self.catalogue)
            self.tally.courses_added += 1
        # its id and fields only: kept for every course of the sheet
        self.courses[group.course_key] = (group.line, tuple(fields.values()), found.id)
        return found, started

    def _session(self, group: SessionRows, facts: CourseFacts) -> None:
        given_on = date.fromisoformat(group.row["session_date"])
        if facts.on(given_on) is not None:
            self.tally.sessions_skipped += 1
            return
        entry = SessionEntry(
            given_on=given_on,
            sites=group.sites,
            scores=group.scores,
            anesthetic=group.row.get("anesthetic") or None,
            guidance=group.row.get("guidance") or None,
            practitioner=group.row.get("practitioner") or None,
        )
        sessions.record(self.db, facts.course, entry, self.today, None, facts)  # not read back
        self.tally.sessions_added += 1
        self.tally.injections += len(group.sites)
        self.tally.scores += len(group.scores)
