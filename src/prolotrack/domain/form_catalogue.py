"""The eight built-in forms and their published scoring rules (clinical-reference.md section 9).

Each rule marked (s) there was checked against its manual; the version followed is the form's
``scoring`` (``form show`` prints it), and docs/forms.md says what each one does with an answer
not given. Item identifiers are the manuals' own where they have them (KOOS S1-Q4, WOMAC A1-C17,
PROMIS Global01-Global10), else Q1, Q2 ... in the order printed.
"""

from __future__ import annotations

from fractions import Fraction

from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.forms import Answers, Form, Scored, given, ids, items, rounded

# -- a percentage of the answered items' maximum: ODI, SPADI ------------------------------------


def _odi(answers: Answers) -> Scored:
    answered = given(answers, ODI_ITEMS)
    if len(answered) < 9:
        raise InvalidInput(f"odi needs at least 9 of 10 answers; {len(answered)} given")
    return Scored({"odi": rounded(Fraction(sum(answered) * 100, 5 * len(answered)))})


def _spadi(answers: Answers) -> Scored:
    answered = given(answers, SPADI_PAIN + SPADI_DISABILITY)
    if len(answered) < 11:
        raise InvalidInput(
            f"spadi takes at most 2 missing answers in all; {13 - len(answered)} missing"
        )
    return Scored({"spadi": rounded(Fraction(sum(answered) * 100, 10 * len(answered)))})


# -- sums: NDI (prorated), WOMAC and PRTEE (a missing item takes its part's mean) -------------


def _ndi(answers: Answers) -> Scored:
    answered = given(answers, NDI_ITEMS)
    if len(answered) < 9:
        raise InvalidInput(
            f"ndi is scored with at most 1 missing answer (prorated to 50, Vernon 2008);"
            f" {10 - len(answered)} missing"
        )
    return Scored({"ndi": rounded(Fraction(sum(answered) * 10, len(answered)), 0)})


def _with_means(answers: Answers, part: tuple[str, ...]) -> Fraction:
    """A part's sum with each missing item taken as the mean of its answered items."""
    answered = given(answers, part)
    return Fraction(sum(answered) * len(part), len(answered))


def _womac(answers: Answers) -> Scored:
    values, unscored = {}, {}
    for code, part, allowed in (
        ("womac-pain", WOMAC_PAIN, 1),
        ("womac-stiffness", WOMAC_STIFFNESS, 0),
        ("womac-function", WOMAC_FUNCTION, 3),
    ):
        missing = len(part) - len(given(answers, part))
        if missing > allowed:
            unscored[code] = f"{missing} of {len(part)} missing; at most {allowed} allowed"
        else:
            values[code] = _with_means(answers, part)
    if not values:
        raise InvalidInput(
            "womac scores a part with at most 1 pain, 0 stiffness and 3 function answers"
            f" missing; {'; '.join(f'{k}: {v}' for k, v in unscored.items())}"
        )
    if not unscored:
        values["womac"] = sum(values.values())
    else:
        unscored["womac"] = "the total needs all three parts"
    return Scored({k: rounded(v) for k, v in values.items()}, unscored)


def _prtee(answers: Answers) -> Scored:
    for name, part in (("pain", PRTEE_PAIN), ("function", PRTEE_FUNCTION)):
        missing = len(part) - len(given(answers, part))
        if missing > 1:
            raise InvalidInput(
                f"prtee takes at most 1 missing answer in each part; {name} has {missing}"
            )
    pain = _with_means(answers, PRTEE_PAIN)
    function = _with_means(answers, PRTEE_FUNCTION) / 2
    return Scored({"prtee": rounded(pain + function)})


# -- means: QuickDASH, KOOS -----------------------------------------------------------------


def _quickdash(answers: Answers) -> Scored:
    answered = given(answers, QUICKDASH_ITEMS)
    if len(answered) < 10:
        raise InvalidInput(f"quickdash needs at least 10 of 11 answers; {len(answered)} given")
    return Scored({"quickdash": rounded((Fraction(sum(answered), len(answered)) - 1) * 25)})


