"""Outcome instruments: the built-in catalogue and the check of a score against its range.

The catalogue is clinical-reference.md section 1. It seeds the ``instruments`` table of a new
database, where the practitioner may later change an MCID; the table, not this list, is what
the rest of prolotrack reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from prolotrack.domain.errors import InvalidInput

LOWER = "lower"
HIGHER = "higher"
POINTS = "points"
PERCENT = "percent"


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    minimum: float
    maximum: float
    better: str  # LOWER or HIGHER: which direction is improvement
    mcid: float | None  # None where no MCID has been confirmed
    mcid_unit: str = POINTS  # POINTS, or PERCENT of the baseline
    source: str = ""
    builtin: bool = True
    whole_points: bool = False  # scored in whole points: a fraction is a typing error
    # A global rating read without a baseline (PGIC): this score or better is a responder.
    responder_at: float | None = None

    @property
    def is_global(self) -> bool:
        return self.responder_at is not None

    @property
    def range_text(self) -> str:
        return f"{self.minimum:g}-{self.maximum:g}"

    @property
    def mcid_text(self) -> str:
        if self.mcid is None:
            return "n/a"
        return f"{self.mcid:g}%" if self.mcid_unit == PERCENT else f"{self.mcid:g}"

    def check(self, value: float, *, derived: bool = False) -> float:
        """Refuse a score outside the instrument's range, naming the range, and a fraction
        of an instrument scored in whole points when typed (a form's rule may derive one: a
        missing WOMAC item takes the mean of its part)."""
        if math.isnan(value) or not (self.minimum <= value <= self.maximum):
            raise InvalidInput(
                f"{self.code} score {value:g} is out of range "
                f"({self.name}: {self.minimum:g} to {self.maximum:g})"
            )
        if self.whole_points and not derived and value != int(value):
            raise InvalidInput(
                f"{self.code} is scored in whole points: {value:g} is not one"
                f" (a whole number from {self.minimum:g} to {self.maximum:g})"
            )
        return value


def _i(code, name, lo, hi, better, mcid, source, unit=POINTS, **more) -> Instrument:
    return Instrument(code, name, lo, hi, better, mcid, unit, source, **more)


CATALOGUE: tuple[Instrument, ...] = (
    _i("nrs", "Numeric pain rating scale, 11 points", 0, 10, LOWER, 2,
       "Farrar 2001 (Pain 94:149); Ostelo 2008 (Spine)", whole_points=True),
    _i("vas", "Visual analogue pain scale, mm", 0, 100, LOWER, 15,
       "Ostelo 2008, chronic low back pain"),
    _i("womac", "WOMAC total, Likert 3.x (pain 0-20 + stiffness 0-8 + function 0-68)", 0, 96,
       LOWER, 12, "OA research recommendation (s), PMC7990728; Angst 2002 gives 17-22 %",
       PERCENT, whole_points=True),
    _i("koos-pain", "KOOS pain subscale", 0, 100, HIGHER, 15, "Mostafaee 2021"),
    _i("koos-symptoms", "KOOS symptoms subscale", 0, 100, HIGHER, 12.5, "Mostafaee 2021"),
    _i("koos-adl", "KOOS activities of daily living", 0, 100, HIGHER, 15.5, "Mostafaee 2021"),
    _i("koos-sport", "KOOS sport and recreation", 0, 100, HIGHER, 17.5, "Mostafaee 2021"),
    _i("koos-qol", "KOOS knee-related quality of life", 0, 100, HIGHER, 12.5, "Mostafaee 2021"),
    _i("odi", "Oswestry Disability Index, %", 0, 100, LOWER, 10, "Ostelo 2008"),
    _i("rmdq", "Roland-Morris Disability Questionnaire", 0, 24, LOWER, 5, "Ostelo 2008",
       whole_points=True),
    _i("ndi", "Neck Disability Index, raw", 0, 50, LOWER, 5, "Vernon & Mior 1991 scoring (s)",
       whole_points=True),
    _i("dash", "Disabilities of the Arm, Shoulder and Hand", 0, 100, LOWER, 10.83,
       "Franchignoni 2014 (JOSPT)"),
    _i("quickdash", "QuickDASH", 0, 100, LOWER, 15.91, "Franchignoni 2014 (JOSPT)"),
    _i("spadi", "Shoulder Pain and Disability Index, %", 0, 100, LOWER, None,
       "no MCID confirmed (MDC 13 (s))"),
    _i("lefs", "Lower Extremity Functional Scale", 0, 80, HIGHER, 9,
       "Binkley 1999 (Phys Ther 79:371)"),
    _i("psfs", "Patient-Specific Functional Scale, mean of activities", 0, 10, HIGHER, 2.3,
       "Abbott & Schmitt 2014 (medium change; 1.3 small, 2.7 large)"),
    _i("visa-a", "VISA-A, Achilles tendinopathy", 0, 100, HIGHER, 14,
       "2021 JOSPT cohort, 12 weeks (s); Yelland 2011 used 20"),
    _i("visa-p", "VISA-P, patellar tendinopathy", 0, 100, HIGHER, 13,
       "Hernandez-Sanchez 2014 (BJSM)"),
    _i("prtee", "Patient-Rated Tennis Elbow Evaluation", 0, 100, LOWER, 14.8,
       "2025 clinimetrics study (PubMed 39793982)"),
    _i("faam-adl", "Foot and Ankle Ability Measure, ADL, %", 0, 100, HIGHER, 8, "Martin 2005"),
    _i("faam-sports", "Foot and Ankle Ability Measure, sports, %", 0, 100, HIGHER, 9,
       "Martin 2005"),
    _i("pgic", "Patient Global Impression of Change (1 very much improved - 7 very much worse)",
       1, 7, LOWER, None, "Farrar 2001 anchor; IMMPACT, Dworkin 2005 (Pain 113:9)",
       whole_points=True, responder_at=2),
    _i("sane", "Single Assessment Numeric Evaluation, % of normal", 0, 100, HIGHER, None,
       "Williams 1999 (Am J Sports Med 27:214); MCIDs vary by joint: none by default"),
    # What item-level forms derive besides the totals above (clinical-reference.md section 9).
    _i("womac-pain", "WOMAC pain, Likert 3.x (A1-A5)", 0, 20, LOWER, None,
       "no MCID of the part alone confirmed"),
    _i("womac-stiffness", "WOMAC stiffness, Likert 3.x (B1-B2)", 0, 8, LOWER, None,
       "no MCID of the part alone confirmed"),
    _i("womac-function", "WOMAC physical function, Likert 3.x (C1-C17)", 0, 68, LOWER, None,
       "no MCID of the part alone confirmed"),
    _i("promis-gph", "PROMIS Global Physical Health, T-score", 0, 100, HIGHER, 5,
       "about 5 T points (s): PROMIS guidance on meaningful change"),
    _i("promis-gmh", "PROMIS Global Mental Health, T-score", 0, 100, HIGHER, 5,
       "about 5 T points (s): PROMIS guidance on meaningful change"),
)  # fmt: skip

PAIN = "nrs"


def parse_assignment(text: str) -> tuple[str, float]:
    """Read ``INSTRUMENT=VALUE`` (as in ``--score womac=52``) into a code and a number."""
    code, sep, value = text.partition("=")
    code = code.strip().lower()
    if not sep or not code or not value.strip():
        raise InvalidInput(f"score {text!r} is not of the form INSTRUMENT=VALUE (e.g. womac=52)")
    try:
        number = float(value.strip())
    except ValueError:
        raise InvalidInput(f"score {text!r}: {value.strip()!r} is not a number") from None
    if not math.isfinite(number):
        raise InvalidInput(f"score {text!r}: {value.strip()!r} is not a finite number")
    return code, number
