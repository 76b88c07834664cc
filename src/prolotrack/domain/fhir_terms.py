"""The codes, systems and data types prolotrack's FHIR resources share (clinical-reference.md
sections 5 and 8): the LOINC code of the pain NRS, the HCPCS code of prolotherapy, mCODE's
laterality qualifier with its SNOMED CT values, UCUM units, and the parts built from a record's
text (a name, a solution as a Medication, a body site with its side). ``domain/fhir.py`` builds
the resources from them.
"""

from __future__ import annotations

from prolotrack.domain import solutions

LOINC_PAIN_NRS = {
    "system": "http://loinc.org",
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
INSTRUMENT_SYSTEM = "urn:prolotrack:instrument"
CHART_SYSTEM = "urn:prolotrack:chart"
FORM_SYSTEM = "urn:prolotrack:form"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
# A signature's meaning as ISO/ASTM E1762-95 names it (FHIR's signature type value set).
SIGNATURE_SYSTEM = "urn:iso-astm:E1762-95:2013"
SIGNATURE_TYPES = {
    "performed": ("1.2.840.10065.1.12.1.1", "Author's Signature"),
    "reviewed": ("1.2.840.10065.1.12.1.13", "Review Signature"),
    "approved": ("1.2.840.10065.1.12.1.6", "Validation Signature"),
    "addendum": ("1.2.840.10065.1.12.1.15", "Addendum Signature"),
}  # a form's canonical reference: urn:prolotrack:form:odi|2.1a
LATERALITY_EXTENSION = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
PROLOTHERAPY = {
    "coding": [
        {
            "system": "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
            "code": "M0076",
            "display": "Prolotherapy",
        }
    ],
    "text": "prolotherapy injection",
}
# mCODE's laterality qualifier: its required value set (SNOMED CT), used inside its extension.
LATERALITY = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "bilateral": ("51440002", "Right and left"),
    "midline": ("399488007", "Midline"),
}
GENDER = {"F": "female", "M": "male", "X": "other"}
UCUM = "http://unitsofmeasure.org"


ALLERGENS = {
    "lidocaine": "lidocaine",
    "amide": "amide local anaesthetics",
    "fish": "fish (sodium morrhuate is made from cod-liver oil)",
    "corn": "corn (dextrose is corn-derived)",
}


def name(text: str) -> dict:
    """A name as text, and as family and given names where it has at least two words."""
    words = text.split()
    if len(words) < 2:
        return {"text": text}
    return {"text": text, "family": words[-1], "given": words[:-1]}


def medication(text: str) -> dict:
    """A contained Medication: the solution as typed, its known agents as ingredients."""
    body: dict = {"resourceType": "Medication", "id": "solution", "code": {"text": text}}
    ingredients = []
    for part in solutions.components(text):
        ingredient: dict = {"itemCodeableConcept": {"text": part.agent}, "isActive": part.known}
        if part.mg_per_ml is not None:
            ingredient["strength"] = {
                "numerator": {
                    "value": round(part.mg_per_ml, 4),
                    "unit": "mg",
                    "system": UCUM,
                    "code": "mg",
                },
                "denominator": {"value": 1, "unit": "mL", "system": UCUM, "code": "mL"},
            }
        ingredients.append(ingredient)
    if ingredients:
        body["ingredient"] = ingredients
    return body


def body_site(text: str, side: str | None) -> dict:
    site: dict = {"text": text}
    if side in LATERALITY:
        code, display = LATERALITY[side]
        coding = {"system": "http://snomed.info/sct", "code": code, "display": display}
        site["extension"] = [
            {"url": LATERALITY_EXTENSION, "valueCodeableConcept": {"coding": [coding]}}
        ]
    return site
