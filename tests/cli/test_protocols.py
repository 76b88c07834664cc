"""Fast at the desk: protocols, the site catalogue, completion and the settings behind them."""

import pytest
from typer.testing import CliRunner

from prolotrack.cli.app import app


@pytest.fixture
def left_knee(worked):
    worked.ok("patient", "add", "Grace Hopper", "--chart", "P-0002")
    worked.ok(
        "course",
        "start",
        "P-0002",
        "--condition",
        "left knee osteoarthritis",
        "--side",
        "left",
        "--date",
        "2026-03-01",
    )
    return worked


def sites_of_last_session(clinic):
    """The sites of the session logged last (the highest id, whatever its date)."""
    last = max(s["id"] for s in clinic.json("session", "list"))
    return clinic.json("session", "show", str(last))["injections"]


def test_a_protocol_logs_its_sites_on_the_course_side(left_knee):
    left_knee.ok("session", "log", "P-0002", "--protocol", "knee-oa-rabago")
    sites = sites_of_last_session(left_knee)
    assert len(sites) == 10
    assert {s["side"] for s in sites} == {"left"}
    assert (sites[0]["site"], sites[0]["volume_ml"], sites[0]["solution"]) == (
        "intra-articular",
        6,
        "dextrose 25%",
    )
    assert all((s["volume_ml"], s["solution"]) == (0.5, "dextrose 15%") for s in sites[1:])


def test_an_extra_site_adds_and_a_same_name_site_replaces(left_knee):
    left_knee.ok(
        "session",
        "log",
        "P-0002",
        "--protocol",
        "knee-oa-rabago",
        "--site",
        "iliotibial band:0.5:D15",
        "--site",
        "pes anserine:1",
    )
    sites = sites_of_last_session(left_knee)
    assert len(sites) == 11
    pes = [s for s in sites if s["site"] == "pes anserine"]
    assert [(s["volume_ml"], s["solution"], s["side"]) for s in pes] == [
        (1, "dextrose 15%", "left")
    ]
    assert sites[-1]["site"] == "iliotibial band"
    left_knee.ok(
        "session",
        "log",
        "P-0002",
        "--protocol",
        "knee-oa-rabago",
        "--date",
        "2026-03-10",
        "--site",
        "pes anserine:1:D15:right",
    )
    sides = [s["side"] for s in sites_of_last_session(left_knee) if s["site"] == "pes anserine"]
    assert sides == ["left", "right"]  # another side is another site: it adds


def test_a_course_on_a_protocol_takes_its_schedule_and_its_sites(left_knee):
    left_knee.ok("patient", "add", "Alan Turing", "--chart", "P-0003")
    left_knee.ok(
        "course",
        "start",
        "P-0003",
        "--condition",
        "tennis elbow",
        "--side",
        "right",
        "--protocol",
        "lateral-elbow-scarpone",
        "--sessions",
        "4",
        "--date",
        "2026-03-02",
    )
    course = left_knee.json("course", "show", "P-0003")
    assert (
        course["interval"],
        course["planned_sessions"],
        course["measure"],
        course["protocol"],
    ) == ("4w", 4, "nrs", "lateral-elbow-scarpone")
    result = left_knee.ok("log", "P-0003", "--date", "2026-03-02", "--pain", "6")
    assert "(protocol lateral-elbow-scarpone)" in result.stderr
    assert [s["site"] for s in sites_of_last_session(left_knee)] == [
        "supracondylar ridge",
        "lateral epicondyle",
        "annular ligament",
    ]
    left_knee.refused(
        "course",
        "start",
        "P-0003",
        "--condition",
        "x",
        "--protocol",
        "nope",
        says="no protocol 'nope'",
    )


def test_a_protocol_without_volumes_asks_for_them(left_knee):
    left_knee.refused("log", "P-0002", "--protocol", "sij-cusi", says="has no volume")
    left_knee.ok("log", "P-0002", "--protocol", "sij-cusi", "--volume", "2", "--solution", "D20")
    [site] = sites_of_last_session(left_knee)
    assert (site["volume_ml"], site["solution"]) == (2, "dextrose 20%")


