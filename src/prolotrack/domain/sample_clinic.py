"""A sample clinic for ``prolotrack demo``: a dozen patients on the published protocols.

Built through the same rules as the command line, so the demo shows what a real file holds.
It is deterministic for a given "today": every date counts back from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from prolotrack.domain.instruments import CATALOGUE, HIGHER

_INSTRUMENTS = {i.code: i for i in CATALOGUE}

# Most courses follow a built-in protocol; the low back one has sites of its own.
_LOW_BACK = [
    ("iliolumbar ligament", 1, "D15"),
    ("supraspinous ligament L4-L5", 1, "D15"),
    ("interspinous ligament L5-S1", 1, "D15"),
]
# The Cusi protocol gives neither volume nor strength: the demo's practitioner chose these.
OPTIONS = {"sij-cusi": (2.0, "dextrose 20%")}


@dataclass(frozen=True)
class SamplePatient:
    name: str
    born: str
    sex: str
    condition: str
    region: str
    side: str | None
    icd10: str
    measure: str
    every: str
    planned: int
    plan: str | list  # a protocol's name, or the sites given at each session
    started_weeks_ago: int
    baseline_pain: int
    baseline_measure: float
    response: float  # share of the way to the best score reached by the last session
    close: str | None = None  # completed or discontinued
    followed_up: tuple[str, ...] = ()  # the timepoints at which the patient was scored


PATIENTS = [
    SamplePatient("Ada Lovelace", "1950-05-01", "F", "right knee osteoarthritis", "knee", "right",
                  "M17.11", "womac", "4w", 3, "knee-oa-rabago", 12, 7, 52, 0.45),
    SamplePatient("Grace Hopper", "1946-12-09", "F", "left knee osteoarthritis", "knee", "left",
                  "M17.12", "womac", "4w", 5, "knee-oa-rabago", 18, 8, 61, 0.6),
    SamplePatient("Alan Turing", "1954-06-23", "M", "bilateral knee osteoarthritis", "knee",
                  "bilateral", "M17.0", "womac", "4w", 3, "knee-oa-rabago", 30, 6, 44, 0.05,
                  "completed", ("3m",)),
    SamplePatient("Edsger Dijkstra", "1940-05-11", "M", "right knee osteoarthritis", "knee",
                  "right", "M17.11", "vas", "2m", 6, "knee-oa-reeves", 26, 6, 62, 0.5),
    SamplePatient("Barbara Liskov", "1959-11-07", "F", "finger osteoarthritis", "hand", "right",
                  "M18.9", "vas", "2m", 3, "finger-oa-reeves", 17, 5, 55, 0.45),
    SamplePatient("Donald Knuth", "1968-01-10", "M", "right lateral epicondylosis", "elbow",
                  "right", "M77.11", "prtee", "4w", 3, "lateral-elbow-scarpone", 10, 6, 58, 0.7),
    SamplePatient("Frances Allen", "1972-08-04", "F", "left lateral epicondylosis", "elbow",
                  "left", "M77.12", "prtee", "4w", 3, "lateral-elbow-scarpone", 9, 7, 64, -0.1,
                  "discontinued"),
    SamplePatient("John Backus", "1981-12-03", "M", "right Achilles tendinosis", "ankle",
                  "right", "M76.61", "visa-a", "1w", 8, "achilles-yelland", 7, 6, 42, 0.55),
    SamplePatient("Radia Perlman", "1985-12-18", "F", "left Achilles tendinosis", "ankle",
                  "left", "M76.62", "visa-a", "1w", 6, "achilles-yelland", 5, 5, 50, 0.3),
    SamplePatient("Ken Thompson", "1963-02-04", "M", "sacroiliac joint dysfunction", "pelvis",
                  "midline", "M53.3", "rmdq", "6w", 3, "sij-cusi", 14, 7, 14, 0.5),
    SamplePatient("Margaret Hamilton", "1936-08-17", "F", "first carpometacarpal osteoarthritis",
                  "hand", "left", "M18.12", "vas", "1m", 3, "cmc-oa-jahangiri", 11, 6, 60, 0.4),
    SamplePatient("Dennis Ritchie", "1961-09-09", "M", "chronic low back pain", "low back",
                  "midline", "M54.50", "odi", "4w", 4, _LOW_BACK, 13, 6, 38, 0.0),
    # Seen a year ago: the 3m call was missed, 6m was done, 12m is due now.
    SamplePatient("Tim Berners-Lee", "1955-06-08", "M", "right knee osteoarthritis", "knee",
                  "right", "M17.11", "womac", "4w", 3, "knee-oa-rabago", 60, 7, 48, 0.5,
                  "completed", ("6m",)),
    # Never came back after the course: lost to follow-up.
    SamplePatient("Sophie Wilson", "1957-06-01", "F", "right lateral epicondylosis", "elbow",
                  "right", "M77.11", "prtee", "4w", 3, "lateral-elbow-scarpone", 44, 6, 60,
                  0.5, "completed"),
]  # fmt: skip

FLAGS = {
    "Grace Hopper": ("anticoagulant", "apixaban 5 mg twice a day"),
    "Donald Knuth": ("allergy:fish", "hives after cod-liver oil capsules"),
}
ADVERSE = {
    "Grace Hopper": ("flare", "moderate"),
    "Frances Allen": ("flare", "severe"),
    "Ken Thompson": ("bruising", "mild"),
    "John Backus": ("vasovagal", "mild"),
}


def value_at(code: str, baseline: float, fraction: float) -> float:
    """A score ``fraction`` of the way from ``baseline`` to the instrument's best end."""
    instrument = _INSTRUMENTS[code]
    best = instrument.maximum if instrument.better == HIGHER else instrument.minimum
    value = baseline + (best - baseline) * fraction
    value = min(max(value, instrument.minimum), instrument.maximum)
    return round(value, 1) if instrument.maximum <= 10 and code != "nrs" else round(value)
