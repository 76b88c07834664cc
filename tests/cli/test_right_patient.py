"""No command reaches the wrong patient (SPEC, third edition, first section), through the
installed command: a chart made of digits is a chart, a bare number that is also another
patient's chart is refused naming both, a number never matches part of a name, and every
write's confirmation names the patient it wrote for."""

import pytest


@pytest.fixture
def six_courses(clinic):
    """Six patients with a course each (courses 1-6), then Ola Six, chart 006, with course 7."""
    for n in range(1, 7):
        clinic.ok("patient", "add", f"Name{n}{n}", "--chart", f"C{n}")
        clinic.ok(
            "course",
            "start",
            f"C{n}",
            "--condition",
            f"knee {n}",
            "--sessions",
            "3",
            "--date",
            "2026-01-05",
        )
    clinic.ok("patient", "add", "Ola Six", "--chart", "006")
    clinic.ok(
        "course",
        "start",
        "Ola Six",
        "--condition",
        "lateral elbow",
        "--sessions",
        "3",
        "--date",
        "2026-01-05",
    )
    return clinic


def test_a_chart_of_digits_with_a_leading_zero_is_that_patients_chart(six_courses, installed):
    logged = installed.ok("log", "006", "--site", "MCL:1:D15", "--pain", "5")
    assert "course 7 (lateral elbow) of Ola Six (006)" in logged.stderr
    assert [s["course_id"] for s in six_courses.json("session", "list")] == [7]
    [block] = six_courses.json("progress", "006")["courses"]
    assert block["course"]["patient"]["chart"] == "006"
    six_courses.ok("score", "add", "006", "nrs=4", "--date", "2026-03-19")
    assert [s["value"] for s in six_courses.json("score", "list", "course:7")] == [4, 5]  # by date
    assert six_courses.json("score", "list", "course:6") == []


def test_a_number_that_is_a_course_and_another_patients_chart_is_refused(six_courses, installed):
    six_courses.ok("patient", "add", "Seven Seas", "--chart", "7")
    six_courses.ok("course", "start", "chart:7", "--condition", "achilles", "--date", "2026-01-05")
    for command in (
        ("log", "7", "--site", "MCL:1:D15"),
        ("progress", "7"),
        ("score", "add", "7", "nrs=3"),
        ("course", "show", "7"),
    ):
        run = installed if command[0] == "log" else six_courses
        message = run.refused(*command, says="'7' is both course 7")
        assert "Ola Six (006)" in message and "Seven Seas (7)" in message
        assert "course:7" in message and "chart:7" in message
    installed.ok("log", "course:7", "--site", "MCL:1:D15")
    six_courses.ok("log", "chart:7", "--site", "MCL:1:D15")
    by_course = {s["course_id"] for s in six_courses.json("session", "list")}
    assert by_course == {7, 8}


def test_a_patient_id_that_is_another_patients_chart_is_refused(clinic, installed):
    clinic.ok("patient", "add", "Ann First")
    clinic.ok("patient", "add", "Bob Second", "--chart", "1")
    message = installed.refused("patient", "show", "1", says="'1' is both the id of Ann First")
    assert "the chart of Bob Second (1)" in message and "patient:1" in message
    assert installed.json("patient", "show", "patient:1")["name"] == "Ann First"
    assert installed.json("patient", "show", "chart:1")["name"] == "Bob Second"


def test_a_number_never_matches_part_of_a_name(clinic, installed):
    clinic.ok("patient", "add", "Name30")
    installed.refused("patient", "edit", "0", "--phone", "1", says="no patient matches '0'")
    installed.refused("patient", "show", "30", says="no patient matches '30'")
    assert installed.json("patient", "show", "Name3")["phone"] is None


def test_a_session_can_be_named_through_the_course_or_the_chart(six_courses, installed):
    six_courses.ok("log", "006", "--site", "MCL:1:D15", "--date", "2026-01-05")
    assert installed.json("session", "show", "course:7#1")["course_id"] == 7
    assert installed.json("session", "show", "chart:006#1")["course_id"] == 7
    assert installed.json("session", "show", "006#1")["course_id"] == 7
    installed.refused("session", "show", "01", says="is not a session id")


def test_every_write_names_the_patient_it_wrote_for(six_courses, installed):
    who = "Ola Six (006)"  # the first through the installed command, the rest in-process
    said = [
        installed.ok("course", "consent", "006", "--date", "2026-01-05"),
        six_courses.ok("log", "006", "--site", "MCL:1:D15", "--date", "2026-01-05", "--pain", "6"),
        six_courses.ok("score", "add", "006", "nrs=5", "--date", "2026-01-06"),
        six_courses.ok("score", "void", "2", "--reason", "typed twice"),
        six_courses.ok("adverse", "add", "006#1", "flare"),
        six_courses.ok("adverse", "resolve", "1"),
        six_courses.ok("session", "amend", "006#1", "--note", "ok", "--reason", "note"),
        six_courses.ok("course", "rehab", "006", "exercise"),
        six_courses.ok("course", "edit", "006", "--sessions", "4", "--reason", "one more"),
        six_courses.ok("course", "close", "006", "--status", "completed"),
        six_courses.ok("course", "reopen", "7", "--reason", "closed too soon"),
    ]
    for result in said:
        assert who in result.stderr, result.stderr


def test_a_session_past_the_planned_number_warns(six_courses, installed):
    for day in ("2026-01-05", "2026-02-02", "2026-03-02"):
        quiet = six_courses.ok("log", "006", "--site", "MCL:1:D15", "--date", day)
        assert "planned" not in quiet.stderr
    fourth = installed.ok("log", "006", "--site", "MCL:1:D15", "--date", "2026-03-16")
    assert (
        "warning: this is session 4 of course 7 (lateral elbow) of Ola Six (006), which"
        " planned 3" in fourth.stderr
    )