def test_a_misspelt_site_is_recorded_with_a_suggestion(worked):
    result = worked.ok("log", "P-0001", "--site", "pes anserin:0.5:D15")
    assert "warning: site 'pes anserin' is new to this practice; did you mean 'pes anserine'?" in (
        result.stderr
    )
    assert sites_of_last_session(worked)[0]["site"] == "pes anserin"
    worked.ok("course", "consent", "1", "--date", "2026-01-05")
    worked.ok("course", "edit", "1", "--sessions", "5", "--reason", "two more planned")
    quiet = worked.ok("log", "P-0001", "--site", "MCL:0.5:D15", "--date", "2026-03-19")
    assert "warning" not in quiet.stderr


def test_the_practice_protocol_shadows_the_builtin_and_can_be_removed(left_knee, tmp_path):
    left_knee.ok(
        "protocol",
        "add",
        "knee-oa-rabago",
        "--site",
        "intra-articular:5:D20",
        "--site",
        "MCL:1:D15",
        "--every",
        "3w",
        "--measure",
        "womac",
    )
    listed = {p["name"]: p for p in left_knee.json("protocol", "list")}
    assert (listed["knee-oa-rabago"]["origin"], listed["knee-oa-rabago"]["sites"]) == (
        "practice",
        2,
    )
    left_knee.ok("log", "P-0002", "--protocol", "knee-oa-rabago")
    assert [(s["site"], s["volume_ml"]) for s in sites_of_last_session(left_knee)] == [
        ("intra-articular", 5),
        ("MCL", 1),
    ]
    result = left_knee.ok("protocol", "remove", "knee-oa-rabago")
    assert "the built-in protocol of that name applies again" in result.stderr
    assert left_knee.json("protocol", "show", "knee-oa-rabago")["origin"] == "built-in"
    left_knee.refused("protocol", "remove", "knee-oa-rabago", says="cannot be removed")


def test_protocol_from_toml_and_csv(clinic, tmp_path):
    toml = tmp_path / "shoulder.toml"
    toml.write_text(
        'condition = "rotator cuff tendinopathy"\nevery = "4w"\nsessions = 4\nmeasure = "spadi"\n'
        'source = "our clinic, 2026"\n'
        '[[site]]\nsite = "supraspinatus insertion"\nvolume_ml = 1\nsolution = "D15"\npoints = 3\n'
        '[[site]]\nsite = "subacromial bursa"\nvolume_ml = 3\nsolution = "D12.5"\n'
    )
    result = clinic.ok("protocol", "add", "shoulder-rc", "--from", str(toml))
    assert "site 'subacromial bursa' is new to this practice" in result.stderr
    shown = clinic.json("protocol", "show", "shoulder-rc")
    assert (shown["interval"], shown["planned_sessions"], shown["measure"]) == ("4w", 4, "spadi")
    assert [(s["site"], s["volume_ml"], s["solution"], s["points"]) for s in shown["sites"]] == [
        ("supraspinatus insertion", 1, "dextrose 15%", 3),
        ("subacromial bursa", 3, "dextrose 12.5%", 1),
    ]
    sheet = tmp_path / "hand.csv"
    sheet.write_text("site,volume_ml,solution,side\nPIP medial,0.5,D10,\nPIP lateral,0.5,D10,\n")
    clinic.ok("protocol", "add", "hand", "--from", str(sheet), "--every", "2m")
    assert clinic.json("protocol", "show", "hand")["sites"][1]["site"] == "PIP lateral"
    bad = tmp_path / "bad.csv"
    bad.write_text("site,volume_ml,solution\nPIP medial,lots,D10\n")
    clinic.refused("protocol", "add", "bad", "--from", str(bad), says=f"{bad}:2")
    bad.write_text("site,volume_ml,solution\nPIP\x1bmedial,1,D10\n")
    clinic.refused(
        "protocol",
        "add",
        "bad",
        "--from",
        str(bad),
        says=f"{bad}:2: site 'PIP\\x1bmedial' holds a control character",
    )
    clinic.refused("protocol", "add", "hand", "--site", "x:1:D10", says="already has a protocol")
    clinic.refused("protocol", "add", "Bad Name!", "--site", "x:1:D10", says="protocol name")


