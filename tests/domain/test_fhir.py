"""The FHIR bundle of the worked example validates as R4 and holds what the record holds."""

import json
from collections import Counter

import pytest

Bundle = pytest.importorskip("fhir.resources.R4B.bundle").Bundle


@pytest.fixture
def bundle(worked):
    worked.ok("course", "start", "P-0001", "--condition", "left elbow", "--side", "midline",
              "--date", "2026-03-05")  # fmt: skip
    worked.ok("adverse", "add", "2", "flare", "--severity", "moderate")
    return json.loads(worked.ok("export", "fhir").stdout)


def test_bundle_validates_with_a_procedure_per_site_and_an_observation_per_score(bundle):
    Bundle.model_validate(bundle)
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert kinds == {"Patient": 1, "Condition": 2, "EpisodeOfCare": 2, "Encounter": 3,
                     "Procedure": 9, "Observation": 6, "AdverseEvent": 1}  # fmt: skip


def test_every_reference_resolves_inside_the_bundle(bundle):
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert len(urls) == len(bundle["entry"])

    def references(node):
        if isinstance(node, dict):
            if "reference" in node:
                yield node["reference"]
            for value in node.values():
                yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    found = list(references(bundle))
    assert found and set(found) <= urls


def test_pain_is_loinc_and_sites_carry_laterality_solution_and_volume(bundle):
    resources = [e["resource"] for e in bundle["entry"]]
    pain = [r for r in resources if r["resourceType"] == "Observation"
            and r["code"]["coding"][0]["code"] == "72514-3"]  # fmt: skip
    assert [p["valueQuantity"]["value"] for p in pain] == [7, 5, 3]
    womac = next(r for r in resources if r["resourceType"] == "Observation"
                 and r["code"]["coding"][0]["code"] == "womac")  # fmt: skip
    assert womac["code"]["coding"][0]["system"] == "urn:prolotrack:instrument"
    procedure = next(r for r in resources if r["resourceType"] == "Procedure")
    site = procedure["bodySite"][0]
    assert site["text"] == "intra-articular"
    laterality = site["extension"][0]["valueCodeableConcept"]["coding"][0]
    assert (laterality["system"], laterality["code"]) == ("http://snomed.info/sct", "419465000")
    assert procedure["usedCode"][0]["text"] == "dextrose 25%"
    assert procedure["extension"][0]["valueQuantity"] == {
        "value": 6.0, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL",
    }  # fmt: skip
    patient = resources[0]
    assert patient["identifier"][0]["value"] == "P-0001" and patient["birthDate"] == "1950-05-01"


def test_export_is_stable_and_one_patient_can_be_chosen(worked):
    first = worked.ok("export", "fhir").stdout
    assert worked.ok("export", "fhir").stdout == first
    worked.ok("patient", "add", "Grace Hopper", "--chart", "P-0002")
    only = json.loads(worked.ok("export", "fhir", "--patient", "P-0002").stdout)
    assert [e["resource"]["resourceType"] for e in only["entry"]] == ["Patient"]
    worked.refused("export", "fhir", "--deidentify", says="export fhir takes only")
