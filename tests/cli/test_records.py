"""Recording and changing patients, courses, sessions, scores and adverse events."""

LOG = ["session", "log", "P-0001", "--site", "MCL:0.5:D15"]


def test_patient_add_prompts_for_the_name_when_left_out(clinic):
    result = clinic.ok("patient", "add", "--chart", "P-9", input="Grace Hopper\n")
    assert "Added patient 1: Grace Hopper (P-9)" in result.stderr
    assert clinic.json("patient", "show", "P-9")["name"] == "Grace Hopper"


def test_patient_found_by_id_chart_or_part_of_name(worked):
    for ref in ("1", "P-0001", "p-0001", "lovelace", "Ada"):
        assert worked.json("patient", "show", ref)["chart"] == "P-0001"


def test_patient_edit_and_archive(worked):
    worked.ok("patient", "edit", "P-0001", "--phone", "555-0100", "--name", "Ada King")
    shown = worked.json("patient", "show", "P-0001")
    assert (shown["name"], shown["phone"]) == ("Ada King", "555-0100")
    worked.refused("patient", "archive", "P-0001", says="active course")
    worked.ok("course", "close", "1", "--status", "completed")
    worked.ok("patient", "archive", "P-0001")
    assert worked.json("patient", "list") == []
    assert [p["chart"] for p in worked.json("patient", "list", "--all")] == ["P-0001"]
    assert worked.json("patient", "show", "King")["archived"] is True


def test_patient_list_search_and_columns(worked):
    worked.ok("patient", "add", "Grace Hopper", "--chart", "P-0002")
    rows = worked.json("patient", "list", "--search", "hop")
    assert [r["name"] for r in rows] == ["Grace Hopper"]
    ada = worked.json("patient", "list", "--search", "P-0001")[0]
    assert (ada["active_courses"], ada["last_session"], ada["born"]) == (
        1,
        "2026-03-02",
        "1950-05-01",
    )


def test_course_defaults_and_icd10_shape(worked):
    worked.ok("patient", "add", "Grace Hopper", "--chart", "P-0002")
    worked.ok("course", "start", "P-0002", "--condition", "low back pain", "--icd10", "m5450")
    course = worked.json("course", "show", "P-0002")
    assert (course["measure"], course["interval"], course["icd10"]) == ("nrs", "4w", "M54.50")
    assert course["started_on"] == "2026-03-20"
    assert course["planned_sessions"] is None


def test_course_reference_needs_one_active_course(worked):
    worked.ok("course", "start", "P-0001", "--condition", "left shoulder", "--date", "2026-03-01")
    worked.refused(*LOG, says="2 active courses")
    worked.ok("session", "log", "2", "--site", "supraspinatus insertion:1:D15")
    assert worked.json("course", "list", "--patient", "P-0001", "--status", "active")[0]["id"] == 2


def test_close_refuses_a_date_before_the_last_session(worked):
    worked.refused(
        "course",
        "close",
        "1",
        "--status",
        "completed",
        "--date",
        "2026-02-01",
        says="before the course's last session",
    )
    worked.refused("course", "close", "1", "--status", "paused", says="completed, discontinued")
    worked.ok("course", "close", "1", "--status", "discontinued", "--reason", "moved away")
    shown = worked.json("course", "show", "1")
    assert (shown["status"], shown["closed_on"], shown["close_reason"]) == (
        "discontinued",
        "2026-03-20",
        "moved away",
    )


def test_back_dated_session_renumbers_the_later_ones(worked):
    worked.ok(*LOG, "--date", "2026-01-20")
    numbered = [(s["date"], s["number"]) for s in worked.json("session", "list")]
    assert numbered == [
        ("2026-01-05", 1),
        ("2026-01-20", 2),
        ("2026-02-02", 3),
        ("2026-03-02", 4),
    ]


