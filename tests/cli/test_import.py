"""Import of past sessions: the round trip, all or nothing, every problem with its line."""

import csv

import pytest

from tests.conftest import Clinic


@pytest.fixture
def exported(worked, tmp_path):
    path = tmp_path / "injections.csv"
    worked.ok("export", "injections", "-o", str(path))
    return path


def test_round_trip_into_an_empty_file_and_a_second_import_changes_nothing(exported, tmp_path):
    fresh = Clinic(tmp_path / "fresh.db")
    result = fresh.ok("import", str(exported))
    assert "1 new patient, 1 new course, 3 new sessions (9 injection sites, 6 scores)" in (
        result.stderr
    )
    again = fresh.ok("export", "injections").stdout
    assert again == exported.read_text()
    before = fresh.json("session", "list")
    second = fresh.ok("import", str(exported))
    assert "0 new sessions" in second.stderr and "3 sessions already present" in second.stderr
    assert fresh.json("session", "list") == before
    assert fresh.ok("export", "injections").stdout == again


def test_progress_survives_the_round_trip(worked, exported, tmp_path):
    fresh = Clinic(tmp_path / "fresh.db")
    fresh.ok("import", str(exported))
    mine = worked.json("progress", "P-0001")["courses"][0]["outcomes"]
    theirs = fresh.json("progress", "P-0001")["courses"][0]["outcomes"]
    assert mine == theirs