def _koos(answers: Answers) -> Scored:
    values, unscored = {}, {}
    for code, part in KOOS_PARTS.items():
        answered = given(answers, part)
        if 2 * len(answered) < len(part):
            unscored[code] = f"{len(answered)} of {len(part)} answered; at least half needed"
        else:
            values[code] = rounded(100 - Fraction(sum(answered) * 100, 4 * len(answered)))
    if not values:
        raise InvalidInput(
            "koos scores a subscale from at least half its items; none had enough"
            f" ({'; '.join(f'{k}: {v}' for k, v in unscored.items())})"
        )
    return Scored(values, unscored)


# -- PROMIS Global Health: recoded items, raw sums, the manual's T-score tables ---------------

# Global07 (pain, 0-10) recoded to 1-5 (Global07rc); Global08 and Global10 reversed (6 - value).
_PAIN_RECODED = {0: 5, 1: 4, 2: 4, 3: 4, 4: 3, 5: 3, 6: 3, 7: 2, 8: 2, 9: 2, 10: 1}
# Raw 4-20 -> T-score, PROMIS Global Health scoring manual (v1.2), tables 1 and 2.
_PHYSICAL_T = dict(zip(range(4, 21), (
    16.2, 19.9, 23.5, 26.7, 29.6, 32.4, 34.9, 37.4, 39.8, 42.3, 44.9, 47.7, 50.8, 54.1, 57.7,
    61.9, 67.7), strict=True))  # fmt: skip
_MENTAL_T = dict(zip(range(4, 21), (
    21.2, 25.1, 28.4, 31.3, 33.8, 36.3, 38.8, 41.1, 43.5, 45.8, 48.3, 50.8, 53.3, 56.0, 59.0,
    62.5, 67.6), strict=True))  # fmt: skip


def _promis(answers: Answers) -> Scored:
    scored = {k: v for k, v in answers.items() if v is not None}
    if "Global07" in scored:
        scored["Global07"] = _PAIN_RECODED[scored["Global07"]]
    for reversed_item in ("Global08", "Global10"):
        if reversed_item in scored:
            scored[reversed_item] = 6 - scored[reversed_item]
    values, unscored = {}, {}
    for code, part, table in (
        ("promis-gph", ("Global03", "Global06", "Global07", "Global08"), _PHYSICAL_T),
        ("promis-gmh", ("Global02", "Global04", "Global05", "Global10"), _MENTAL_T),
    ):
        lacking = [i for i in part if i not in scored]
        if lacking:
            unscored[code] = f"needs all four of {', '.join(part)}; {', '.join(lacking)} missing"
        else:
            values[code] = table[sum(scored[i] for i in part)]
    if not values:
        raise InvalidInput(
            "promis-global-10 scores a scale from all four of its items;"
            f" {'; '.join(f'{k}: {v}' for k, v in unscored.items())}"
        )
    return Scored(values, unscored)


ODI_ITEMS = ids("Q", 10)
NDI_ITEMS = ids("Q", 10)
QUICKDASH_ITEMS = ids("Q", 11)
SPADI_PAIN, SPADI_DISABILITY = ids("P", 5), ids("D", 8)
WOMAC_PAIN, WOMAC_STIFFNESS, WOMAC_FUNCTION = ids("A", 5), ids("B", 2), ids("C", 17)
PRTEE_PAIN, PRTEE_FUNCTION = ids("P", 5), ids("F", 10)
KOOS_PARTS = {
    "koos-symptoms": ids("S", 7),
    "koos-pain": ids("P", 9),
    "koos-adl": ids("A", 17),
    "koos-sport": ids("SP", 5),
    "koos-qol": ids("Q", 4),
}
PROMIS_ITEMS = tuple(f"Global{n:02d}" for n in range(1, 11))