def test_defaults_chain_for_sites(worked):
    worked.ok("config", "set", "default-solution", "D12.5")
    worked.ok(
        "session",
        "log",
        "P-0001",
        "--date",
        "2026-03-10",
        "--volume",
        "1",
        "--site",
        "MCL",
        "--site",
        "LCL:2",
        "--site",
        "ITB:::left",
        "--site",
        "popliteus::saline",
    )
    session = worked.json("session", "list")[-1]
    sites = worked.json("session", "show", str(session["id"]))["injections"]
    assert [(s["site"], s["volume_ml"], s["solution"], s["side"]) for s in sites] == [
        ("MCL", 1, "dextrose 12.5%", "right"),
        ("LCL", 2, "dextrose 12.5%", "right"),
        ("ITB", 1, "dextrose 12.5%", "left"),
        ("popliteus", 1, "saline", "right"),
    ]


def test_session_options_are_recorded(worked):
    worked.ok("config", "set", "practitioner", "Dr. K. Reeves")
    worked.ok(
        *LOG,
        "--date",
        "yesterday",
        "--guidance",
        "Ultrasound",
        "--anesthetic",
        "lidocaine 1%",
        "--note",
        "tolerated well",
        "--adverse",
        "flare:moderate",
        "--adverse",
        "bruising",
    )
    shown = worked.json("session", "show", "4")
    assert (shown["date"], shown["practitioner"], shown["guidance"]) == (
        "2026-03-19",
        "Dr. K. Reeves",
        "ultrasound",
    )
    assert shown["injections"][0]["guidance"] == "ultrasound"
    assert [(e["kind"], e["severity"], e["onset"]) for e in shown["adverse_events"]] == [
        ("flare", "moderate", "2026-03-19"),
        ("bruising", "mild", "2026-03-19"),
    ]
    worked.ok("log", "P-0001", "--site", "MCL:0.5:D15", "--by", "Dr. Rabago")
    assert worked.json("session", "show", "5")["practitioner"] == "Dr. Rabago"


def test_adverse_event_resolve(worked):
    worked.ok("adverse", "add", "2", "flare", "--severity", "moderate", "--onset", "2026-02-03")
    worked.refused("adverse", "resolve", "1", "--date", "2026-02-02", says="before the onset")
    worked.ok("adverse", "resolve", "1", "--date", "2026-02-06")
    event = worked.json("session", "show", "2")["adverse_events"][0]
    assert (event["onset"], event["resolved_on"]) == ("2026-02-03", "2026-02-06")
    worked.refused("adverse", "resolve", "1", says="already resolved")
    worked.refused("adverse", "add", "2", "flare", "--onset", "2026-02-01", says="before session")


def test_scores_follow_up_after_the_course_closed(worked):
    worked.ok("course", "close", "1", "--status", "completed", "--date", "2026-03-05")
    worked.ok("score", "add", "1", "womac=30", "nrs=2", "--date", "2026-03-19")
    assert [s["value"] for s in worked.json("score", "list", "1", "--instrument", "womac")] == [
        52,
        44,
        40,
        30,
    ]


def test_score_tied_to_a_session_takes_its_date(worked):
    worked.ok("score", "add", "1", "lefs=41.5", "--session", "2")
    score = worked.json("score", "list", "1", "--instrument", "lefs")[0]
    assert (score["date"], score["value"], score["session_id"]) == ("2026-02-02", 41.5, 2)


def test_date_order_setting_reads_numeric_dates(worked):
    worked.ok("config", "set", "date-order", "dmy")
    worked.ok(*LOG, "--date", "03/02/2026")
    worked.ok("config", "set", "date-order", "MDY")
    worked.ok(*LOG, "--date", "03/04/2026")
    dates = [s["date"] for s in worked.json("session", "list")]
    assert "2026-02-03" in dates and "2026-03-04" in dates


