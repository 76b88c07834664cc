"""Was it safe: flags, dose limits, a protocol's volume cap and consent, warned at log and kept
on the session; rehabilitation alongside the course (SPEC, second edition)."""

from __future__ import annotations


def achilles(clinic):
    clinic.ok("patient", "add", "Ann Lee", "--chart", "A1")
    clinic.ok(
        "course",
        "start",
        "A1",
        "--condition",
        "right Achilles tendinosis",
        "--side",
        "right",
        "--protocol",
        "achilles-yelland",
        "--date",
        "2026-03-02",
    )
    return clinic


def test_a_flag_that_meets_the_session_is_warned_first_and_kept(clinic):
    achilles(clinic)
    clinic.ok("patient", "flag", "A1", "allergy:fish", "--note", "hives after cod-liver oil")
    clinic.ok("course", "consent", "1", "--date", "2026-03-02", "--form", "prolo v2")
    mix = "achilles anterolateral margin:1:dextrose 10% + sodium morrhuate 0.5%"
    result = clinic.ok("log", "A1", "--date", "2026-03-02", "--site", mix)
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "warning: FLAG allergy:fish: Ann Lee (A1) is allergic to fish (sodium"
        " morrhuate is made from cod-liver oil), and this session gives sodium"
        " morrhuate"
    )
    assert "Logged session 1" in result.output  # a warning, not a refusal
    shown = clinic.json("session", "show", "1")
    assert shown["warnings"] == [lines[0].removeprefix("warning: ")]
    quiet = clinic.ok("log", "A1", "--date", "2026-03-09")  # the protocol's own sites: no fish
    assert "FLAG" not in quiet.stderr
    patient = clinic.json("patient", "show", "A1")
    assert next(iter(patient)) == "flags"
    assert patient["flags"] == ["allergy:fish (hives after cod-liver oil)"]
    assert clinic.ok("patient", "show", "A1").stdout.splitlines()[1].startswith("FLAGS")


def test_flags_that_meet_every_injection_and_the_amide_allergy(clinic):
    achilles(clinic)
    clinic.ok("course", "consent", "1")
    clinic.ok("patient", "flag", "A1", "anticoagulant")
    clinic.ok("patient", "flag", "A1", "allergy:amide")
    clinic.ok("patient", "flag", "A1", "other:latex gloves")
    warned = clinic.ok("log", "A1", "--date", "2026-03-02").stderr  # lignocaine + ropivacaine
    assert "FLAG allergy:amide: Ann Lee (A1) is allergic to amide anaesthetics" in warned
    assert "this session gives lidocaine, ropivacaine" in warned
    assert "FLAG anticoagulant: Ann Lee (A1) is on an anticoagulant" in warned
    assert "FLAG: Ann Lee (A1): latex gloves" in warned
    clinic.refused("patient", "flag", "A1", "anticoagulant", says="already flagged")
    clinic.refused("patient", "flag", "A1", "allergy:nuts", says="unknown flag 'allergy:nuts'")
    clinic.ok("patient", "unflag", "A1", "anticoagulant")
    clinic.refused("patient", "unflag", "A1", "anticoagulant", says="has no flag anticoagulant")
    history = clinic.json("audit", "--entity", "patient_flag")
    assert [a["action"] for a in history][:2] == ["delete", "insert"]


def test_doses_past_the_anaesthetic_limits_are_warned(clinic):
    achilles(clinic)
    clinic.ok("course", "consent", "1")
    clinic.refused("patient", "edit", "A1", "--weight", "0", says="weight 0 kg is out of range")
    clinic.ok("patient", "edit", "A1", "--weight", "50")
    # 12 mL of 2 % lidocaine is 240 mg: under 300 mg, over 4.5 mg/kg x 50 kg = 225 mg
    warned = clinic.ok(
        "log",
        "A1",
        "--date",
        "2026-03-02",
        "--site",
        "achilles anterolateral margin:12:lidocaine 2%",
    ).stderr
    assert "lidocaine 240 mg is more than 4.5 mg/kg for 50 kg (225 mg)" in warned
    assert "300 mg limit" not in warned
    assert "12 mL in this session is more than protocol achilles-yelland's 5 mL" not in warned
    more = clinic.ok(
        "log",
        "A1",
        "--date",
        "2026-03-09",
        "--protocol",
        "achilles-yelland",
        "--site",
        "achilles anterolateral margin:16:lidocaine 2%",
    ).stderr
    # 16 mL of 2 % (320 mg) replaces one of the protocol's sites; the other's 1 mL of its
    # 0.1 % lignocaine adds 1 mg
    assert "lidocaine 321 mg is more than the 300 mg limit for one procedure" in more
    assert "17 mL in this session is more than protocol achilles-yelland's 5 mL a session" in more


def test_log_warns_while_a_course_has_no_consent(clinic):
    achilles(clinic)
    warned = clinic.ok("log", "A1", "--date", "2026-03-02").stderr
    assert "no consent is recorded for course 1" in warned
    clinic.refused("course", "consent", "1", "--date", "2026-04-01", says="after today")
    clinic.ok("course", "consent", "1", "--date", "2026-03-02", "--form", "prolo v2")
    assert "consent" not in clinic.ok("log", "A1", "--date", "2026-03-09").stderr
    [course] = clinic.json("progress", "1")["courses"]
    assert (course["course"]["consent_on"], course["course"]["consent_form"]) == (
        "2026-03-02",
        "prolo v2",
    )


def test_rehabilitation_is_recorded_shown_and_exported(clinic):
    achilles(clinic)
    clinic.ok(
        "course",
        "rehab",
        "1",
        "exercise",
        "--from",
        "2026-03-02",
        "--note",
        "eccentric heel drops, 3 x 15 twice a day",
    )
    clinic.refused("course", "rehab", "1", "yoga", says="exercise, physiotherapy, brace")
    clinic.refused(
        "course",
        "rehab",
        "1",
        "brace",
        "--from",
        "2026-03-10",
        "--to",
        "2026-03-01",
        says="before --from",
    )
    [course] = clinic.json("progress", "1")["courses"]
    assert course["rehabilitation"] == [
        {
            "kind": "exercise",
            "from": "2026-03-02",
            "to": None,
            "note": "eccentric heel drops, 3 x 15 twice a day",
        }
    ]
    assert "Rehabilitation: exercise 2026-03-02 to now" in clinic.ok("progress", "1").stdout
    rows = clinic.ok("export", "courses").stdout.splitlines()
    assert rows[0].endswith(",consent_on,consent_form,rehabilitation")
    assert rows[1].endswith(",exercise from 2026-03-02")
    private = clinic.ok("export", "courses", "--deidentify").stdout
    assert "heel" not in private and private.splitlines()[1].endswith(",false,exercise")


def test_flags_and_weight_are_in_the_patients_export_and_only_catalogued_when_deidentified(clinic):
    achilles(clinic)
    clinic.ok("patient", "edit", "A1", "--weight", "61.5")
    clinic.ok("patient", "flag", "A1", "diabetes")
    clinic.ok("patient", "flag", "A1", "other:Dr Smith's patient")
    rows = clinic.ok("export", "patients").stdout.splitlines()
    assert rows[1].endswith(",61.5,diabetes; other:Dr Smith's patient")
    private = clinic.ok("export", "patients", "--deidentify").stdout
    assert "Smith" not in private and private.splitlines()[1].endswith(",diabetes; other")
