"""Signed sessions (SPEC, third edition, "Signed records"; 21 CFR 11.50 and 11.70): what a
signature binds, and the rules that follow from one.

A signature names its signer, the UTC time and its meaning, and carries a hash of the session's
content as it was signed: the session's own fields, its injection sites and the course's scores
of that day. The signature's row is in the keyed audit chain, so the hash cannot be rewritten
unseen, and ``db check`` recomputes it from the session as it stands. A signed session is then
changed only by addenda (dated, attributed, signed by their writers); a change to what was signed
is refused naming the signature.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from prolotrack.domain.errors import Refused

MEANINGS = ("performed", "reviewed", "approved")
SIGN, COSIGN, ADDENDUM = "sign", "cosign", "addendum"
KINDS = (SIGN, COSIGN, ADDENDUM)

# What of a session its signature covers: every field but those that follow from others (its
# number, its last change) or come after it (a void, which needs its own reason and voider).
SESSION_FIELDS = ("id", "course_id", "date", "practitioner", "anesthetic", "guidance", "note",
                  "warnings")  # fmt: skip
SITE_FIELDS = ("position", "site", "side", "solution", "volume_ml", "points", "guidance")
SCORE_FIELDS = ("id", "instrument", "value", "answer_set_id", "voided_at")


@dataclass(frozen=True)
class Signature:
    id: int
    session_id: int
    kind: str  # sign, cosign or addendum
    signer: str  # the practitioner setting of whoever signed
    account: str  # the system user (on a file) or the database role (on a server)
    signed_at: str  # UTC, ISO 8601
    meaning: str
    content_hash: str
    note: str | None = None  # an addendum's text

    @property
    def shown(self) -> str:
        """How a signature reads wherever the session is shown (21 CFR 11.50)."""
        what = "addendum by" if self.kind == ADDENDUM else f"{self.meaning}: signed by"
        if self.kind == COSIGN:
            what = f"{self.meaning}: co-signed by"
        return f"{what} {self.signer} ({self.account}) at {self.signed_at}"


def content(session: dict, sites: list[dict], scores: list[dict]) -> str:
    """The session's content as its signature hashes it: canonical JSON of its fields, its
    sites in order and the course's scores of that day (by id)."""
    return json.dumps(
        {
            "session": {k: session.get(k) for k in SESSION_FIELDS},
            "sites": [{k: s.get(k) for k in SITE_FIELDS} for s in sites],
            "scores": [
                {k: s.get(k) for k in SCORE_FIELDS} for s in sorted(scores, key=lambda s: s["id"])
            ],
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def content_hash(session: dict, sites: list[dict], scores: list[dict]) -> str:
    return hashlib.sha256(content(session, sites, scores).encode()).hexdigest()


def addendum_hash(signed: str, note: str, signer: str, at: str) -> str:
    """An addendum binds its own text to the content it was written on."""
    return hashlib.sha256(json.dumps([signed, note, signer, at]).encode()).hexdigest()


def refuse_change(reference: str, signatures: list[Signature], what: str) -> None:
    """Refuse a change to what a signature covers, naming the signature and the way to add to
    a signed session (``reference``: the session as COURSE#N)."""
    signed = [s for s in signatures if s.kind == SIGN]
    if not signed:
        return
    first = signed[0]
    raise Refused(
        f"session {reference} was signed by {first.signer} at {first.signed_at}"
        f" ({first.meaning}); {what} would change what was signed: add an addendum instead"
        f" (prolotrack session addendum {reference} --note TEXT)"
    )