def test_config_list_get_set_unset(clinic):
    rows = clinic.json("config", "list")
    assert [r["key"] for r in rows] == [
        "practitioner",
        "date-order",
        "default-solution",
        "default-guidance",
        "week-start",
        "practice-name",
        "aftercare",
        "follow-up",
        "sign-within",
        "form-url",
        "site-id",
    ]
    assert {r["source"] for r in rows} == {"default"}
    assert {r["key"]: r["value"] for r in rows}["week-start"] == "monday"
    assert {r["key"]: r["value"] for r in rows}["follow-up"] == "3m,6m,12m"
    clinic.refused("config", "set", "date-order", "ymd", says="dmy, mdy")
    clinic.refused("config", "set", "colour", "red", says="unknown setting")
    clinic.ok("config", "set", "default-solution", "d15")
    assert clinic.ok("config", "get", "default-solution").stdout == "dextrose 15%\n"
    clinic.ok("config", "unset", "default-solution")
    clinic.refused("config", "get", "default-solution", says="not set")


def test_instruments_list_and_show(clinic):
    codes = [i["code"] for i in clinic.json("instruments", "list")]
    assert codes[:3] == ["nrs", "vas", "womac"] and len(codes) == 28
    assert codes[-7:-5] == ["pgic", "sane"]  # the global impressions of the second edition
    assert codes[-5:] == [
        "womac-pain",
        "womac-stiffness",
        "womac-function",
        "promis-gph",
        "promis-gmh",
    ]
    spadi = clinic.json("instruments", "show", "spadi")
    assert spadi["mcid"] == "n/a" and spadi["mcid_value"] is None
    assert "Binkley 1999" in clinic.json("instruments", "show", "LEFS")["source"]
    assert not clinic.exists()  # the catalogue is shown without creating a file
    clinic.refused("instruments", "show", "koos", says="unknown instrument")


def test_the_practice_changes_an_mcid_and_adds_an_instrument(worked):
    worked.ok("instruments", "set", "womac", "--mcid", "25", "--source", "local audit 2025")
    shown = worked.json("instruments", "show", "womac")
    assert (shown["mcid"], shown["source"], shown["builtin"]) == ("25%", "local audit 2025", True)
    [course] = worked.json("progress", "P-0001")["courses"]
    womac = next(o for o in course["outcomes"] if o["instrument"] == "womac")
    assert (womac["mcid"], womac["mcid_reached"]) == (13, False)  # 25 % of 52; improvement 12
    worked.ok("instruments", "set", "womac", "--mcid", "6", "--points")
    assert worked.json("instruments", "show", "womac")["source"].startswith(
        "set by the practice on 2026-03-20 (before: 25%"
    )
    worked.refused("instruments", "set", "nrs", "--mcid", "20", says="larger than the scale")
    worked.refused("instruments", "set", "nrs", "--mcid", "-1", says="more than 0")
    worked.ok(
        "instruments",
        "add",
        "womac-100",
        "--name",
        "WOMAC normalised 0-100",
        "--min",
        "0",
        "--max",
        "100",
        "--better",
        "lower",
        "--mcid",
        "12",
        "--percent",
    )
    worked.ok("score", "add", "1", "womac-100=40")
    assert worked.json("instruments", "show", "womac-100")["builtin"] is False
    worked.refused(
        "instruments",
        "add",
        "womac",
        "--name",
        "x",
        "--min",
        "0",
        "--max",
        "1",
        "--better",
        "lower",
        says="exists",
    )
    worked.refused(
        "instruments",
        "add",
        "new",
        "--name",
        "x",
        "--min",
        "5",
        "--max",
        "1",
        "--better",
        "lower",
        says="maximum must be above",
    )
    changes = [
        c
        for c in worked.json("audit", "--entity", "instrument")
        if c["practitioner"] != "prolotrack (schema migration)"
    ]
    assert [(c["entity_id"], c["action"]) for c in changes] == [
        ("womac-100", "insert"),
        ("womac", "update"),
        ("womac", "update"),
    ]
