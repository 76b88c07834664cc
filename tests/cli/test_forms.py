import csv
import io

"""Item-level forms through the commands (SPEC, third edition, "Outcomes from the questionnaire
itself"): answers scored into derived scores that count like typed ones, refusals that name the
rule and write nothing, voiding a derived score voids its answers, the clinic's own wording."""

WOMAC = "1,1,1,2,-, 1,1, " + ",".join(["1"] * 17)  # pain 5 x 5 / 4, stiffness 2, function 17


def test_a_forms_answers_give_derived_scores_that_count_like_typed_ones(worked):
    result = worked.ok("score", "add", "P-0001", "--form", "womac", "--answers", WOMAC,
                       "--date", "2026-03-16")  # fmt: skip
    assert "from womac (answer set 1)" in result.stderr
    derived = [s for s in worked.json("score", "list", "P-0001") if s["answer_set_id"] == 1]
    assert {s["instrument"]: s["value"] for s in derived} == {
        "womac-pain": 6.3,
        "womac-stiffness": 2,
        "womac-function": 17,
        "womac": 25.3,  # 6.25 + 2 + 17, rounded once
    }
    [course] = worked.json("progress", "P-0001")["courses"]
    womac = next(m for m in course["outcomes"] if m["instrument"] == "womac")
    assert womac["latest"] == 25.3 and womac["baseline"] == 52  # the derived total is the latest
    assert womac["latest_date"] == "2026-03-16" and womac["mcid_reached"] is True
    [visit] = course["visits"]
    assert visit["date"] == "2026-03-16" and visit["derived"] == sorted(visit["scores"])
    assert {s["derived"] == [] for s in course["sessions"]} == {True}  # typed at the sessions
    shown = worked.json("score", "show", str(derived[0]["id"]))
    assert shown["derived"] is True and shown["form"] == "womac"
    assert shown["form_version"] == "LK3.1" and "User Guide" in shown["scoring_version"]
    assert [a["value"] for a in shown["answers"]][:5] == [1, 1, 1, 2, None]
    assert [e["entity"] for e in worked.json("audit", "--entity", "answer_set")] == ["answer_set"]


def test_a_second_score_that_day_is_refused_typed_or_derived_and_nothing_is_written(worked):
    worked.refused(
        *("score", "add", "P-0001", "--form", "womac", "--answers", WOMAC, "--date", "2026-03-02"),
        says="already has a womac score on 2026-03-02",
    )
    worked.ok("score", "add", "P-0001", "--form", "womac", "--answers", WOMAC,
              "--date", "2026-03-16")  # fmt: skip
    worked.refused("score", "add", "P-0001", "womac=30", "--date", "2026-03-16",
                   says="already has a womac score on 2026-03-16")  # fmt: skip


def test_too_many_missing_answers_are_refused_naming_the_rule(worked):
    worked.ok("course", "start", "P-0001", "--condition", "low back pain", "--date", "2026-03-01")
    worked.refused("score", "add", "2", "--form", "odi", "--answers", "3,3,2,2,1,1,2,1,-,-",
                   says="odi needs at least 9 of 10 answers; 8 given")  # fmt: skip
    worked.refused("score", "add", "2", "--form", "odi", "--answers", "3,3,2,2,1,1,2,1,6,1",
                   says="odi item Q9: 6 is out of its range 0-5")  # fmt: skip
    worked.refused("score", "add", "2", "--form", "odi", "--answers", "3,3,2",
                   says="odi has 10 items; 3 answers given")  # fmt: skip
    worked.refused("score", "add", "2", "--form", "sf36", "--answers", "1", says="unknown form")
    worked.refused("score", "add", "2", "nrs=3", "--form", "odi", "--answers", "1",
                   status=2, says="not both")  # fmt: skip
    worked.refused("score", "add", "2", "--form", "odi", status=2, says="--answers or --ask")
    worked.ok("score", "add", "2", "--form", "odi", "--answers", "3,3,2,-,3,1,2,1,1,0")
    assert [s["value"] for s in worked.json("score", "list", "2")] == [35.6]


def test_voiding_a_derived_score_voids_its_answer_set_and_every_score_it_gave(worked):
    worked.ok("course", "start", "P-0001", "--condition", "knee", "--date", "2026-03-01")
    worked.ok("score", "add", "2", "--form", "koos", "--answers", ",".join(["2"] * 42))
    scores = worked.json("score", "list", "2")
    assert len(scores) == 5
    worked.ok("score", "void", str(scores[0]["id"]), "--reason", "the wrong knee")
    assert worked.json("score", "list", "2") == []
    voided = worked.json("score", "list", "2", "--include-voided")
    assert {s["void_reason"] for s in voided} == {"the wrong knee"} and len(voided) == 5
    assert worked.json("score", "show", str(scores[1]["id"]))["voided"] is True
    set_void = worked.json("audit", "--entity", "answer_set")[0]
    assert set_void["action"] == "void" and set_void["reason"] == "the wrong knee"
    # entered again, the day is free once more
    worked.ok("score", "add", "2", "--form", "koos", "--answers", ",".join(["1"] * 42))
    assert {s["value"] for s in worked.json("score", "list", "2")} == {75.0}