def _complete(db, words: str) -> list[str]:
    env = {
        "_PROLOTRACK_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    result = CliRunner().invoke(app, ["--db", str(db)], prog_name="prolotrack", env=env)
    assert result.exit_code == 0, result.output
    return [line for line in result.output.split("\n") if line]


def test_completion_of_charts_sites_protocols_and_instruments(left_knee):
    db = left_knee.path
    assert _complete(db, f"prolotrack --db {db} patient show P-") == ["P-0001", "P-0002"]
    # bash inserts a completion as it is: the space is escaped, or it would make two words
    assert _complete(db, f"prolotrack --db {db} log P-0002 --site pes") == ["pes\\ anserine"]
    assert _complete(db, f"prolotrack --db {db} log P-0002 --site Pes") == ["Pes\\ anserine"]
    assert _complete(db, f"prolotrack --db {db} log P-0002 --site MCL:") == []
    assert _complete(db, f"prolotrack --db {db} log P-0002 --protocol knee") == [
        "knee-oa-rabago",
        "knee-oa-reeves",
    ]
    assert _complete(db, f"prolotrack --db {db} score list 1 --instrument koos-s") == [
        "koos-symptoms",
        "koos-sport",
    ]
    left_knee.ok("log", "P-0002", "--site", "iliotibial band:0.5:D15")
    assert _complete(db, f"prolotrack --db {db} log 1 --site ilio") == [
        "iliolumbar\\ ligament",
        "iliotibial\\ band",
    ]


def test_completion_offers_names_surnames_and_for_progress_courses(left_knee):
    db = left_knee.path
    names = {p["name"]: p["chart"] for p in left_knee.json("patient", "list")}
    first = sorted(names)[0]
    given, surname = first.split()[0], first.split()[-1]
    assert f"{given}\\ {surname}" in _complete(db, f"prolotrack --db {db} patient show {given[:2]}")
    assert surname.lower() in _complete(
        db, f"prolotrack --db {db} patient show {surname[:3].lower()}"
    )
    offered = _complete(db, f"prolotrack --db {db} progress ")
    assert "1" in offered and names[first] in offered  # courses, then patients: never files
    env = {
        "_PROLOTRACK_COMPLETE": "complete_zsh",
        "_TYPER_COMPLETE_ARGS": f"prolotrack --db {db} log 1 --site pes",
    }
    zsh = CliRunner().invoke(app, ["--db", str(db)], prog_name="prolotrack", env=env).output
    assert "pes anserine" in zsh and "\\ " not in zsh  # zsh quotes for itself


def test_completion_without_a_database_offers_what_it_knows(tmp_path):
    db = tmp_path / "none.db"
    assert _complete(db, f"prolotrack --db {db} patient show ") == []
    assert "knee-oa-rabago" in _complete(db, f"prolotrack --db {db} protocol show k")
    assert not db.exists()


def test_default_guidance_and_week_start(worked):
    worked.ok("config", "set", "default-guidance", "Ultrasound")
    worked.ok("log", "P-0001", "--site", "MCL:0.5:D15")
    assert worked.json("session", "show", "4")["guidance"] == "ultrasound"
    worked.refused("config", "set", "week-start", "friday", says="monday, sunday")
    week = worked.json("summary", "--week", "--date", "2026-03-04")  # a Wednesday
    assert (week["from"], week["date"]) == ("2026-03-02", "2026-03-08")
    worked.ok("config", "set", "week-start", "sunday")
    week = worked.json("summary", "--week", "--date", "2026-03-04")
    assert (week["from"], week["date"]) == ("2026-03-01", "2026-03-07")
    assert [s["date"] for s in week["sessions"]] == ["2026-03-02"]


def test_a_protocol_file_that_is_not_utf8(clinic, tmp_path):
    latin = tmp_path / "p.csv"
    latin.write_bytes(b"site,volume_ml,solution\nPIP m\xe9dial,0.5,D10\n")
    clinic.refused("protocol", "add", "hand", "--from", str(latin), says="is not UTF-8 text")


def test_the_published_protocols_say_what_their_papers_say(clinic):
    rabago = clinic.json("protocol", "show", "knee-oa-rabago")
    assert "0-96 WOMAC total, so its points are not the paper's" in rabago["source"]
    assert "weeks 0, 4 and 8 as progress counts them (the paper's weeks 1, 5, 9)" in rabago["note"]
    assert "without naming them" in rabago["note"]
    yelland = clinic.json("protocol", "show", "achilles-yelland")
    assert "1 mL over 2 needle points (0.5 mL a point" in yelland["note"]
    assert "at most 5 mL a session" in yelland["note"]
