"""Each refusal SPEC names: its exit status, its one-line message, and nothing written."""

import pytest

from tests import raw

LOG = ["session", "log", "P-0001", "--site", "MCL:0.5:D15"]


def test_score_out_of_range_names_the_range(worked):
    message = worked.refused("score", "add", "P-0001", "nrs=11", says="out of range")
    assert "0 to 10" in message
    message = worked.refused(
        "session",
        "log",
        "P-0001",
        "--site",
        "MCL:0.5:D15",
        "--score",
        "womac=97",
        says="womac score 97",
    )
    assert "0 to 96" in message


def test_site_without_volume_names_the_site(worked):
    message = worked.refused(
        "session", "log", "P-0001", "--site", "pes anserine::D15", says="has no volume"
    )
    assert "'pes anserine'" in message


def test_site_without_solution_names_the_site(worked):
    worked.refused("session", "log", "P-0001", "--site", "MCL:0.5", says="'MCL' has no solution")


def test_volume_out_of_range(worked):
    worked.refused(*LOG[:3], "--site", "MCL:51:D15", says="at most 50 mL")
    worked.refused(*LOG[:3], "--site", "MCL:0:D15", says="more than 0")


def test_ambiguous_date_is_refused_with_the_way_out(worked):
    message = worked.refused(*LOG, "--date", "02/03/2026", says="ambiguous date")
    assert "date-order" in message
    assert "YYYY-MM-DD" in message


def test_unambiguous_numeric_date_is_read(worked):
    worked.ok(*LOG, "--date", "13/03/2026")
    assert worked.json("session", "list")[-1]["date"] == "2026-03-13"


def test_date_after_today_is_refused(worked):
    worked.refused(*LOG, "--date", "tomorrow", says="after today")
    worked.refused("score", "add", "P-0001", "nrs=3", "--date", "2026-03-21", says="after today")
    worked.refused("adverse", "add", "1", "flare", "--onset", "+1d", says="after today")


def test_unknown_patient(worked):
    worked.refused("patient", "show", "Babbage", says="no patient matches 'Babbage'")
    worked.refused(*LOG[:2], "Nobody", "--site", "MCL:0.5:D15", says="no course or patient")


def test_ambiguous_patient_lists_the_matches(worked):
    worked.ok("patient", "add", "Ada Byron", "--chart", "P-0002")
    message = worked.refused("patient", "show", "ada", says="matches 2 patients")
    assert "Ada Lovelace (P-0001)" in message and "Ada Byron (P-0002)" in message


def test_closed_course_takes_no_new_session(worked):
    worked.ok("course", "close", "1", "--status", "completed", "--date", "2026-03-10")
    worked.refused("session", "log", "1", "--site", "MCL:0.5:D15", says="takes no new session")


def test_two_sessions_on_one_day_of_a_course_are_refused(worked):
    worked.refused(*LOG, "--date", "2026-02-02", says="already has session 2 on 2026-02-02")


def test_unknown_instrument_lists_the_known(worked):
    message = worked.refused("score", "add", "1", "pain=3", says="unknown instrument 'pain'")
    assert "womac" in message


def test_a_bad_part_leaves_nothing_written(worked):
    """One transaction: a session whose adverse event is invalid records no site either."""
    worked.refused(*LOG, "--adverse", "headache", says="adverse event kind")
    worked.refused(*LOG, "--pain", "4", "--score", "nrs=5", says="scored twice")
    assert len(worked.json("session", "list")) == 3


def test_duplicate_chart_number(worked):
    worked.refused("patient", "add", "Someone Else", "--chart", "p-0001", says="already belongs")


def test_a_control_character_in_a_text_is_refused(worked):
    """An escape sequence in a name would drive the terminal of whoever lists it later."""
    worked.refused("patient", "add", "Ann\x1b[2JLee", says="name 'Ann\\x1b[2JLee' holds a control")
    worked.refused(*LOG, "--site", "MC\x07L:0.5:D15", says="site 'MC\\x07L' holds a control")
    worked.refused(*LOG, "--solution", "D15\x1b", says="solution")
    worked.refused(*LOG, "--note", "ok\x00", says="note")
    worked.refused("course", "start", "P-0001", "--condition", "knee\x1b", says="condition")
    worked.refused("patient", "add", "Ann Lee", "--chart", "A\x1b7", says="chart number 'A\\x1b7'")
    worked.refused(
        "instruments", "set", "womac", "--mcid", "25", "--source", "audit\x1b", says="source"
    )
    worked.refused(
        "protocol",
        "add",
        "mine",
        "--site",
        "MCL:1:D15",
        "--condition",
        "knee\x07",
        says="condition",
    )
    worked.refused("protocol", "add", "mine", "--site", "MCL:1:D15", "--note", "x\x9b", says="note")
    worked.ok(*LOG, "--note", "two\nlines\tand a tab", "--date", "2026-03-10")


def test_bad_choices_name_what_is_accepted(worked):
    worked.refused(*LOG, "--guidance", "xray", says="landmark, ultrasound, fluoroscopy")
    worked.refused("patient", "add", "X Y", "--sex", "Q", says="F, M, X")
    worked.refused(
        "course",
        "start",
        "P-0001",
        "--condition",
        "c",
        "--icd10",
        "17.11",
        says="ICD-10 code '17.11'",
    )
    worked.refused(
        "course", "start", "P-0001", "--condition", "c", "--every", "0w", says="out of range"
    )


