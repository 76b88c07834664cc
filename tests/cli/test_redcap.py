"""`export redcap -o DIR`: a REDCap project's five files (clinical-reference.md section 10),
checked against every rule REDCap's importers state for them (the data dictionary's, the
events', the instrument-event mapping's, the repeating instruments' and the records')."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

FIELD_TYPES = {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse", "calc",
               "file", "slider", "descriptive", "sql"}  # fmt: skip
WITH_CHOICES = {"dropdown", "radio", "checkbox"}
VALIDATIONS = {"integer", "number", "date_ymd", "date_mdy", "date_dmy", "datetime_ymd",
               "email", "phone", "time", "zipcode", "alpha_only", ""}  # fmt: skip
NUMERIC = {"integer", "number"}
DICTIONARY = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
    "Field Annotation",
)  # fmt: skip
NAME = re.compile(r"[a-z][a-z0-9_]*")
REDCAP_RESERVED = {"redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
                   "redcap_data_access_group", "redcap_survey_identifier", "event_id",
                   "record", "arm", "instance", "event_name"}  # fmt: skip
FILES = ("data_dictionary.csv", "events.csv", "instrument_event_mapping.csv",
         "repeating_instruments.csv", "records.csv")  # fmt: skip


def read(folder: Path, name: str) -> tuple[list[str], list[dict]]:
    with open(folder / name, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def choices(text: str) -> dict[str, str]:
    found = {}
    for part in text.split(" | "):
        code, sep, label = part.partition(", ")
        assert sep and label.strip(), f"choice {part!r} is not 'code, Label'"
        assert re.fullmatch(r"[0-9A-Za-z_]+", code), f"choice code {code!r}"
        assert code not in found, f"choice code {code} twice"
        found[code] = label
    return found


def unique_event_name(event_name: str, arm: str) -> str:
    """REDCap's own: lower case, spaces to underscores, anything else left out."""
    base = re.sub(r"[^a-z0-9_]", "", event_name.lower().replace(" ", "_").replace("-", "_"))
    return f"{base}_arm_{arm}"


