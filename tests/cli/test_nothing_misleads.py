"""Nothing on screen misleads (SPEC, third edition, first section), through the installed
command: a voided course is in no report, doses are shown with the warnings they were logged
with, an unjudgeable course is not judged, a follow-up not yet due is not missing."""

import pytest

from tests.conftest import WORKED_EXAMPLE


def test_a_voided_course_is_out_of_every_report(worked, installed):
    worked.ok("course", "void", "1", "--reason", "entered on the wrong patient")
    [block] = installed.json("progress", "1")["courses"]
    assert block["course"]["status"] == "voided"
    assert block["course"]["void_reason"] == "entered on the wrong patient"
    assert block["outcomes"] == [] and block["next_due"] is None
    for audience in ("patient", "clinician"):
        worked.refused("report", "course", "1", "--for", audience, says="was voided")
    assert worked.json("report", "outcomes") == []
    assert worked.json("due", "--within", "1y") == []
    assert worked.json("summary", "--date", "2026-03-02")["sessions"] == []
    for table in ("sessions", "injections", "scores", "progress", "courses"):
        assert worked.ok("export", table).stdout.count("\n") == 1, table  # the header only


def test_scarpones_mix_meets_an_amide_allergy_and_counts_its_anaesthetics(clinic, installed):
    clinic.ok("patient", "add", "Ann Elbow", "--chart", "E-1", "--weight", "70")
    clinic.ok("patient", "flag", "E-1", "allergy:amide")
    clinic.ok(
        "course",
        "start",
        "E-1",
        "--condition",
        "lateral epicondylosis",
        "--protocol",
        "lateral-elbow-scarpone",
        "--date",
        "2026-03-20",
    )
    logged = installed.ok("log", "E-1")
    assert "FLAG allergy:amide" in logged.stderr and "bupivacaine, lidocaine" in logged.stderr
    totals = installed.json("session", "show", "1")["totals"]
    assert totals["lidocaine_mg"] == pytest.approx(1.5 * 2.9)  # 0.29 % over 1.5 mL
    assert totals["bupivacaine_mg"] == pytest.approx(1.5 * 0.36)


def test_dose_warnings_are_shown_wherever_the_doses_are(clinic, installed):
    clinic.ok("patient", "add", "Light Weight", "--chart", "W-1", "--weight", "50")
    clinic.ok("course", "start", "W-1", "--condition", "knee", "--date", "2026-03-02")
    clinic.ok(
        "log",
        "W-1",
        "--date",
        "2026-03-02",
        "--site",
        "intra-articular:25:lidocaine 1%",
        "--anesthetic",
        "bupivacaine 0.5%:22",
    )
    said = "lidocaine 250 mg is more than 4.5 mg/kg for 50 kg (225 mg)"
    bupivacaine = "bupivacaine 110 mg is more than 2 mg/kg for 50 kg (100 mg)"
    [session] = installed.json("progress", "W-1")["courses"][0]["sessions"]
    assert said in session["warnings"] and bupivacaine in session["warnings"]
    assert session["totals"]["bupivacaine_mg"] == 110  # the --anesthetic dose counts
    assert said in clinic.ok("progress", "W-1").stdout
    assert said in clinic.ok("session", "show", "1").stdout
    assert said in clinic.ok("summary", "--date", "2026-03-02", "-f", "text").stdout
    assert said in clinic.ok("export", "sessions").stdout
    clinician = clinic.ok("report", "course", "W-1", "--for", "clinician").stdout
    assert said in clinician and bupivacaine in clinician


def test_an_anaesthetic_without_a_weight_says_the_limit_was_not_checked(worked, installed):
    logged = installed.ok("log", "P-0001", "--site", "MCL:2:lidocaine 1%")
    assert (
        "lidocaine 20 mg given with no weight recorded for Ada Lovelace (P-0001): the"
        " 4.5 mg/kg limit could not be checked" in logged.stderr
    )


@pytest.mark.parametrize("solution", ["D150", "D51", "dextrose 60%", "60% glucose", "D0"])
def test_dextrose_above_50_percent_is_refused_however_it_is_written(worked, installed, solution):
    installed.refused("log", "P-0001", "--site", f"MCL:0.5:{solution}", says="dextrose")


def test_a_solution_with_no_known_agent_is_warned(worked, installed):
    logged = installed.ok("log", "P-0001", "--site", "MCL:0.5:water", "--site", "LCL:0.5:X15")
    assert "solution 'water' names no agent prolotrack knows" in logged.stderr
    assert "solution 'X15' names no agent prolotrack knows" in logged.stderr


def test_a_baseline_alone_is_not_evaluable(clinic, installed):
    clinic.ok(*WORKED_EXAMPLE[0])
    clinic.ok(*WORKED_EXAMPLE[1])
    clinic.ok(*WORKED_EXAMPLE[2])
    [nrs, womac] = installed.json("progress", "P-0001")["courses"][0]["outcomes"]
    for o in (nrs, womac):
        assert (o["evaluable"], o["responder"], o["mcid_reached"]) == (False, None, None)
    assert "not evaluable" in installed.ok("progress", "P-0001").stdout