@pytest.mark.sqlite_only
def test_not_a_database_is_exit_3_and_left_untouched(clinic):
    clinic.path.write_text("name,chart\nAda,P-1\n")
    before = clinic.path.read_bytes()
    clinic.refused("patient", "list", status=3, says="not an SQLite database")
    clinic.refused("patient", "add", "Ada", status=3, says="not an SQLite database")
    assert clinic.path.read_bytes() == before


@pytest.mark.sqlite_only
def test_empty_file_is_refused_not_initialised(clinic):
    clinic.path.write_bytes(b"")
    clinic.refused("patient", "add", "Ada", status=3, says="is empty")
    assert clinic.path.read_bytes() == b""


@pytest.mark.sqlite_only
def test_another_programs_database_is_not_changed(clinic):
    with raw.connect(clinic.path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    clinic.refused("patient", "add", "Ada", status=3, says="not a prolotrack one")


@pytest.mark.sqlite_only
def test_newer_schema_is_refused(worked):
    with raw.connect(worked.path) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('prolotrack', '9999_future', '2030-01-01')"
        )
    worked.refused("patient", "list", status=3, says="newer version of prolotrack")


@pytest.mark.sqlite_only
def test_read_command_on_missing_file_creates_nothing(clinic):
    for command in (["patient", "list"], ["session", "list"], ["course", "show", "1"]):
        clinic.refused(*command, says="no database at")
    assert not clinic.exists()
    assert not clinic.path.parent.joinpath("clinic.db-wal").exists()


def test_usage_error_is_exit_2(clinic):
    result = clinic.run("course", "close", "1")  # --status missing
    assert result.exit_code == 2
    assert "--status" in result.stderr


def test_dextrose_stronger_than_50_percent_is_refused(worked):
    """SPEC, second edition: no stock solution is stronger than D50."""
    worked.refused("log", "P-0001", "--site", "iliolumbar:1:D75", says="dextrose 75%")
    worked.refused(
        "log", "P-0001", "--site", "MCL:1", "--solution", "dextrose 150%", says="at most 50%"
    )
    worked.refused(
        "log", "P-0001", "--site", "MCL:1:glucose 60% + lidocaine 1%", says="dextrose 60%"
    )
    worked.ok(
        "log",
        "P-0001",
        "--date",
        "2026-03-10",
        "--site",
        "MCL:1:D50",
        "--site",
        "LCL:1:dextrose 12.5% + lidocaine 0.2%",
    )
    shown = worked.json("session", "show", "P-0001#4")
    assert [i["solution"] for i in shown["injections"]] == [
        "dextrose 50%",
        "dextrose 12.5% + lidocaine 0.2%",
    ]


def test_a_second_score_of_one_instrument_on_one_day_is_refused(worked):
    worked.refused(
        "score",
        "add",
        "1",
        "womac=30",
        "--date",
        "2026-03-02",
        says="already has a womac score on 2026-03-02",
    )
    worked.refused(
        "log", "P-0001", "--date", "2026-03-02", "--site", "MCL:1:D15", says="session"
    )  # a second session that day is refused first
    worked.ok("score", "add", "1", "womac=30", "--date", "2026-03-03")


def test_a_serious_adverse_event_needs_its_severity(worked):
    worked.refused("adverse", "add", "1", "pneumothorax", says="pneumothorax needs its severity")
    worked.refused(
        "log",
        "P-0001",
        "--date",
        "2026-03-10",
        "--site",
        "MCL:1:D15",
        "--adverse",
        "infection",
        says="infection needs its severity",
    )
    worked.ok("adverse", "add", "1", "pneumothorax", "--severity", "severe")
    worked.ok("adverse", "add", "1", "flare")  # a flare is mild unless said otherwise
    events = worked.json("session", "show", "1")["adverse_events"]
    assert [(e["kind"], e["severity"]) for e in events] == [
        ("pneumothorax", "severe"),
        ("flare", "mild"),
    ]


def test_amending_a_session_to_after_its_adverse_events_onset_is_refused(worked):
    worked.ok("adverse", "add", "1#2", "bruising", "--onset", "2026-02-03")
    worked.refused(
        "session",
        "amend",
        "1#2",
        "--reason",
        "wrong day",
        "--date",
        "2026-02-05",
        says="began on 2026-02-03, before 2026-02-05",
    )
    worked.ok("session", "amend", "1#2", "--reason", "wrong day", "--date", "2026-02-01")


def test_whole_point_instruments_refuse_fractions(worked):
    worked.refused("score", "add", "1", "nrs=7.5", says="nrs is scored in whole points")
    worked.refused("score", "add", "1", "rmdq=12.25", says="rmdq is scored in whole points")
    worked.refused("log", "P-0001", "--site", "MCL:0.5:D15", "--pain", "4.5", says="whole points")
    worked.ok("score", "add", "1", "koos-pain=40.5", "nrs=7")  # KOOS is a transformed score


def test_guidance_may_be_ct(worked):
    worked.ok("session", "amend", "1", "--guidance", "ct", "--reason", "was CT guided")
    assert worked.json("session", "show", "1")["guidance"] == "ct"
    worked.refused(
        "session",
        "amend",
        "1",
        "--guidance",
        "xray",
        "--reason",
        "x",
        says="landmark, ultrasound, fluoroscopy, ct",
    )


def test_a_serious_adverse_event_of_any_kind_needs_its_severity(worked):
    worked.refused(
        "adverse",
        "add",
        "1",
        "bruising",
        "--serious",
        says="bruising needs its severity (marked serious)",
    )
    worked.ok("adverse", "add", "1", "bruising", "--serious", "--severity", "moderate")
    [event] = worked.json("adverse", "list")
    assert (event["kind"], event["severity"], event["serious"]) == ("bruising", "moderate", True)
