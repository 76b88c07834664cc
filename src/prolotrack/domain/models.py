"""The records of the clinic, as plain data: what storage returns and the renderers show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain.dates import Interval

if TYPE_CHECKING:
    from prolotrack.domain.signatures import Signature


@dataclass
class Patient:
    id: int
    name: str
    chart: str | None = None
    born: date | None = None
    sex: str | None = None
    phone: str | None = None
    note: str | None = None
    archived_at: str | None = None
    created_at: str | None = None
    weight_kg: float | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.chart})" if self.chart else f"{self.name} (#{self.id})"


@dataclass
class Course:
    id: int
    patient_id: int
    condition: str
    started_on: date
    interval: Interval
    measure: str
    status: str = "active"
    region: str | None = None
    side: str | None = None
    icd10: str | None = None
    planned_sessions: int | None = None
    closed_on: date | None = None
    close_reason: str | None = None
    protocol: str | None = None
    follow_up: str | None = None  # timepoints as stored ("3m,6m,12m", "none"); None: default
    voided_at: str | None = None
    void_reason: str | None = None
    consent_on: date | None = None
    consent_form: str | None = None
    created_at: str | None = None
    patient: Patient | None = None
    research_consent_on: date | None = None  # consented to research (a registry's rows)
    research_withdrawn_on: date | None = None
    sessions_done: int = 0
    last_session_on: date | None = None

    @property
    def label(self) -> str:
        """The course as a confirmation names it: which, for what, and whose."""
        who = self.patient.label if self.patient else f"patient {self.patient_id}"
        return f"course {self.id} ({self.condition}) of {who}"

    @property
    def is_open(self) -> bool:
        return self.status == "active" and not self.voided_at


@dataclass
class Injection:
    id: int
    session_id: int
    position: int
    site: str
    solution: str
    volume_ml: float
    side: str | None = None
    points: int = 1
    guidance: str | None = None


@dataclass
class Score:
    id: int
    course_id: int
    instrument: str
    value: float
    taken_on: date
    session_id: int | None = None
    voided_at: str | None = None
    void_reason: str | None = None
    answer_set_id: int | None = None  # derived from this set of a form's answers, not typed

    @property
    def derived(self) -> bool:
        return self.answer_set_id is not None


@dataclass
class AnswerSet:
    """A form filled in once: its answers as given (item -> value, None where not given, in
    item order), the form's version and the scoring version its scores were derived by."""

    id: int
    course_id: int
    form: str
    form_version: str
    scoring_version: str
    taken_on: date
    answers: dict[str, int | None]
    session_id: int | None = None
    voided_at: str | None = None
    void_reason: str | None = None


@dataclass
class FormLink:
    """A one-time link asking a patient to fill in a form: only its token's hash is kept."""

    id: int
    course_id: int
    form: str
    expires_on: date
    created_at: str
    timepoint: str | None = None  # the follow-up it asks for ("6m"), if any
    used_at: str | None = None
    withdrawn_at: str | None = None  # replaced by a later link for the same form and timepoint


@dataclass
class FormResponse:
    """A form's answers that arrived by a link or from another tool's file, waiting for a
    practitioner's review: they count (as an answer set and its scores) once accepted."""

    id: int
    course_id: int
    form: str
    form_version: str
    answered_on: date
    answers: dict[str, int | None]
    source: str  # link or import
    received_at: str
    status: str  # received, accepted or rejected
    link_id: int | None = None
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    reason: str | None = None
    answer_set_id: int | None = None
    external_id: str | None = None  # an imported QuestionnaireResponse's id in its file


@dataclass
class AdverseEvent:
    id: int
    session_id: int
    kind: str
    severity: str
    onset_on: date
    resolved_on: date | None = None
    note: str | None = None
    serious: bool = False
    recorded_on: date | None = None
    voided_at: str | None = None
    void_reason: str | None = None


@dataclass
class Session:
    id: int
    course_id: int
    number: int
    given_on: date
    practitioner: str | None = None
    anesthetic: str | None = None
    guidance: str | None = None
    note: str | None = None
    voided_at: str | None = None
    void_reason: str | None = None
    created_at: str | None = None
    warnings: list[str] = field(default_factory=list)  # what was known when it was logged
    injections: list[Injection] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    adverse_events: list[AdverseEvent] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)  # where a report shows them

    @property
    def total_ml(self) -> float:
        return round(sum(i.volume_ml for i in self.injections), 3)

    @property
    def solutions(self) -> list[str]:
        return sorted({i.solution for i in self.injections})

    @property
    def agents_mg(self) -> dict[str, float]:
        """Milligrams of each agent given, from the solutions' strengths and volumes."""
        return totals_of([self])


def totals_of(sessions: list[Session]) -> dict[str, float]:
    """Milligrams of each agent over sessions: their sites, and the anaesthetic each gave
    where it is written with its volume (``lidocaine 1%:2``)."""
    from prolotrack.domain.solutions import anaesthetic_dose, totals

    given = [(i.solution, i.volume_ml) for s in sessions for i in s.injections]
    given += [dose for s in sessions if (dose := anaesthetic_dose(s.anesthetic))]
    return totals(given)


@dataclass
class Flag:
    """A safety flag on a patient (``allergy:fish``, ``anticoagulant``, ``other:TEXT``)."""

    id: int
    patient_id: int
    kind: str
    note: str | None = None
    created_at: str | None = None