def test_pgic_shows_its_value_only(worked, installed):
    worked.ok("score", "add", "P-0001", "pgic=2", "--date", "2026-03-16")
    [pgic] = [
        o
        for o in installed.json("progress", "P-0001")["courses"][0]["outcomes"]
        if o["instrument"] == "pgic"
    ]
    assert pgic["latest"] == 2 and pgic["at_responder_mark"] is True
    assert [pgic[k] for k in ("baseline", "change", "improvement", "mcid", "mcid_rule")] == [
        None
    ] * 5


@pytest.fixture
def follow_ups(clinic):
    """Two courses finished on 2026-01-05 and 2025-06-02; today is 2026-03-20: the first's
    6-month window is still to come, the second's closed on 2025-06-02 + 7.5 months."""
    for chart, day in (("F-1", "2026-01-05"), ("F-2", "2025-06-02")):
        clinic.ok("patient", "add", f"Patient {chart}", "--chart", chart)
        clinic.ok("course", "start", chart, "--condition", "knee", "--sessions", "1", "--date", day)
        clinic.ok("log", chart, "--date", day, "--site", "MCL:1:D15", "--pain", "7")
    return clinic


def test_outcomes_at_a_timepoint_count_missing_only_once_its_window_closed(follow_ups, installed):
    [row] = installed.json("report", "outcomes", "--at", "6m")
    assert (row["courses"], row["missing"], row["not_yet_due"]) == (2, 1, 1)
    message = installed.refused("report", "outcomes", "--at", "5m", says="no course has a 5m")
    assert "3m, 6m, 12m" in message


def test_due_within_lists_follow_ups_whose_window_opens_within_it(follow_ups, installed):
    # F-1's 3-month window opens at 0.75 x 90 days after 2026-01-05: 2026-03-14 (open today);
    # its 6-month window opens 2026-05-20 (0.75 x 181 days): inside 9 weeks, not inside 8.
    within = installed.json("due", "--within", "9w")
    upcoming = [d for d in within if d["timepoint"] == "6m" and d["status"] == "upcoming"]
    assert [d["course"] for d in upcoming] == [1]
    assert upcoming[0]["days_overdue"] is None
    assert not [d for d in installed.json("due", "--within", "8w") if d["timepoint"] == "6m"]


def test_a_wrongly_recorded_adverse_event_is_amended_with_its_reason(worked, installed):
    worked.ok("adverse", "add", "1#3", "infection", "--severity", "severe")
    amended = installed.ok(
        "adverse",
        "amend",
        "1",
        "--kind",
        "flare",
        "--severity",
        "mild",
        "--reason",
        "a flare, not an infection",
    )
    assert "Amended adverse event 1: flare (mild) of course 1" in amended.stderr
    [event] = installed.json("adverse", "list")
    assert (event["kind"], event["severity"], event["serious"]) == ("flare", "mild", False)
    [change] = [
        a
        for a in installed.json("audit", "--entity", "adverse_event", "--id", "1")
        if a["action"] == "update"
    ]
    assert change["reason"] == "a flare, not an infection"
    installed.refused("adverse", "amend", "1", "--reason", "x", says="nothing to amend")
    installed.refused(
        "adverse", "amend", "1", "--onset", "2026-01-01", "--reason", "x", says="before session"
    )


def test_an_adverse_event_entered_in_error_is_voided_and_out_of_everything(worked, installed):
    worked.ok("adverse", "add", "1#3", "infection", "--severity", "severe")
    worked.ok("adverse", "add", "1#2", "flare", "--severity", "mild")
    voided = installed.ok("adverse", "void", "1", "--reason", "entered on the wrong patient")
    assert "Voided adverse event 1 (infection) of course 1" in voided.stderr
    assert [e["id"] for e in installed.json("adverse", "list")] == [2]
    assert installed.json("session", "show", "1#3")["adverse_events"] == []
    exported = installed.ok("export", "adverse").stdout
    assert "flare" in exported and "infection" not in exported
    assert "infection" not in installed.ok("export", "fhir").stdout
    assert "infection" not in installed.ok("report", "course", "1", "--for", "clinician").stdout
    [change] = [
        a
        for a in installed.json("audit", "--entity", "adverse_event", "--id", "1")
        if a["action"] == "void"
    ]
    assert change["reason"] == "entered on the wrong patient"
    for command in (
        ("void", "1", "--reason", "again"),
        ("amend", "1", "--kind", "flare", "--reason", "x"),
        ("resolve", "1", "--date", "2026-03-10"),
    ):
        installed.refused("adverse", *command, says="adverse event 1 is void")
    installed.refused("adverse", "void", "9", "--reason", "x", says="no adverse event 9")
    installed.refused("adverse", "void", "2", "--reason", " ", says="reason")


