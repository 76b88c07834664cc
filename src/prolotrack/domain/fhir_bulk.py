"""The record as FHIR Bulk Data: the resources of a whole clinic for NDJSON files.

A Bundle of a whole clinic of ten years is more than a gigabyte, which no server takes in one
request; the standard for a population is the Bulk Data Access format: NDJSON, one file per
resource type, one resource per line (http://hl7.org/fhir/uv/bulkdata/). The resources are the
Bundle's, with two differences:

- References are relative, ``Patient/patient-1``: each resource is found by its type and id,
  which are those of the Bundle's resources, stable from one export to the next.
- Each distinct solution is one Medication, referred to by every administration of it, where a
  Bundle contains a Medication in each administration (a ten-year clinic gives the same few
  solutions 600,000 times). Its id is derived from the file's identity and the solution as
  typed, so it is stable too.
"""

from __future__ import annotations

import uuid

from prolotrack.domain import fhir_terms as terms
from prolotrack.domain.fhir import Bundle

_PREFIXES: dict[str, str] = {}  # kind -> what its references start with: 'Patient/patient-'


def _prefix(kind: str) -> str:
    _PREFIXES[kind] = f"{kind.split(':')[0]}/{kind.lower().replace(':', '-')}-"
    return _PREFIXES[kind]


class Bulk(Bundle):
    """Builds the resources of one file for Bulk Data files."""

    def __init__(self, file_id, catalogue):
        super().__init__(file_id, catalogue)
        self.medication_ids: dict[str, str] = {}  # solution as typed -> its Medication's id

    def url(self, kind: str, record_id: int) -> str:
        """A resource's relative reference: its type, then its id."""
        return f"{_PREFIXES.get(kind) or _prefix(kind)}{record_id}"

    def contained(self, solution: str) -> dict:
        return {}  # the solution is a Medication of its own (``medications``)

    def medication(self, solution: str) -> dict:
        return {"reference": f"Medication/{self._medication_id(solution)}", "display": solution}

    def medications(self, solution: str) -> list[dict]:
        """The solution's Medication, the first time it is given in this export."""
        if solution in self.medication_ids:
            return []
        resource = terms.medication(solution)
        resource["id"] = self._medication_id(solution)
        self.medication_ids[solution] = resource["id"]
        return [{"resource": resource}]

    def _medication_id(self, solution: str) -> str:
        found = self.medication_ids.get(solution)
        return found or f"medication-{uuid.uuid5(self.namespace, f'Medication/{solution}')}"