def check_project(folder: Path) -> dict:
    """Every rule the importers state; returns what was read, for the content's checks."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    for name in FILES:
        assert oct((folder / name).stat().st_mode & 0o777) == "0o600", name
    header, fields = read(folder, "data_dictionary.csv")
    assert tuple(header) == DICTIONARY and len(header) == 18
    assert fields[0]["Variable / Field Name"] == "record_id"
    assert fields[0]["Field Type"] == "text"
    names = [f["Variable / Field Name"] for f in fields]
    assert len(names) == len(set(names)), "a field name twice"
    forms: list[str] = []
    by_name = {}
    for f in fields:
        name, form, kind = f["Variable / Field Name"], f["Form Name"], f["Field Type"]
        assert NAME.fullmatch(name) and not name.endswith("_") and "___" not in name, name
        assert len(name) <= 26 and name not in REDCAP_RESERVED, name
        assert NAME.fullmatch(form) and len(form) <= 50, form
        if not forms or forms[-1] != form:
            assert form not in forms, f"the fields of {form} are not together"
            forms.append(form)
        assert kind in FIELD_TYPES, kind
        assert f["Field Label"].strip(), name
        listed = f["Choices, Calculations, OR Slider Labels"]
        if kind in WITH_CHOICES:
            f["codes"] = choices(listed)
        else:
            assert listed == "", name
        validation = f["Text Validation Type OR Show Slider Number"]
        assert validation in VALIDATIONS and (validation == "" or kind == "text"), name
        low, high = f["Text Validation Min"], f["Text Validation Max"]
        if low or high:
            assert validation in NUMERIC, name
            if low and high:
                assert float(low) <= float(high), name
        assert f["Identifier?"] in ("", "y") and f["Required Field?"] in ("", "y")
        assert f["Custom Alignment"] in ("", "LV", "LH", "RV", "RH")
        assert f["Matrix Ranking?"] in ("", "y")
        by_name[name] = f
    assert fields[0]["Form Name"] == forms[0]
    header, events = read(folder, "events.csv")
    assert header == ["event_name", "arm_num", "day_offset", "offset_min", "offset_max",
                      "unique_event_name"]  # fmt: skip
    unique = [e["unique_event_name"] for e in events]
    assert len(unique) == len(set(unique))
    for e in events:
        assert e["unique_event_name"] == unique_event_name(e["event_name"], e["arm_num"])
        assert e["arm_num"] == "1"
        assert all(int(e[k]) >= 0 for k in ("day_offset", "offset_min", "offset_max"))
    header, mapping = read(folder, "instrument_event_mapping.csv")
    assert header == ["arm_num", "unique_event_name", "form"]
    pairs = [(m["unique_event_name"], m["form"]) for m in mapping]
    assert len(pairs) == len(set(pairs))
    assert {e for e, _ in pairs} <= set(unique) and {f for _, f in pairs} == set(forms)
    header, repeating = read(folder, "repeating_instruments.csv")
    assert header == ["event_name", "form_name", "custom_form_label"]
    repeats = {(r["event_name"], r["form_name"]) for r in repeating}
    assert repeats <= set(pairs)  # a repeating instrument is mapped to its event
    header, records = read(folder, "records.csv")
    assert header[:4] == ["record_id", "redcap_event_name", "redcap_repeat_instrument",
                          "redcap_repeat_instance"]  # fmt: skip
    form_of = {}
    for column in header[4:]:
        base, sep, code = column.partition("___")
        if sep:
            assert by_name[base]["Field Type"] == "checkbox" and code in by_name[base]["codes"]
            form_of[column] = by_name[base]["Form Name"]
        elif column.endswith("_complete") and column[: -len("_complete")] in forms:
            form_of[column] = column[: -len("_complete")]
        else:
            assert column in by_name and by_name[column]["Field Type"] != "checkbox", column
            form_of[column] = by_name[column]["Form Name"]
    expected = {c for f in fields[1:] for c in (
        [f"{f['Variable / Field Name']}___{k}" for k in f["codes"]]
        if f["Field Type"] == "checkbox" else [f["Variable / Field Name"]])}  # fmt: skip
    assert expected | {f"{f}_complete" for f in forms} == set(header[4:])
    seen = set()
    for row in records:
        event, instrument, instance = (row["redcap_event_name"], row["redcap_repeat_instrument"],
                                       row["redcap_repeat_instance"])  # fmt: skip
        assert event in unique
        key = (row["record_id"], event, instrument, instance)
        assert key not in seen, key
        seen.add(key)
        if instrument:
            assert (event, instrument) in repeats and int(instance) >= 1
        else:
            assert instance == ""
        for column, value in row.items():
            if column in header[:4] or value == "":
                continue
            form = form_of[column]
            assert (event, form) in pairs, f"{column} filled in {event}, where {form} is not"
            if instrument:
                assert form == instrument, f"{column} in a row of {instrument}"
            if column.endswith("_complete"):
                assert value in ("0", "1", "2")
                continue
            if "___" in column:
                assert value in ("0", "1")
                continue
            f = by_name[column]
            if f["Field Type"] in WITH_CHOICES:
                assert value in f["codes"], (column, value)
            validation = f["Text Validation Type OR Show Slider Number"]
            if validation in NUMERIC:
                number = int(value) if validation == "integer" else float(value)
                low, high = f["Text Validation Min"], f["Text Validation Max"]
                assert not low or number >= float(low), (column, value)
                assert not high or number <= float(high), (column, value)
    text = "".join((folder / n).read_text() for n in FILES)
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", text), "a date in a de-identified file"
    return {"fields": by_name, "events": events, "records": records, "forms": forms}


WOMAC = ",".join(["1"] * 24)  # every item 1: pain 5, stiffness 2, function 17, womac 24


def test_a_course_goes_to_redcap_as_a_record_by_its_events(worked, tmp_path):
    worked.ok("course", "rehab", "1", "exercise", "--from", "2026-01-05")
    worked.today = date(2026, 6, 10)
    worked.ok("score", "add", "1", "--form", "womac", "--answers", WOMAC, "--date", "2026-06-01")
    folder = tmp_path / "project"
    result = worked.ok("export", "redcap", "-o", str(folder))
    assert "Exported a REDCap project" in result.stderr
    project = check_project(folder)
    records = project["records"]
    assert {r["record_id"] for r in records} == {records[0]["record_id"]}
    assert re.fullmatch(r"C-[0-9a-f]{12}", records[0]["record_id"])
    baseline = next(r for r in records if r["redcap_event_name"] == "baseline_arm_1")
    assert (baseline["icd10"], baseline["o_womac"], baseline["outcome_day"]) == ("", "52", "0")
    assert baseline["sessions_done"] == "3" and baseline["rehabilitation___1"] == "1"
    assert baseline["age"] == "75" and baseline["sex"] == "1" and baseline["start_year"] == "2026"
    sessions = [r for r in records if r["redcap_repeat_instrument"] == "session"]
    assert [(r["redcap_repeat_instance"], r["session_day"]) for r in sessions] == [
        ("1", "0"), ("2", "28"), ("3", "56")]  # fmt: skip
    assert sessions[0]["volume_ml"] == "7" and sessions[0]["sites"] == "3"
    treated = [r for r in records if r["redcap_repeat_instrument"] == "outcomes"]
    assert [(r["outcome_day"], r["o_womac"]) for r in treated] == [("28", "44"), ("56", "40")]
    three = next(r for r in records if r["redcap_event_name"] == "follow_up_3m_arm_1")
    assert three["o_womac"] == "24" and three["womac_a1"] == "1" and three["womac_day"] == "147"
    assert three["womac_complete"] == "2" and three["outcomes_complete"] == "2"
    for name in ("Ada", "Lovelace", "P-0001", "knee osteoarthritis"):
        assert name not in "".join((folder / n).read_text() for n in FILES)


@pytest.mark.sqlite_only
def test_the_demo_clinic_makes_a_project_redcap_takes(installed, tmp_path):
    installed.ok("demo", "--file", str(installed.path))
    folder = tmp_path / "project"
    installed.ok("export", "redcap", "-o", str(folder))
    project = check_project(folder)
    assert len({r["record_id"] for r in project["records"]}) == 14  # a record a course
    assert {e["unique_event_name"] for e in project["events"]} >= {
        "baseline_arm_1",
        "treatment_arm_1",
        "follow_up_3m_arm_1",
        "follow_up_12m_arm_1",
    }


def test_export_redcap_refuses_what_it_cannot_do_and_writes_nothing(worked, tmp_path):
    worked.refused("export", "redcap", says="-o DIR")
    worked.refused("export", "redcap", "-o", str(tmp_path / "p"), "--patient", "P-0001",
                   says="-o DIR")  # fmt: skip
    (tmp_path / "file").write_text("x")
    worked.refused("export", "redcap", "-o", str(tmp_path / "file"), says="is a file")
    folder = tmp_path / "p"
    worked.ok("export", "redcap", "-o", str(folder))
    before = (folder / "records.csv").read_text()
    worked.refused("export", "redcap", "-o", str(folder), says="give --force")
    worked.ok("export", "redcap", "-o", str(folder), "--force")
    assert (folder / "records.csv").read_text() == before
