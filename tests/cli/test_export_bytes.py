"""Every export of a generated clinic, byte for byte as it was: work on the exports' speed
changes none of their output.

The clinic is tests/benchmarks/make_clinic.py's at a small scale (without the follow-ups it
answers since issue 34, so that its records are those the digests were taken from), with its two
secrets fixed (pseudonyms and FHIR identifiers follow them) and a few records whose texts a CSV or a
spreadsheet must take care with. ``DIGESTS`` were recorded from the exports before the speed
work of issue 18, and recorded again where the third edition changed what is exported on
purpose (Scarpone's mix lists its lidocaine and bupivacaine, so sessions, injections and FHIR
changed; export sessions gained its warnings column, then its signature columns; progress
leaves a course with a baseline alone unjudged); print the current ones with
``python -m tests.cli.test_export_bytes``. The same clinic copied to a PostgreSQL server exports
the same bytes there.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from prolotrack.storage import chain, keys
from prolotrack.storage.connection import FileDatabase
from tests import raw
from tests.benchmarks.make_clinic import build
from tests.conftest import Clinic

pytestmark = pytest.mark.sqlite_only  # each test makes the engines it needs: the default pass

TODAY = date(2026, 11, 23)
FILE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
EXPORTS = [
    *((table, fmt, deidentify)
      for table in ("patients", "courses", "sessions", "injections", "scores", "progress",
                    "adverse")
      for fmt in ("csv", "json") for deidentify in (False, True)),
    ("fhir", "json", False),
]  # fmt: skip

DIGESTS = {
    "patients csv": "f553eedd59195241ed7a9155d4fd1def24ca5a85fd9267223872e7b8d9b59536",
    "patients csv deid": "0b61dfc85cb2489dfc5b1a3ae542363b15051fea3956ffea8e737abdf97f80ad",
    "patients json": "52cc375c5674fb432078986a534e5200cf0afa77f0007334ab7c900b4359729e",
    "patients json deid": "1120d4bb72b2c42e05ce0e47e92dbbde03e6ba5c8e25b5650155f9b13e423125",
    "courses csv": "1e1c04a7aab188b6a258a3c9ed9d5248bc8021e0f4bed76b0d1fe418d2fb36cb",
    "courses csv deid": "a77996ac5e42746a0abc7fa5a9ff3767e54ff0115fa1572ffef878f1b6c24b97",
    "courses json": "17be10f0719adac1d4093b9327eacc6843845797d5525e749a7214e215488fe4",
    "courses json deid": "bab96c4207aef8356cae96c272bd818ab147c05080d6196e8e5cd5868daa2ec2",
    "sessions csv": "a6c187ec9b3096d4a570252071ee1ee5dae5c8ada3fcc59c385b45358b0bfc5a",
    "sessions csv deid": "2c3f4456de04580123ecfe1ecaa9ab5f6b9c212277dba89a9e095000038f38b5",
    "sessions json": "9dcb9406019d22d8bd93359ebbbf339cca46b57c4df259faab0ad025220c75cc",
    "sessions json deid": "415f8e0e4239ced7891599e65fb30bd5838b013efaa752e7501661014dce98f9",
    "injections csv": "a78c65fffac4c816a4c52e415d9666a0183ee01222f594891a174c866db79e51",
    "injections csv deid": "d4b14d5b05b874632a688853f17c863cc4df5af4f98619cfb6335f5bacc4bfc1",
    "injections json": "493d56647d3ed4ebd4f2fcf42f11a96928d15b235ad7bb04566db3a6767a009c",
    "injections json deid": "8b2234568395e397991dde45d1b9cbbc0cd8f30e1c418b2cf835e765932880fc",
    "scores csv": "22d6ed570d1f80ad6407e15603533fe1bb9cbe01e0e4ef5e4ee1b4a9b46901a1",
    "scores csv deid": "d2becd1a47ee2706ab4b8292eda0dd9eabcf8ca976cb9b26ed631da3fe3d3e35",
    "scores json": "cd24735f22babf87d6d006fdae09cf6ff71e61eba89730fa1c658314893355c3",
    "scores json deid": "e24159a9fc1ee07026bbf4ce7c9411666439f2e8d22e495ca85574e25e447f1e",
    "progress csv": "f62fb65822f149dce433fadc9a447a9f6aa8f088d3771aa9e1e519a0c558af58",
    "progress csv deid": "355661968ab03e4756c67173b706485dd6de549c680097d9880458282614dc66",
    "progress json": "a449c683d3fe6c90788f791583afb2635bdf76b399a9aee08f76b70536082441",
    "progress json deid": "79f1132c93efba8bc2f3ab8f3df5e6b07993e4f2ed04acd82bfc1b2e817d7769",
    "adverse csv": "7bef868c0809b8ee3ba31d69ec8292bfe61d5b6aa9071c6edae49349d649adbd",
    "adverse csv deid": "5594f21daea0947c27f884a5672926e61e936ef29d8e791a290afe95afcbfcae",
    "adverse json": "a29d4f460ac522d2ff1fc94f75a2ad4d72ede60fa6c2c3e7077fccad0560e3b9",
    "adverse json deid": "f7c744d348d9dd6cd30f23d38c3f53adbe832e31daeca6d03f790f011439bad3",
    "fhir json": "85fa9fb031bd7dfcb9c2c938027cc4cfbdb0007d7cb4e6a2ead51e1488d177de",
}  # fmt: skip


def generated(path: Path) -> Clinic:
    build(path, scale=0.01, today=TODAY, follow_ups=False)
    with raw.connect(path) as conn:  # secrets are not audited: a write as the file's owner
        was = conn.execute("SELECT value FROM secrets WHERE name = 'file-id'").fetchone()[0]
        conn.execute("UPDATE secrets SET value = :v WHERE name = 'pseudonym-key'", {"v": "5" * 64})
        conn.execute("UPDATE secrets SET value = :v WHERE name = 'file-id'", {"v": FILE_ID})
    conn.close()
    for where in (keys.key_path, keys.sealed_path):
        where(was).rename(where(FILE_ID))  # the chain's key follows the file's id
    keys.head_path(was, path).unlink()
    conn = raw.connect(path)  # and the head, which counts the secrets, is made anew
    keys.save_head(FILE_ID, path, chain.head(FileDatabase(conn, execute_plugins=False), None))
    conn.close()
    clinic = Clinic(path, TODAY)
    clinic.ok(
        "patient",
        "add",
        '+44 Hopper, "Amazing" Grace',
        "--chart",
        "=P-9",
        "--born",
        "1906-12-09",
        "--note",
        "line one\rline two",
    )
    clinic.ok(
        "course",
        "start",
        "=P-9",
        "--condition",
        "@knee, left",
        "--region",
        "knee",
        "--side",
        "left",
        "--measure",
        "womac",
        "--date",
        "2026-01-05",
    )
    clinic.ok(
        "session",
        "log",
        "=P-9",
        "--date",
        "2026-01-05",
        "--by",
        "-Dr, X",
        "--anesthetic",
        "+lidocaine",
        "--site",
        "=odd site:0.75:D15",
        "--site",
        "MCL:1:lidocaine 1%",
        "--pain",
        "7",
        "--score",
        "womac=52",
        "--score",
        "vas=42.5",
        "--note",
        'said "ouch"\r\nthen fine',
    )
    return clinic


def exported(clinic: Clinic, table: str, fmt: str, deidentify: bool) -> bytes:
    args = ["export", table, *(["-f", fmt] if table != "fhir" else [])]
    args += ["--deidentify"] if deidentify else []
    return clinic.ok(*args).stdout_bytes


def name(table: str, fmt: str, deidentify: bool) -> str:
    return f"{table} {fmt}{' deid' if deidentify else ''}"


def test_every_export_of_a_generated_clinic_is_as_it_was(tmp_path):
    clinic = generated(tmp_path / "generated.db")
    found = {
        name(*export): hashlib.sha256(exported(clinic, *export)).hexdigest() for export in EXPORTS
    }
    assert found == DIGESTS
    injections = exported(clinic, "injections", "csv", False).decode()
    assert """'=P-9,"'+44 Hopper, ""Amazing"" Grace","'@knee, left",knee,""" in injections
    assert ""","'-Dr, X",'+lidocaine,,'=odd site,left,dextrose 15%,0.75,1,7,42.5,52,""" in (
        injections
    )
    assert '"line one\rline two"' in exported(clinic, "patients", "csv", False).decode()


def test_every_export_of_it_on_a_clinic_server_is_the_same(tmp_path, postgres_url):
    """The same clinic copied to PostgreSQL exports the same bytes there (the copy keeps the
    file's identity and pseudonym key)."""
    clinic = generated(tmp_path / "generated.db")
    clinic.ok("db", "copy", "--to", postgres_url)
    server = Clinic(postgres_url, TODAY)
    found = {
        name(*export): hashlib.sha256(exported(server, *export)).hexdigest() for export in EXPORTS
    }
    assert found == DIGESTS


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        clinic = generated(Path(folder) / "generated.db")
        for export in EXPORTS:
            digest = hashlib.sha256(exported(clinic, *export)).hexdigest()
            print(f'    "{name(*export)}": "{digest}",')
