"""A session's signature, co-signature or addendum as a FHIR R4 Provenance: its target the
session's Encounter, its agent the signer, its signature typed by meaning (ISO/ASTM E1762-95)
with the hash of what was signed as its data."""

from __future__ import annotations

import base64

from prolotrack.domain import fhir_terms as terms
from prolotrack.domain.fhir import Bundle
from prolotrack.domain.models import Session
from prolotrack.domain.signatures import Signature


def provenance(bundle: Bundle, g: Signature, s: Session) -> dict:
    """A signature, co-signature or addendum of a session: who, when, what it means, and
    the hash of what was signed as the signature's data."""
    role = "author" if g.kind != "cosign" else "verifier"
    code, display = terms.SIGNATURE_TYPES[g.kind if g.kind == "addendum" else g.meaning]
    who = {"display": g.signer}
    body: dict = {
        "target": [bundle.ref("Encounter", s.id)],
        "recorded": g.signed_at,
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": terms.PARTICIPANT_TYPE,
                            "code": role,
                        }
                    ]
                },
                "who": who,
            }
        ],
        "signature": [
            {
                "type": [{"system": terms.SIGNATURE_SYSTEM, "code": code, "display": display}],
                "when": g.signed_at,
                "who": who,
                "data": base64.b64encode(bytes.fromhex(g.content_hash)).decode(),
            }
        ],
    }
    if g.note:
        body["reason"] = [{"text": "addendum"}]
    return bundle.entry("Provenance", g.id, body)