def test_a_bad_value_on_line_3_is_refused_with_its_line_and_nothing_written(exported, tmp_path):
    lines = exported.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace(",0.5,", ",half,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(lines))
    fresh = Clinic(tmp_path / "fresh.db")
    result = fresh.run("import", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:3: volume_ml: volume 'half'" in result.stderr
    assert result.stderr.strip().endswith("1 problem; nothing was imported")
    assert not fresh.exists()


def test_every_problem_is_reported_and_nothing_is_written(worked, exported, tmp_path):
    lines = exported.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace("2026-01-05,1,", "05/01/2026,1,", 1)  # ambiguous date
    lines[4] = lines[4].replace(",right,dextrose 25%", ",up,dextrose 25%", 1)
    lines[8] = lines[8].replace(",3,40", ",3,97", 1)  # womac out of range
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(lines))
    worked.ok("patient", "add", "Grace Hopper", "--chart", "P-0002")
    before = worked.fingerprint()
    result = worked.run("import", str(bad))
    assert result.exit_code == 1
    problems = result.stderr.strip().splitlines()
    assert problems[0].startswith(f"{bad}:2: session_date: ambiguous date")
    assert problems[1].startswith(f"{bad}:5: side: side 'up'")
    assert problems[2].startswith(f"{bad}:9: womac: womac score 97 is out of range")
    assert problems[3] == f"error: {bad}: 3 problems; nothing was imported"
    assert worked.fingerprint() == before


def test_header_problems(tmp_path, clinic):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,condition,started_on,session_date,site,volume,solution\n")
    result = clinic.run("import", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:1: volume: unknown column" in result.stderr
    assert f"{bad}:1: volume_ml: required column is missing" in result.stderr


def test_a_hand_made_spreadsheet_imports_with_defaults(clinic, tmp_path):
    sheet = tmp_path / "old-clinic.csv"
    sheet.write_text(
        "chart,name,condition,started_on,session_date,site,side,volume_ml,solution,nrs\n"
        "A-7,Grace Hopper,left knee OA,2025-06-02,2025-06-02,MCL,left,0.5,D15,8\n"
        "A-7,Grace Hopper,left knee OA,2025-06-02,2025-06-02,intra-articular,left,6,D25,8\n"
        "A-7,Grace Hopper,left knee OA,2025-06-02,2025-07-01,MCL,left,0.5,D15,5\n"
        "A-8,Alan Turing,=tennis elbow,2025-09-01,1 Sep 2025,lateral epicondyle,,0.5,D20,\n"
    )
    clinic.ok("import", str(sheet), "--dry-run")
    assert not clinic.exists()
    said = clinic.ok("import", str(sheet)).stderr
    assert "the new sessions arrive unsigned" in said
    assert len(clinic.json("session", "list", "--unsigned")) == 3  # no signature is imported
    sessions = clinic.json("session", "list")
    assert [(s["chart"], s["number"], s["date"], s["sites"]) for s in sessions] == [
        ("A-7", 1, "2025-06-02", 2),
        ("A-7", 2, "2025-07-01", 1),
        ("A-8", 1, "2025-09-01", 1),
    ]
    course = clinic.json("course", "show", "A-7")
    assert (course["measure"], course["interval"]) == ("nrs", "4w")
    assert clinic.json("course", "show", "A-8")["condition"] == "=tennis elbow"


def test_a_chart_that_belongs_to_someone_else(worked, exported):
    worked.ok("patient", "edit", "P-0001", "--name", "Augusta Ada King")
    result = worked.run("import", str(exported))
    assert result.exit_code == 1
    assert "chart 'P-0001' belongs to 'Augusta Ada King', not 'Ada Lovelace'" in result.stderr


def test_rows_of_a_session_must_stand_together(exported, tmp_path, clinic):
    lines = exported.read_text().splitlines(keepends=True)
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("".join([lines[0], lines[1], lines[4], lines[2]]))
    result = clinic.run("import", str(shuffled))
    assert result.exit_code == 1
    assert f"{shuffled}:4: session_date: the rows of one session must stand together" in (
        result.stderr
    )


def test_a_file_that_is_not_utf8_is_refused_with_a_hint(clinic, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        b"chart,name,condition,started_on,session_date,site,volume_ml,solution\n"
        b"A,Jos\xe9,knee,2026-01-01,2026-01-01,MCL,1,D15\n"
    )
    message = clinic.refused("import", str(latin), says="is not UTF-8 text")
    assert "CSV UTF-8" in message


def test_stray_spaces_in_a_spreadsheet_match_what_the_command_line_recorded(clinic, tmp_path):
    """A hand-typed sheet has doubled and trailing spaces, and line breaks typed into a cell;
    names, charts, conditions, regions and sites are read as the command line reads them."""
    clinic.ok("patient", "add", "Grace Hopper", "--chart", "A-7")
    clinic.ok(
        "course",
        "start",
        "A-7",
        "--condition",
        "left knee OA",
        "--region",
        "knee",
        "--date",
        "2025-06-02",
    )
    clinic.ok("log", "A-7", "--date", "2025-06-02", "--site", "MCL:0.5:D15")
    sheet = tmp_path / "old-clinic.csv"
    sheet.write_text(
        "chart,name,condition,region,started_on,session_date,site,volume_ml,solution\n"
        "A-7 ,Grace  Hopper,left knee  OA,knee ,2025-06-02,2025-07-01,MCL ,0.5,D15\n"
        'A-7,Grace Hopper,left knee OA,knee,2025-06-02,2025-07-01,"pes\nanserine",1,D15\n'
        "A-8,Alan  Turing ,tennis elbow,,2025-09-01,2025-09-01,lateral  epicondyle,0.5,D20\n"
    )
    result = clinic.ok("import", str(sheet))
    assert "1 new patient, 1 new course, 2 new sessions" in result.stderr
    sessions = clinic.json("session", "list")
    assert [(s["chart"], s["number"], s["date"]) for s in sessions] == [
        ("A-7", 1, "2025-06-02"),
        ("A-7", 2, "2025-07-01"),
        ("A-8", 1, "2025-09-01"),
    ]
    assert clinic.json("patient", "show", "A-8")["name"] == "Alan Turing"
    exported = csv.DictReader(clinic.ok("export", "injections").stdout.splitlines())
    sites = [(r["session_date"], r["site"]) for r in exported]
    assert sites == [
        ("2025-06-02", "MCL"),
        ("2025-07-01", "MCL"),
        ("2025-07-01", "pes anserine"),
        ("2025-09-01", "lateral epicondyle"),
    ]


def test_a_control_character_in_a_cell_is_a_problem_on_its_line(clinic, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "chart,name,condition,started_on,session_date,site,volume_ml,solution,practitioner\n"
        "A-7,Grace Hopper,knee,2025-06-02,2025-06-02,MCL,0.5,D15,Dr Ng\n"
        "A-8,Alan\x00Turing,knee,2025-06-02,2025-06-02,MCL,0.5,D15,Dr\x1bNg\n"
        "A\x079,Ada Byron,knee,2025-06-02,2025-06-02,MCL,0.5,D15,\n"
    )
    result = clinic.run("import", str(sheet))
    assert result.exit_code == 1
    assert f"{sheet}:3: name: name 'Alan\\x00Turing' holds a control character" in result.stderr
    assert f"{sheet}:3: practitioner: practitioner 'Dr\\x1bNg' holds a control" in result.stderr
    assert f"{sheet}:4: chart: chart 'A\\x079' holds a control character" in result.stderr
    assert not clinic.exists()


def test_a_bad_session_cell_is_reported_on_every_row_that_repeats_it(exported, tmp_path):
    """The reader checks a session's shared cells once while they repeat unchanged, but only
    once they have passed: a wrong one is reported on each row, as it was before."""
    lines = exported.read_text().splitlines(keepends=True)
    for n in (1, 2, 3):  # the three rows of the first session
        lines[n] = lines[n].replace(",2026-01-05,1,,", ",2026-01-05,1,Dr.\x07Rabago,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(lines))
    result = Clinic(tmp_path / "fresh.db").run("import", str(bad))
    assert result.exit_code == 1
    for line in (2, 3, 4):
        assert f"{bad}:{line}: practitioner: " in result.stderr
    assert result.stderr.strip().endswith("3 problems; nothing was imported")


def test_a_new_patient_whose_name_is_on_file_warns_once_naming_three_charts(clinic, tmp_path):
    sheet = tmp_path / "namesakes.csv"
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "chart",
                "name",
                "condition",
                "started_on",
                "session_date",
                "site",
                "volume_ml",
                "solution",
            ]
        )
        for n in range(1, 7):
            writer.writerow(
                [f"C{n}", "Ann Lee", "knee", "2026-01-05", "2026-01-05", "MCL", "1", "D15"]
            )
    result = clinic.ok("import", str(sheet))
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warned) == 5  # the first Ann Lee is nobody's namesake; each later one warns once
    assert warned[0].endswith("but Ann Lee (C1) is already on file")
    assert warned[-1] == (
        "warning: line 7: 'Ann Lee' with chart 'C6' is added as a new patient, but Ann Lee (C1),"
        " Ann Lee (C2), Ann Lee (C3) and 2 more are already on file"
    )