def test_a_subscale_without_enough_answers_is_left_out_with_a_warning(worked):
    worked.ok("course", "start", "P-0001", "--condition", "knee", "--date", "2026-03-01")
    symptoms_short = ",".join(["2"] * 3 + ["-"] * 4 + ["2"] * 35)
    result = worked.ok("score", "add", "2", "--form", "koos", "--answers", symptoms_short)
    assert "warning: koos-symptoms not scored: 3 of 7 answered; at least half needed" in (
        result.stderr
    )
    assert "koos-symptoms" not in {s["instrument"] for s in worked.json("score", "list", "2")}


def test_form_list_and_show_give_items_rules_and_versions(clinic):
    forms = clinic.json("form", "list")
    assert [f["code"] for f in forms] == [
        "odi", "ndi", "quickdash", "koos", "womac", "prtee", "spadi", "promis-global-10",
    ]  # fmt: skip
    promis = next(f for f in forms if f["code"] == "promis-global-10")
    assert promis["derives"] == ["promis-gph", "promis-gmh"] and promis["items"] == 10
    odi = clinic.json("form", "show", "odi")
    assert odi["version"] == "2.1a" and "Fairbank" in odi["scoring_version"]
    assert "at most 1 section" in odi["missing"]
    assert [i["item"] for i in odi["items"]] == [f"Q{n}" for n in range(1, 11)]
    assert {i["range"] for i in odi["items"]} == {"0-5"}
    assert {i["text"] for i in odi["items"]} == {None}  # no wording shipped
    clinic.refused("form", "show", "sf36", says="unknown form")
    assert not clinic.exists()  # the forms are shown without creating a file


def test_the_clinics_wording_is_loaded_checked_and_shown(worked, tmp_path):
    sheet = tmp_path / "odi.csv"
    sheet.write_text(
        "item,text,labels\nQ1,Our own wording of section one,0=None|5=Worst\nq2,Section two,\n"
    )
    worked.ok("form", "text", "odi", str(sheet))
    items = worked.json("form", "show", "odi")["items"]
    assert items[0]["text"] == "Our own wording of section one"
    assert items[0]["labels"] == "0=None|5=Worst" and items[1]["text"] == "Section two"
    assert next(f for f in worked.json("form", "list") if f["code"] == "odi")["wording"] == "loaded"
    bad = tmp_path / "bad.csv"
    bad.write_text("item,text,labels\nQ1,One,0=None\nQ11,Eleven,\n")
    worked.refused("form", "text", "odi", str(bad), says="odi has no item 'Q11'")
    bad.write_text("item,text,labels\nQ1,One,0=None|6=Past the end\n")
    worked.refused("form", "text", "odi", str(bad), says="within 0-5")
    assert worked.json("form", "show", "odi")["items"][0]["labels"] == "0=None|5=Worst"


def test_a_typed_score_shows_as_typed(worked):
    first = worked.json("score", "list", "P-0001", "--instrument", "womac")[0]
    shown = worked.json("score", "show", str(first["id"]))
    assert shown["derived"] is False and "answers" not in shown
    assert shown["date"] == "2026-01-05" and shown["value"] == 52
    worked.refused("score", "show", "999", says="no score 999")


def test_export_answers_gives_one_row_an_answer_with_the_versions(worked):
    worked.ok("score", "add", "P-0001", "--form", "womac", "--answers", WOMAC,
              "--date", "2026-03-16")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(worked.ok("export", "answers").stdout)))
    assert len(rows) == 24 and [r["item"] for r in rows[:6]] == ["A1", "A2", "A3", "A4", "A5", "B1"]
    assert rows[4]["value"] == "" and rows[3]["value"] == "2"
    assert {(r["form"], r["form_version"], r["answer_date"]) for r in rows} == {
        ("womac", "LK3.1", "2026-03-16")
    }
    hidden = list(
        csv.DictReader(io.StringIO(worked.ok("export", "answers", "--deidentify").stdout))
    )
    assert [r["value"] for r in hidden] == [r["value"] for r in rows]
    assert "name" not in hidden[0] and "answer_date" not in hidden[0]
    assert {r["answer_day"] for r in hidden} == {"70"}  # days from the course's start
    assert "Ada" not in worked.ok("export", "answers", "--deidentify").stdout
    worked.ok("score", "void", str(worked.json("score", "list", "P-0001")[-1]["id"]),
              "--reason", "entered twice")  # fmt: skip
    assert worked.ok("export", "answers").stdout.count("\n") == 1  # the header alone


def test_a_form_filled_in_at_a_session_is_tied_to_it(worked):
    worked.ok("score", "add", "P-0001", "--form", "odi", "--answers", "1,1,1,1,1,1,1,1,1,1",
              "--session", "1#3")  # fmt: skip
    [odi] = worked.json("score", "list", "P-0001", "--instrument", "odi")
    session = worked.json("session", "show", "1#3")
    assert odi["session_id"] == session["id"] and odi["date"] == "2026-03-02" == session["date"]
    assert odi["value"] == 20.0
    assert worked.json("score", "show", str(odi["id"]))["session_id"] == session["id"]
