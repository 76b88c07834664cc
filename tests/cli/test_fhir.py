"""The FHIR bundle of the worked example validates as R4 and holds what the record holds."""

import base64
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

Bundle = pytest.importorskip("fhir.resources.R4B.bundle").Bundle
MEDPLUM = Path(__file__).parents[1] / "medplum"


def medplum_errors(bundle: dict) -> str:
    """What Medplum's R4 validator finds in the bundle, run offline under Node.js."""
    node = shutil.which("node")
    if node is None or not (MEDPLUM / "node_modules" / "@medplum" / "core").is_dir():
        pytest.skip("Medplum's validator is not installed (.ci/run runs npm ci in tests/medplum)")
    found = subprocess.run(
        [node, str(MEDPLUM / "validate.mjs")],
        input=json.dumps(bundle),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.stdout.strip(), found.stderr
    return found.stdout


@pytest.fixture
def bundle(worked):
    return json.loads(filled_in(worked).ok("export", "fhir").stdout)


def filled_in(worked):
    """The worked example with one of everything the export writes."""
    worked.ok(
        "course",
        "start",
        "P-0001",
        "--condition",
        "left elbow",
        "--side",
        "midline",
        "--date",
        "2026-03-05",
    )
    worked.ok("adverse", "add", "2", "flare", "--severity", "moderate", "--note", "ice helped")
    worked.ok("adverse", "resolve", "1", "--date", "2026-02-05")
    worked.ok("course", "consent", "1", "--date", "2026-01-05", "--form", "prolo v2")
    worked.ok("course", "close", "1", "--status", "completed", "--date", "2026-03-02")
    worked.ok("patient", "flag", "P-0001", "allergy:fish", "--note", "hives")
    worked.ok("patient", "flag", "P-0001", "anticoagulant")
    worked.ok(
        "session",
        "amend",
        "1",
        "--anesthetic",
        "lidocaine 1% skin wheal",
        "--reason",
        "the wheal was not written down",
    )
    worked.ok("config", "set", "practitioner", "Dr Rabago")
    worked.ok("session", "sign", "1#3")
    worked.ok("session", "addendum", "1#3", "--note", "called: settled")
    prtee = ",".join(["5"] * 4 + ["-"] + ["4"] * 10)  # a form's answers, one not given
    worked.ok("score", "add", "2", "--form", "prtee", "--answers", prtee, "--date", "2026-03-06")
    return worked


def of_kind(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_validates_with_a_procedure_per_site_and_an_observation_per_score(bundle):
    Bundle.model_validate(bundle)
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert kinds == {
        "Patient": 1,
        "AllergyIntolerance": 1,
        "Flag": 1,
        "Condition": 3,
        "EpisodeOfCare": 2,
        "Consent": 1,
        "Encounter": 3,
        "Procedure": 9,
        "MedicationAdministration": 10,
        "Observation": 7,
        "Questionnaire": 1,
        "QuestionnaireResponse": 1,
        "Provenance": 2,
        "AdverseEvent": 1,
    }


def references(node):
    """Every reference inside a resource (or a bundle, or a list of them)."""
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            yield node["reference"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def test_every_reference_resolves_inside_the_bundle(bundle):
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert len(urls) == len(bundle["entry"])
    found = list(references(bundle))
    assert found and {r for r in found if not r.startswith("#")} <= urls
    for entry in bundle["entry"]:  # a local reference names a resource contained in its own
        contained = {f"#{c['id']}" for c in entry["resource"].get("contained", [])}
        assert {r for r in references(entry["resource"]) if r.startswith("#")} <= contained


def test_a_derived_score_points_to_the_answers_it_came_from(bundle):
    [answers] = of_kind(bundle, "QuestionnaireResponse")
    assert answers["questionnaire"] == "urn:prolotrack:form:prtee|MacDermid-2007"
    assert [i["linkId"] for i in answers["item"]][:6] == ["P1", "P2", "P3", "P4", "P5", "F1"]
    assert answers["item"][4] == {"linkId": "P5"}  # not answered: no answer, nothing made up
    assert answers["item"][0]["answer"] == [{"valueInteger": 5}]
    url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is answers)
    [derived] = [o for o in of_kind(bundle, "Observation") if "derivedFrom" in o]
    assert derived["derivedFrom"] == [{"reference": url}]
    assert derived["valueQuantity"]["value"] == 45  # pain 25 + function 40 / 2
    [form] = of_kind(bundle, "Questionnaire")
    assert f"{form['url']}|{form['version']}" == answers["questionnaire"]
    assert [i["linkId"] for i in form["item"]] == [i["linkId"] for i in answers["item"]]
    assert form["item"][0]["answerOption"][-1] == {"valueInteger": 10}
    assert not any("text" in i for i in form["item"])  # no wording leaves the clinic


def test_a_signature_and_an_addendum_are_provenance_of_their_encounter(bundle):
    signed, added = of_kind(bundle, "Provenance")
    encounter = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["id"] == "encounter-3")
    assert signed["target"] == added["target"] == [{"reference": encounter}]
    [signature] = signed["signature"]
    assert signature["type"][0]["display"] == "Author's Signature"
    assert signature["who"] == {"display": "Dr Rabago"} and signature["when"].endswith("Z")
    assert len(base64.b64decode(signature["data"])) == 32  # the SHA-256 of what was signed
    assert added["signature"][0]["type"][0]["display"] == "Addendum Signature"


def test_pain_is_loinc_and_sites_carry_laterality_solution_and_volume(bundle):
    resources = [e["resource"] for e in bundle["entry"]]
    pain = [
        r
        for r in resources
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "72514-3"
    ]
    assert [p["valueQuantity"]["value"] for p in pain] == [7, 5, 3]
    womac = next(
        r
        for r in resources
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "womac"
    )
    assert womac["code"]["coding"][0]["system"] == "urn:prolotrack:instrument"
    procedure = next(r for r in resources if r["resourceType"] == "Procedure")
    site = procedure["bodySite"][0]
    assert site["text"] == "intra-articular"
    laterality = site["extension"][0]["valueCodeableConcept"]["coding"][0]
    # mCODE's laterality extension with its own required codes: 24028007 right
    assert site["extension"][0]["url"].endswith("mcode-laterality-qualifier")
    assert (laterality["system"], laterality["code"]) == ("http://snomed.info/sct", "24028007")
    assert procedure["code"]["coding"][0]["system"] == (
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
    )
    url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is procedure)
    given = next(
        m
        for m in of_kind(bundle, "MedicationAdministration")
        if m.get("partOf") == [{"reference": url}]
    )
    assert given["dosage"]["dose"] == {
        "value": 6.0,
        "unit": "mL",
        "system": "http://unitsofmeasure.org",
        "code": "mL",
    }
    [medication] = given["contained"]
    assert medication["code"]["text"] == "dextrose 25%"
    [dextrose] = medication["ingredient"]
    assert dextrose["itemCodeableConcept"]["text"] == "dextrose"
    assert dextrose["strength"]["numerator"]["value"] == 250  # 25 % is 250 mg/mL
    patient = resources[0]
    assert patient["identifier"][0]["value"] == "P-0001" and patient["birthDate"] == "1950-05-01"