def test_rehab_to_ends_the_open_entry_of_that_kind(worked, installed):
    worked.ok("course", "rehab", "1", "exercise", "--from", "2026-01-05")
    ended = installed.ok("course", "rehab", "1", "exercise", "--to", "2026-03-01")
    assert "exercise for course 1" in ended.stderr and "2026-01-05 to 2026-03-01" in ended.stderr
    [entry] = installed.json("progress", "1")["courses"][0]["rehabilitation"]
    assert (entry["from"], entry["to"]) == ("2026-01-05", "2026-03-01")


def test_an_option_given_wins_over_the_protocol(clinic, installed):
    clinic.ok("patient", "add", "Pro Tocol", "--chart", "P-0003")
    clinic.ok(
        "course",
        "start",
        "P-0003",
        "--condition",
        "knee",
        "--protocol",
        "knee-oa-rabago",
        "--date",
        "2026-03-20",
    )
    installed.ok("log", "P-0003", "--solution", "D15", "--volume", "1", "--pain", "5")
    sites = installed.json("session", "show", "1")["injections"]
    assert len(sites) == 10
    assert {(s["solution"], s["volume_ml"]) for s in sites} == {("dextrose 15%", 1)}


def test_a_session_after_an_open_serious_adverse_event_warns_first(worked, installed):
    worked.ok("course", "edit", "1", "--sessions", "4", "--reason", "one more")
    worked.ok("adverse", "add", "1#3", "infection", "--severity", "moderate")
    logged = installed.ok("log", "P-0001", "--site", "MCL:0.5:D15")
    first = logged.stderr.splitlines()[0]
    assert first.startswith("warning: serious adverse event 1 (infection, moderate")
    assert "still open" in first
    worked.ok("adverse", "resolve", "1", "--date", "2026-03-19")
    worked.ok("session", "void", "4", "--reason", "test")
    assert (
        "serious adverse event" not in installed.ok("log", "P-0001", "--site", "MCL:0.5:D15").stderr
    )


def test_an_adverse_event_of_a_voided_session_warns_no_later_session(worked, installed):
    """A session voided (entered on the wrong patient, say) takes its adverse events out of
    every list and report: the next session of the course is not warned of them either."""
    worked.ok("course", "edit", "1", "--sessions", "4", "--reason", "one more")
    worked.ok("adverse", "add", "1#3", "infection", "--severity", "moderate")
    worked.ok("session", "void", "3", "--reason", "entered on the wrong patient")
    logged = installed.ok("log", "P-0001", "--site", "MCL:0.5:D15")
    assert "serious adverse event" not in logged.stderr
    assert worked.json("adverse", "list") == []


def test_patients_are_listed_in_alphabetical_order_whatever_their_accents(clinic, installed):
    for name in ("Zoë Adams", "Łukasz Nowak", "Émile Zola", "adam Smith"):
        clinic.ok("patient", "add", name)
    names = [p["name"] for p in installed.json("patient", "list")]
    assert names == ["adam Smith", "Émile Zola", "Łukasz Nowak", "Zoë Adams"]


def test_the_clinician_report_shows_safety_and_reads_right(clinic, installed):
    import re

    clinic.ok("patient", "add", "Ann Allergic", "--chart", "A-1")
    clinic.ok("patient", "flag", "A-1", "allergy:lidocaine")
    clinic.ok(
        "course", "start", "A-1", "--condition", "knee", "--sessions", "3", "--date", "2026-03-02"
    )
    clinic.ok("course", "rehab", "A-1", "exercise", "--from", "2026-03-02")
    clinic.ok("log", "A-1", "--date", "2026-03-02", "--site", "MCL:2:lidocaine 1%", "--pain", "6")
    clinic.ok("score", "add", "A-1", "pgic=2", "--date", "2026-03-16")
    page = installed.ok("report", "course", "A-1", "--for", "clinician").stdout
    assert "allergy:lidocaine (allergic to lidocaine)" in page
    assert "<strong>Consent:</strong> not recorded" in page
    assert "exercise from 2026-03-02" in page
    assert "FLAG allergy:lidocaine: Ann Allergic (A-1) is allergic to lidocaine" in page
    assert "1 of 3 sessions given" in page
    assert "MCID reached at" not in page and "Nrs:" not in page and "Pgic:" not in page
    [pgic_row] = re.findall(r"<tr><td class=\"\" data-key=\"instrument\">pgic</td>.*?</tr>", page)
    assert 'data-key="change"></td>' in pgic_row and "yes (a responder at 2" in pgic_row
    # one pain score: the time axis spans the course's days, not years around them
    ticks = re.findall(r">(\d\d [A-Z][a-z]{2} \d\d)<", page)
    assert ticks and {t[-2:] for t in ticks} == {"26"} and {t[3:6] for t in ticks} <= {"Feb", "Mar"}
    sentence = installed.ok("report", "course", "A-1").stdout
    assert "1 of 3 sessions given" in sentence
