"""Patients report between visits, through the commands (SPEC, third edition): a one-time link
kept only as its hash, expiring, one live per follow-up; answers received by import wait in the
inbox and count only once accepted; a rejection keeps them out with its reason; `form links
--due` hands the clinic's tool what to send. The form server's own tests are in
test_form_server.py."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
from datetime import date

import pytest

from tests.conftest import TODAY

WOMAC = [1, 1, 1, 2, 1, 1, 1] + [1] * 17  # pain 6, stiffness 2, function 17: womac 25


def token_of(url: str) -> str:
    return url.strip().rsplit("/", 1)[1]


def response(chart: str, form: str, answers: list[int | None], authored: str, **more) -> dict:
    from prolotrack.domain.form_catalogue import FORMS

    items = [it.id for it in FORMS[form].items]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": more.pop("id", f"qr-{chart}-{authored}"),
        "status": more.pop("status", "completed"),
        "questionnaire": more.pop("questionnaire", f"urn:prolotrack:form:{form}"),
        "subject": {"identifier": {"system": "urn:prolotrack:chart", "value": chart}},
        "authored": authored,
        "item": [
            {"linkId": i, **({"answer": [{"valueInteger": v}]} if v is not None else {})}
            for i, v in zip(items, answers, strict=True)
        ],
        **more,
    }


def bundle(*resources: dict) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def write(tmp_path, name: str, document: dict):
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def test_a_link_carries_a_256_bit_token_of_which_the_record_keeps_only_the_hash(worked):
    result = worked.ok("form", "link", "P-0001", "--form", "womac", "--timepoint", "6m")
    url = result.stdout.strip()
    assert url.startswith("http://127.0.0.1:8765/f/")
    token = token_of(url)
    assert len(base64.urlsafe_b64decode(token + "=")) == 32  # 256 bits, at least 128 asked
    assert "works once, until 2026-04-03" in result.stderr  # 14 days by default
    assert "Ada" not in url and "P-0001" not in url  # the link says nothing about anyone
    [logged] = worked.json("audit", "--entity", "form_link")
    after = json.loads(logged["after"]) if isinstance(logged["after"], str) else logged["after"]
    assert after["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert after["expires_on"] == "2026-04-03" and after["timepoint"] == "6m"
    assert token not in json.dumps(worked.json("audit"))
    other = token_of(worked.ok("form", "link", "P-0001", "--form", "womac").stdout)
    assert other != token


@pytest.mark.sqlite_only
@pytest.mark.plain_only  # its bytes read as they are: the encrypted pass shows none
def test_the_token_is_nowhere_in_the_file(worked):
    token = token_of(worked.ok("form", "link", "P-0001", "--form", "koos").stdout)
    stored = worked.path.read_bytes()
    wal = worked.path.with_name(worked.path.name + "-wal")
    stored += wal.read_bytes() if wal.exists() else b""
    assert token.encode() not in stored
    assert hashlib.sha256(token.encode()).hexdigest().encode() in stored


def test_expiry_is_counted_in_days_and_bad_requests_write_nothing(worked, tmp_path):
    two = worked.ok("form", "link", "1", "--form", "womac", "--expires", "2d")
    assert "until 2026-03-22" in two.stderr
    month = worked.ok("form", "link", "1", "--form", "odi", "--expires", "1m")
    assert "until 2026-04-20" in month.stderr
    worked.refused("form", "link", "1", "--form", "womac", "--expires", "2y", says="too long")
    worked.refused("form", "link", "1", "--form", "womac", "--expires", "soon",
                   says="--expires: not an interval")  # fmt: skip
    worked.refused("form", "link", "1", "--form", "sf36", says="unknown form 'sf36'")
    worked.refused("form", "link", "1", "--form", "womac", "--timepoint", "later",
                   says="not an interval")  # fmt: skip
    worked.refused("form", "link", "9", "--form", "womac", says="no course")
    worked.refused("form", "link", "1", "--form", "womac", "-o", str(tmp_path / "q.gif"),
                   says=".png or .svg")  # fmt: skip
    assert not (tmp_path / "q.gif").exists()


def test_a_new_link_for_the_same_follow_up_withdraws_the_live_one(worked):
    worked.ok("form", "link", "1", "--form", "womac", "--timepoint", "3m")
    worked.ok("form", "link", "1", "--form", "womac", "--timepoint", "6m")
    worked.ok("form", "link", "1", "--form", "womac", "--timepoint", "3m")
    actions = [(e["entity_id"], e["action"]) for e in worked.json("audit", "--entity", "form_link")]
    assert sorted(actions) == [("1", "insert"), ("1", "withdraw"), ("2", "insert"),
                               ("3", "insert")]  # fmt: skip


def test_a_png_qr_code_reads_back_as_the_link(worked, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    png = tmp_path / "link.png"
    url = worked.ok("form", "link", "1", "--form", "womac", "-o", str(png)).stdout.strip()
    assert oct(png.stat().st_mode & 0o777) == "0o600"
    [code] = zxingcpp.read_barcodes(image.open(png))
    assert code.text == url and code.format == zxingcpp.BarcodeFormat.QRCode
    drawn = worked.ok("form", "link", "1", "--form", "odi", "--qr").stdout
    assert "█" in drawn and drawn.splitlines()[0].startswith("http://")


def test_imported_answers_wait_for_review_and_count_only_once_accepted(worked, tmp_path):
    baseline = worked.json("progress", "P-0001")["courses"][0]
    path = write(tmp_path, "qr.json", response("P-0001", "womac", WOMAC, "2026-03-16"))
    imported = worked.ok("form", "import", path)
    assert "Received 1 response" in imported.stderr
    [waiting] = worked.json("form", "inbox")
    assert waiting["patient"] == "Ada Lovelace (P-0001)" and waiting["form"] == "womac"
    assert "womac=25" in waiting["scores"] and waiting["source"] == "import"
    assert worked.json("summary")["responses_waiting"] == 1
    text = worked.ok("summary", "-f", "text").stdout
    assert "Form responses waiting for review (form inbox): 1\n" in text
    assert "P-0001 Ada Lovelace, course 1: womac by import (response 1)" in text
    assert "Nothing recorded" not in text
    assert worked.json("progress", "P-0001")["courses"][0] == baseline  # not counted yet
    worked.refused("form", "accept", "1", says="config set practitioner")
    worked.ok("config", "set", "practitioner", "Dr Rabago")
    accepted = worked.ok("form", "accept", "1")
    assert "womac=25" in accepted.stderr and "dated 2026-03-16" in accepted.stderr
    [course] = worked.json("progress", "P-0001")["courses"]
    womac = next(m for m in course["outcomes"] if m["instrument"] == "womac")
    assert womac["latest"] == 25 and womac["latest_date"] == "2026-03-16"
    assert worked.json("form", "inbox") == [] and worked.json("summary")["responses_waiting"] == 0
    [reviewed] = [e for e in worked.json("audit", "--entity", "form_response")
                  if e["action"] == "review"]  # fmt: skip
    assert reviewed["practitioner"] == "Dr Rabago"
    worked.refused("form", "accept", "1", says="response 1 was accepted on")
    worked.refused("form", "reject", "1", "--reason", "x", says="response 1 was accepted on")
    worked.refused("form", "accept", "7", says="no response 7")


def test_a_rejected_response_is_kept_out_with_its_reason(worked, tmp_path):
    path = write(tmp_path, "qr.json", response("P-0001", "womac", WOMAC, "2026-03-16"))
    worked.ok("form", "import", path)
    worked.ok("config", "set", "practitioner", "Dr Rabago")
    worked.refused("form", "reject", "1", status=2, says="--reason")
    worked.refused("form", "reject", "1", "--reason", "  ", says="--reason is needed")
    worked.ok("form", "reject", "1", "--reason", "answered for the other knee")
    assert worked.json("form", "inbox") == []
    assert [s["date"] for s in worked.json("score", "list", "P-0001")].count("2026-03-16") == 0
    [review] = [e for e in worked.json("audit", "--entity", "form_response")
                if e["action"] == "review"]  # fmt: skip
    assert review["reason"] == "answered for the other knee"
    assert review["practitioner"] == "Dr Rabago"
    worked.refused("form", "accept", "1", says="response 1 was rejected on")
    # rejected, the same answers may come again, and be accepted
    worked.ok("form", "import", path)
    worked.ok("form", "accept", "2")


def test_an_import_with_any_problem_is_refused_a_line_each_and_writes_nothing(worked, tmp_path):
    worked.ok("patient", "add", "Grace Hopper", "--chart", "P-0002")
    good = response("P-0001", "womac", WOMAC, "2026-03-16")
    path = write(
        tmp_path,
        "many.json",
        bundle(
            good,
            response("P-0404", "womac", WOMAC, "2026-03-16"),
            response("P-0001", "womac", WOMAC, "2026-03-16", questionnaire="urn:x:sf36|2"),
            response("P-0001", "womac", [9, *WOMAC[1:]], "2026-03-17"),
            response("P-0001", "odi", [1, 1, 1, 1, 1, 1, 1, 1, None, None], "2026-03-18"),
            response("P-0002", "womac", WOMAC, "2026-03-16"),
            response("P-0001", "womac", WOMAC, "2026-03-19", status="in-progress"),
            response("P-0001", "womac", WOMAC, "2026-03-02"),
            good,
        ),
    )
    result = worked.run("form", "import", path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"error: {path}: 8 problems; nothing was imported"
    assert (
        lines[:-1]
        == [
            f"{path}: entry 2: no patient with chart 'P-0404'",
            f"{path}: entry 3: questionnaire 'urn:x:sf36|2' is not a form prolotrack scores"
            " (known: odi, ndi, quickdash, koos, womac, prtee, spadi, promis-global-10)",
            f"{path}: entry 4: womac item A1: 9 is out of its range 0-4",
            f"{path}: entry 5: odi needs at least 9 of 10 answers; 8 given",
            f"{path}: entry 6: Grace Hopper (P-0002) has no course started by 2026-03-16",
            f"{path}: entry 7: status 'in-progress': only a completed response is taken",
            f"{path}: entry 8: course 1 already has a womac score on 2026-03-02",
            f"{path}: entry 9: answers womac of 2026-03-16 twice in this file",
        ]
        or lines
    )
    assert worked.json("form", "inbox") == []
    worked.refused("form", "import", write(tmp_path, "p.json", {"resourceType": "Patient"}),
                   says="is a Patient, not a QuestionnaireResponse")  # fmt: skip
    worked.refused("form", "import", str(tmp_path / "none.json"), says="no file")
    (tmp_path / "bad.json").write_text("{")
    worked.refused("form", "import", str(tmp_path / "bad.json"), says="is not JSON")


@pytest.mark.sqlite_only
def test_an_exported_bundle_matches_patients_through_its_own_patient_resources(worked, tmp_path):
    """prolotrack's own FHIR export names the patient by reference, and its Patient carries the
    chart: answers exported by one clinic's prolotrack are received by another's."""
    worked.ok("score", "add", "P-0001", "--form", "womac", "--answers",
              ",".join(map(str, WOMAC)), "--date", "2026-03-16")  # fmt: skip
    exported = tmp_path / "export.json"
    worked.ok("export", "fhir", "-o", str(exported))
    other = worked.__class__(tmp_path / "other.db", TODAY)
    other.ok("patient", "add", "Ada Lovelace", "--chart", "P-0001")
    other.ok("course", "start", "P-0001", "--condition", "knee", "--measure", "womac",
             "--date", "2026-01-05")  # fmt: skip
    other.ok("form", "import", str(exported))
    [waiting] = other.json("form", "inbox")
    assert waiting["answered_on"] == "2026-03-16" and "womac=25" in waiting["scores"]
    again = worked.run("form", "import", str(exported))
    assert again.exit_code == 1 and again.stderr.splitlines() == [
        f"{exported}: entry 25: course 1 already has womac answers on 2026-03-16",
        f"error: {exported}: 1 problem; nothing was imported",
    ]


def test_links_for_the_follow_ups_due_carry_the_contact_once(worked):
    worked.ok("patient", "edit", "P-0001", "--phone", "+44 20 7946 0000")
    worked.ok("patient", "add", "Grace Hopper", "--chart", "P-0002")
    worked.ok("course", "start", "P-0002", "--condition", "tennis elbow", "--measure", "nrs",
              "--sessions", "1", "--date", "2026-01-05")  # fmt: skip
    worked.ok("log", "P-0002", "--date", "2026-03-02", "--site", "CEO:1:D15", "--pain", "6")
    worked.today = date(2026, 6, 2)  # the 3-month follow-up of both courses is due
    result = worked.ok("form", "links", "--due", "-f", "csv")
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["chart"], row["phone"], row["form"], row["timepoint"]) == (
        "P-0001",
        "'+44 20 7946 0000",
        "womac",
        "3m",
    )  # fmt: skip (CSV's guard on a leading +)
    assert row["expires_on"] == "2026-06-16" and row["link"].startswith("http://127.0.0.1:8765/f/")
    assert "1 follow-up(s) due measure nrs, which no form scores" in result.stderr
    again = worked.ok("form", "links", "--due", "-f", "csv")
    assert list(csv.DictReader(io.StringIO(again.stdout))) == []
    assert "1 follow-up(s) due already have a live link" in again.stderr
    worked.ok("config", "set", "form-url", "https://forms.clinic.example/")
    worked.ok("form", "link", "1", "--form", "womac", "--timepoint", "3m")  # replaces it
    worked.refused("config", "set", "form-url", "forms.clinic.example", says="form-url")
    worked.refused("form", "links", says="--due")


@pytest.mark.sqlite_only
@pytest.mark.parametrize("columns", [80, 100])
def test_links_made_on_a_terminal_are_shown_whole(worked, columns):
    """A link is shown once (the record keeps only its hash): on a terminal of any width it is
    printed whole, never cut to fit a table."""
    import re

    from tests.cli.test_terminal import _on_a_pty
    from tests.conftest import INSTALLED

    worked.ok("patient", "edit", "P-0001", "--phone", "+44 20 7946 0000")
    argv = [str(INSTALLED), "--db", str(worked.path), "--today", "2026-06-02", "form", "links",
            "--due"]  # fmt: skip
    shown, status, _ = _on_a_pty(argv, columns, {**os.environ, "TERM": "xterm"})
    assert status == 0
    plain = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]", "", shown)
    assert re.search(r"http://127\.0\.0\.1:8765/f/[A-Za-z0-9_-]{43}(\s|$)", plain), plain
    assert "+44 20 7946 0000" in plain and "P-0001" in plain and "3m" in plain
