"""FHIR Bulk Data of a whole clinic (-o DIR): one NDJSON file per resource type, relative
references that resolve inside the files, one Medication per distinct solution; the same
resources as the Bundle, each valid R4."""

import json
from collections import Counter

import pytest

from tests.cli.test_fhir import filled_in, medplum_errors, references

model = pytest.importorskip("fhir.resources.R4B").get_fhir_model_class


def read(folder) -> dict[str, list[dict]]:
    """Each file's resources, by the type the file is named after."""
    return {
        path.stem: [json.loads(line) for line in path.read_text().splitlines()]
        for path in sorted(folder.iterdir())
    }


@pytest.fixture
def exported(worked, tmp_path):
    filled_in(worked)
    said = worked.ok("export", "fhir", "-o", str(tmp_path / "bulk")).stderr
    bundle = json.loads(worked.ok("export", "fhir").stdout)
    return read(tmp_path / "bulk"), bundle, said


def test_one_file_per_type_holding_the_bundles_resources_and_one_medication_per_solution(
    exported,
):
    files, bundle, said = exported
    for kind, resources in files.items():
        assert {r["resourceType"] for r in resources} == {kind}
    in_bundle = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    in_files = Counter({kind: len(resources) for kind, resources in files.items()})
    # the worked example gives D25, D15 and a lidocaine wheal: three solutions, three Medications
    assert in_files == in_bundle + Counter({"Medication": 3})
    assert sorted(m["code"]["text"] for m in files["Medication"]) == [
        "dextrose 15%",
        "dextrose 25%",
        "lidocaine 1% skin wheal",
    ]
    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]}
    assert ids <= {(kind, r["id"]) for kind, resources in files.items() for r in resources}
    assert not any("contained" in r for r in files["MedicationAdministration"])
    assert said.startswith(f"Exported {sum(in_files.values())} resources to ")
    assert "Medication 3, MedicationAdministration 10" in said


def test_every_reference_is_relative_and_resolves_inside_the_files(exported):
    files, _, _ = exported
    present = {f"{kind}/{r['id']}" for kind, resources in files.items() for r in resources}
    found = [ref for resources in files.values() for ref in references(resources)]
    assert found and set(found) <= present
    given = Counter(
        ref
        for r in files["MedicationAdministration"]
        for ref in references(r["medicationReference"])
    )
    d25 = next(m["id"] for m in files["Medication"] if m["code"]["text"] == "dextrose 25%")
    assert given[f"Medication/{d25}"] == 3  # the three intra-articular sites, one Medication


def test_every_resource_is_valid_r4(exported):
    files, _, _ = exported
    for kind, resources in files.items():
        for resource in resources:
            model(kind).model_validate(resource)
    everything = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for resources in files.values() for r in resources],
    }
    assert medplum_errors(everything).strip().splitlines()[-1] == "0 errors"


def test_a_second_export_is_the_same_and_needs_force(worked, tmp_path):
    filled_in(worked)
    folder = tmp_path / "bulk"
    worked.ok("export", "fhir", "-o", str(folder))
    first = read(folder)
    worked.refused("export", "fhir", "-o", str(folder), says="give --force to replace them")
    (folder / "Provenance.ndjson").unlink()
    (folder / "Basic.ndjson").write_text("{}\n")  # an earlier export's type this one lacks
    worked.ok("export", "fhir", "-o", str(folder), "--force")
    assert read(folder) == {k: v for k, v in first.items()}
    assert sorted(p.stat().st_mode & 0o777 for p in folder.iterdir()) == [0o600] * len(first)


def test_one_patient_or_a_json_file_is_one_bundle_and_a_file_is_not_a_folder(worked, tmp_path):
    worked.ok("export", "fhir", "-o", str(tmp_path / "all.json"))
    assert json.loads((tmp_path / "all.json").read_text())["resourceType"] == "Bundle"
    worked.ok("export", "fhir", "--patient", "P-0001", "-o", str(tmp_path / "one"))
    assert json.loads((tmp_path / "one").read_text())["resourceType"] == "Bundle"
    (tmp_path / "notes.txt").write_text("mine\n")
    worked.refused(
        "export", "fhir", "-o", str(tmp_path / "notes.txt"), says="writes a folder of NDJSON"
    )
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


def test_nothing_is_left_when_the_database_cannot_be_read(tmp_path):
    from tests.conftest import Clinic

    nowhere = Clinic(tmp_path / "none.db")
    nowhere.refused("export", "fhir", "-o", str(tmp_path / "bulk"), status=1)
    assert not (tmp_path / "bulk").exists()
