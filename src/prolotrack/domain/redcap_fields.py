"""The shape of prolotrack's REDCap project: REDCap's columns, and the fields, choices and
events every project has (``domain/redcap.py`` adds the scores' and forms' fields and fills the
records)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from prolotrack.domain import deidentify, vocab
from prolotrack.domain.courses import REHABILITATION

COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
EVENT_COLUMNS = (
    "event_name",
    "arm_num",
    "day_offset",
    "offset_min",
    "offset_max",
    "unique_event_name",
)
MAPPING_COLUMNS = ("arm_num", "unique_event_name", "form")
REPEATING_COLUMNS = ("event_name", "form_name", "custom_form_label")
RECORD_START = (
    "record_id",
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
)
ARM = 1
COMPLETE = 2  # REDCap's "Complete"
OLDEST = 90  # an age over 89 is given as 90: "90 or older" (Safe Harbor)


@dataclass(frozen=True)
class Field:
    name: str
    form: str
    kind: str  # text, radio, dropdown, checkbox
    label: str
    choices: tuple[tuple[int, str], ...] = ()
    validation: str = ""  # integer, number (text fields only)
    low: float | None = None
    high: float | None = None
    note: str = ""

    def row(self) -> dict[str, str]:
        cells = dict.fromkeys(COLUMNS, "")
        cells.update(
            {
                COLUMNS[0]: self.name,
                COLUMNS[1]: self.form,
                COLUMNS[3]: self.kind,
                COLUMNS[4]: self.label,
                COLUMNS[5]: " | ".join(f"{code}, {label}" for code, label in self.choices),
                COLUMNS[6]: self.note,
                COLUMNS[7]: self.validation,
                COLUMNS[8]: number(self.low),
                COLUMNS[9]: number(self.high),
            }
        )
        return cells

    @property
    def columns(self) -> list[str]:
        """Its columns in the records: a checkbox's one a choice (``f___1``)."""
        if self.kind == "checkbox":
            return [f"{self.name}___{code}" for code, _ in self.choices]
        return [self.name]


def number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def name(text: str) -> str:
    """A REDCap variable or form name: lower case letters, digits and underscores."""
    return re.sub(r"[^a-z0-9_]", "_", text.lower())


def choices_of(values: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    return tuple((n, v) for n, v in enumerate(values, start=1))


def code(choices: tuple[tuple[int, str], ...], value: str | None) -> int | str:
    return next((c for c, label in choices if label == value), "")


SEXES = choices_of(vocab.SEXES)
SIDES = choices_of(vocab.SIDES)
STATUSES = choices_of(vocab.COURSE_STATUSES)
GUIDANCE = choices_of(vocab.GUIDANCE)
REGIONS = choices_of((*deidentify.REGIONS, deidentify.OTHER))
REHAB = choices_of(REHABILITATION)

COURSE_FIELDS = (
    Field("record_id", "course", "text", "Record ID (the course's pseudonym)"),
    Field("patient", "course", "text", "Patient (pseudonym)"),
    Field("sex", "course", "radio", "Sex", SEXES),
    Field(
        "age",
        "course",
        "text",
        "Age at the first injection",
        validation="integer",
        low=0,
        high=OLDEST,
        note="90 means 90 or older",
    ),
    Field(
        "start_year",
        "course",
        "text",
        "Year of the first injection",
        validation="integer",
        low=1900,
        high=2100,
    ),
    Field("icd10", "course", "text", "Condition, ICD-10-CM code"),
    Field("region", "course", "dropdown", "Region", REGIONS),
    Field("side", "course", "radio", "Side", SIDES),
    Field("measure", "course", "text", "Primary measure (instrument code)"),
    Field("planned_sessions", "course", "text", "Sessions planned", validation="integer", low=1),
    Field("sessions_done", "course", "text", "Sessions given", validation="integer", low=0),
    Field("status", "course", "radio", "Status", STATUSES),
    Field(
        "closed_day",
        "course",
        "text",
        "Day closed",
        validation="integer",
        note="days from the first injection",
    ),
    Field("rehabilitation", "course", "checkbox", "Rehabilitation alongside", REHAB),
)
SESSION_FIELDS = (
    Field("session_number", "session", "text", "Session number", validation="integer", low=1),
    Field(
        "session_day",
        "session",
        "text",
        "Day",
        validation="integer",
        note="days from the first injection",
    ),
    Field("guidance", "session", "radio", "Guidance", GUIDANCE),
    Field("sites", "session", "text", "Sites injected", validation="integer", low=0),
    Field("volume_ml", "session", "text", "Volume injected, mL", validation="number", low=0),
    Field("dextrose_g", "session", "text", "Dextrose given, g", validation="number", low=0),
    Field("lidocaine_mg", "session", "text", "Lidocaine given, mg", validation="number", low=0),
)
TREATMENT = "treatment"


def event(label: str) -> str:
    return f"{name(label)}_arm_{ARM}"