def test_export_is_stable_and_one_patient_can_be_chosen(worked):
    first = worked.ok("export", "fhir").stdout
    assert worked.ok("export", "fhir").stdout == first
    worked.ok("patient", "add", "Grace Hopper", "--chart", "P-0002")
    only = json.loads(worked.ok("export", "fhir", "--patient", "P-0002").stdout)
    assert [e["resource"]["resourceType"] for e in only["entry"]] == ["Patient"]
    worked.refused("export", "fhir", "--deidentify", says="export fhir takes only")


def test_closed_courses_adverse_events_flags_consent_and_names_are_all_there(bundle):
    patient = of_kind(bundle, "Patient")[0]
    assert patient["name"] == [{"text": "Ada Lovelace", "family": "Lovelace", "given": ["Ada"]}]
    knee = next(
        c for c in of_kind(bundle, "Condition") if c["code"]["text"] == "right knee osteoarthritis"
    )
    assert knee["clinicalStatus"]["coding"][0]["code"] == "inactive"
    assert knee["abatementDateTime"] == "2026-03-02"
    [event] = of_kind(bundle, "AdverseEvent")
    assert len(event["suspectEntity"]) == 3  # every site of the session, not the first only
    assert event["seriousness"]["coding"][0]["code"] == "non-serious"
    flare = next(c for c in of_kind(bundle, "Condition") if "flare" in c["code"]["text"])
    assert flare["note"] == [{"text": "ice helped"}]
    assert flare["abatementDateTime"] == "2026-02-05"
    assert event["resultingCondition"][0]["reference"] == next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"] is flare
    )
    [allergy] = of_kind(bundle, "AllergyIntolerance")
    assert allergy["category"] == ["food"] and "fish" in allergy["code"]["text"]
    [flag] = of_kind(bundle, "Flag")
    assert "anticoagulant" in flag["code"]["text"]
    [consent] = of_kind(bundle, "Consent")
    assert (consent["dateTime"], consent["policyRule"]["text"]) == ("2026-01-05", "prolo v2")
    wheal = next(m for m in of_kind(bundle, "MedicationAdministration") if "partOf" not in m)
    assert wheal["contained"][0]["ingredient"][0]["strength"]["numerator"]["value"] == 10


def test_the_demo_clinics_bundle_validates(tmp_path):
    """Every resource of the sample clinic (flags, consent, anaesthetics, adverse events, a
    bilateral course, follow-ups) passes the R4B models: 0 errors."""
    from datetime import date

    from tests.conftest import Clinic

    demo = Clinic(tmp_path / "demo.db", date(2026, 11, 30))
    demo.ok("demo", "--file", str(demo.path))
    bundle = json.loads(demo.ok("export", "fhir").stdout)
    Bundle.model_validate(bundle)
    assert medplum_errors(bundle).strip().splitlines()[-1] == "0 errors"
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert {
        "AllergyIntolerance",
        "Flag",
        "Consent",
        "MedicationAdministration",
        "AdverseEvent",
    } <= set(kinds)
    sides = {
        e["resource"]["bodySite"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Procedure"
        and "extension" in e["resource"]["bodySite"][0]
    }
    assert sides == {"7771000", "24028007", "399488007"}  # left, right, midline; no bilateral row


def test_the_stronger_validator_finds_what_it_should(bundle):
    """The Medplum check is not a rubber stamp: a missing status and an unknown element fail."""
    assert medplum_errors(bundle).strip().splitlines()[-1] == "0 errors"
    broken = json.loads(json.dumps(bundle))
    procedure = next(
        e["resource"] for e in broken["entry"] if e["resource"]["resourceType"] == "Procedure"
    )
    del procedure["status"]
    broken["entry"][0]["resource"]["colour"] = "blue"
    found = medplum_errors(broken)
    assert "Missing required property (Procedure.status)" in found
    assert 'Invalid additional property "colour" (Patient.colour)' in found
