"""For random clinics whose charts are digits and whose ids and names collide, a PATIENT, COURSE
or SESSION reference either finds the one record it names exactly or is refused naming every
record it could mean (SPEC, third edition: no command reaches the wrong patient)."""

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prolotrack.actions import lookup
from prolotrack.domain.errors import Ambiguous, InvalidInput, NotFound
from prolotrack.storage import courses, patients, sessions
from prolotrack.storage.connection import transaction

charts = st.one_of(
    st.none(), st.from_regex(r"0?[0-9]{1,2}", fullmatch=True), st.sampled_from(["P-1", "A7", "12a"])
)
names = st.sampled_from(["Ann 1", "Bob 12", "Name30", "Ola Six", "Ada", "Ann Bob", "Zoe 7"])
clinics = st.lists(
    st.tuples(names, charts, st.integers(min_value=0, max_value=2)), min_size=1, max_size=6
)
references = st.one_of(
    st.from_regex(r"0?[0-9]{1,2}", fullmatch=True),
    st.sampled_from(["Ann", "Bob", "1", "3", "Six", "P-1", "a7", "0", "30"]),
    st.sampled_from(["patient:", "chart:", "course:"]).flatmap(
        lambda kind: st.from_regex(r"0?[0-9]{1,2}", fullmatch=True).map(lambda n: kind + n)
    ),
)


def _record(db, clinic) -> None:
    seen = set()
    for name, chart, n_courses in clinic:
        if chart is not None and chart.lower() in seen:
            chart = None
        seen.add((chart or "").lower())
        patient = patients.add(db, {"name": name, "chart": chart})
        for n in range(n_courses):
            cid = courses.start(
                db,
                {
                    "patient_id": patient.id,
                    "condition": f"knee {n}",
                    "started_on": "2026-01-05",
                    "status": "active",
                    "measure": "nrs",
                    "interval": "4w",
                },
                patient,
            ).id
            sessions.insert(
                db, {"course_id": cid, "date": "2026-01-05", "number": 1}, [], moves_later=False
            )


def _named_patients(db, text: str) -> list:
    """Every patient the bare text names exactly: by id (no leading zero), by chart, and (for
    text that is not a number) by a part of the name."""
    everyone = [p for p, _ in patients.listing(db, search=None, archived=True)]
    number = int(text) if text.isdigit() and (text == "0" or not text.startswith("0")) else None
    by_chart = [p for p in everyone if (p.chart or "").lower() == text.lower()]
    by_id = [p for p in everyone if p.id == number]
    if text.isdigit():
        return list({p.id: p for p in by_id + by_chart}.values())
    return by_chart or [p for p in everyone if text.lower() in p.name.lower()]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clinics, references)
def test_a_reference_finds_the_one_record_it_names_or_is_refused_naming_each(clinic, ref):
    with (
        tempfile.TemporaryDirectory() as folder,
        transaction(Path(folder) / "c.db", write=True, commit=False) as db,
    ):
        _record(db, clinic)
        kind, _, text = ref.rpartition(":")
        _check_patient(db, ref, kind, text)
        _check_course(db, ref, kind, text)
        if not kind or kind == "course":
            _check_session(db, f"{ref}#1", kind, text)


def _check_patient(db, ref, kind, text):
    try:
        found = lookup.patient(db, ref)
    except (NotFound, InvalidInput):
        assert kind == "course" or not _exact_patients(db, kind, text)
        return
    except Ambiguous as error:
        named = _exact_patients(db, kind, text)
        assert len(named) > 1
        for p in named[:8]:
            assert p.label in str(error)
        return
    assert [p.id for p in _exact_patients(db, kind, text)] == [found.id]


def _exact_patients(db, kind, text):
    if kind == "patient":
        return [p for p in [patients.get(db, int(text))] if p]
    if kind == "chart":
        return [p for p in [patients.by_chart(db, text)] if p]
    return _named_patients(db, text)


def _check_course(db, ref, kind, text):
    try:
        found = lookup.course(db, ref)
    except (NotFound, InvalidInput):
        return
    except Ambiguous as error:
        assert "both" in str(error) or "active courses" in str(error) or "matches" in str(error)
        return
    if kind == "course":
        assert found.id == int(text)
        return
    by_id = text.isdigit() and not kind and (text == "0" or not text.startswith("0"))
    if text.isdigit() and not kind:  # where a COURSE is expected a number is a course id or a
        owners = [p.id for p in [patients.by_chart(db, text)] if p]  # chart, never a patient id
    else:
        owners = [p.id for p in _exact_patients(db, kind, text)]
    if by_id and found.id == int(text):
        # the number is this course's id; any patient whose chart it also is owns this course
        chart_owner = patients.by_chart(db, text)
        assert chart_owner is None or chart_owner.id == found.patient_id
    else:
        assert owners == [found.patient_id], (ref, found)


def _check_session(db, ref, kind, text):
    try:
        found = lookup.session(db, ref)
    except (NotFound, InvalidInput, Ambiguous):
        return
    assert found.course_id == lookup.course(db, ref.rpartition("#")[0]).id
    assert found.given_on == date(2026, 1, 5)