FORMS: dict[str, Form] = {
    f.code: f
    for f in (
        Form(
            "odi", "Oswestry Disability Index", "2.1a",
            "Fairbank & Pynsent 2000 (Spine 25:2940), ODI 2.1a scoring instructions",
            items(ODI_ITEMS, 0, 5), ("odi",),
            "odi % = sum / (5 x sections answered) x 100, one decimal",
            "at most 1 section not answered (then / 45); more: refused",
            "Mapi Research Trust on behalf of J. Fairbank: the wording needs their licence",
            _odi,
        ),
        Form(
            "ndi", "Neck Disability Index", "Vernon-Mior-1991",
            "Vernon 2008 (J Manipulative Physiol Ther 31:491): raw 0-50, one missing prorated",
            items(NDI_ITEMS, 0, 5), ("ndi",),
            "ndi = sum of the 10 items (0-50)",
            "1 missing: the sum prorated to 10 items (sum x 10 / 9), to a whole point; more:"
            " refused",
            "H. Vernon: free to use for clinical care, with attribution",
            _ndi,
        ),
        Form(
            "quickdash", "QuickDASH", "Beaton-2005",
            "DASH Outcome Measure, QuickDASH scoring (Institute for Work & Health)",
            items(QUICKDASH_ITEMS, 1, 5), ("quickdash",),
            "quickdash = (sum / items answered - 1) x 25, one decimal",
            "at least 10 of the 11 items answered; fewer: refused",
            "Institute for Work & Health: free for non-commercial clinical use, its terms apply",
            _quickdash,
        ),
        Form(
            "koos", "Knee injury and Osteoarthritis Outcome Score", "Roos-2003",
            "KOOS User's Guide 2012: each subscale from at least half its items",
            items(sum(KOOS_PARTS.values(), ()), 0, 4), tuple(KOOS_PARTS),
            "each subscale = 100 - mean(answered items) x 100 / 4, one decimal",
            "a subscale with fewer than half its items answered is not scored, the others are;"
            " none scored: refused",
            "KOOS (koos.nu): free to use, the wording as published there",
            _koos,
        ),
        Form(
            "womac", "WOMAC Osteoarthritis Index", "LK3.1",
            "WOMAC 3.1 User Guide (Bellamy): Likert sums, missing items by the part's mean",
            items(WOMAC_PAIN + WOMAC_STIFFNESS + WOMAC_FUNCTION, 0, 4),
            ("womac-pain", "womac-stiffness", "womac-function", "womac"),
            "womac-pain = A1-A5 (0-20), womac-stiffness = B1-B2 (0-8), womac-function = C1-C17"
            " (0-68), womac = their sum (0-96), one decimal",
            "a missing item takes the mean of its part's answered items: at most 1 in pain, 0 in"
            " stiffness, 3 in function; a part past that is not scored, nor the total",
            "N. Bellamy (womac.com), through Mapi: the wording needs a licence",
            _womac,
        ),
        Form(
            "prtee", "Patient-Rated Tennis Elbow Evaluation", "MacDermid-2007",
            "PRTEE user manual (MacDermid 2007): a missing item by its part's mean",
            items(PRTEE_PAIN + PRTEE_FUNCTION, 0, 10), ("prtee",),
            "pain = P1-P5 (0-50), function = (F1-F10) / 2 (0-50), prtee = pain + function"
            " (0-100), one decimal",
            "a missing item takes the mean of its part's answered items, at most 1 a part;"
            " more: refused",
            "J. MacDermid: free for clinical use, with permission for research",
            _prtee,
        ),
        Form(
            "spadi", "Shoulder Pain and Disability Index", "Roach-1991",
            "Roach 1991 (Arthritis Care Res 4:143): total % of the answered items' maximum",
            items(SPADI_PAIN + SPADI_DISABILITY, 0, 10), ("spadi",),
            "spadi % = sum / (10 x items answered) x 100, one decimal",
            "at most 2 items not answered in all; more: refused",
            "K. Roach: free to use",
            _spadi,
        ),
        Form(
            "promis-global-10", "PROMIS Scale v1.2 - Global Health", "1.2",
            "PROMIS Global Health scoring manual (HealthMeasures), v1.2 raw-to-T tables",
            (*items(PROMIS_ITEMS[:6], 1, 5), *items(PROMIS_ITEMS[6:7], 0, 10),
             *items(PROMIS_ITEMS[7:], 1, 5)),
            ("promis-gph", "promis-gmh"),
            "promis-gph: Global03 + Global06 + Global07rc + Global08r; promis-gmh: Global02 +"
            " Global04 + Global05 + Global10r (rc: pain 0 -> 5, 1-3 -> 4, 4-6 -> 3, 7-9 -> 2,"
            " 10 -> 1; r: 6 - value); raw 4-20 -> T-score by the manual's tables",
            "a scale needs all four of its items; one without them is not scored, the other"
            " is; none scored: refused",
            "PROMIS Health Organization (HealthMeasures): free to use under its terms",
            _promis,
        ),
    )
}  # fmt: skip
