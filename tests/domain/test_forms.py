"""The eight built-in forms, scored by their published rules (clinical-reference.md section 9):
each manual's worked example or formula, every value at each end of each item's range, the
most missing answers a rule allows and one more (refused naming the rule), and the recoded
and reversed PROMIS items."""

import pytest

from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.form_catalogue import FORMS


def score(code: str, answers: str):
    form = FORMS[code]
    return form.scored(form.read(answers))


def answers(*values) -> str:
    return ",".join("-" if v is None else str(v) for v in values)


def test_every_form_scores_each_end_of_every_items_range():
    """All at the low end, all at the high end: each scale at its published floor and ceiling
    (PROMIS's Global07, Global08 and Global10 run the other way, see below)."""
    expected = {
        "odi": ({"odi": 0}, {"odi": 100}),
        "ndi": ({"ndi": 0}, {"ndi": 50}),
        "quickdash": ({"quickdash": 0}, {"quickdash": 100}),
        "koos": (
            dict.fromkeys(
                ["koos-symptoms", "koos-pain", "koos-adl", "koos-sport", "koos-qol"], 100
            ),
            dict.fromkeys(["koos-symptoms", "koos-pain", "koos-adl", "koos-sport", "koos-qol"], 0),
        ),
        "womac": (
            {"womac-pain": 0, "womac-stiffness": 0, "womac-function": 0, "womac": 0},
            {"womac-pain": 20, "womac-stiffness": 8, "womac-function": 68, "womac": 96},
        ),
        "prtee": ({"prtee": 0}, {"prtee": 100}),
        "spadi": ({"spadi": 0}, {"spadi": 100}),
    }
    for code, (low, high) in expected.items():
        form = FORMS[code]
        assert score(code, answers(*(i.low for i in form.items))).values == low, code
        assert score(code, answers(*(i.high for i in form.items))).values == high, code


@pytest.mark.parametrize("code", sorted(FORMS))
def test_a_value_past_either_end_of_an_item_is_refused_naming_the_item(code):
    form = FORMS[code]
    for position, item in enumerate(form.items):
        for wrong in (item.low - 1, item.high + 1):
            given = [i.low for i in form.items]
            given[position] = wrong
            with pytest.raises(InvalidInput, match=f"item {item.id}: {wrong} is out of its range"):
                form.read(answers(*given))


def test_answers_are_counted_and_read_as_whole_numbers():
    with pytest.raises(InvalidInput, match="odi has 10 items; 9 answers given"):
        FORMS["odi"].read("1,1,1,1,1,1,1,1,1")
    with pytest.raises(InvalidInput, match="not an answer"):
        FORMS["odi"].read("1,1,1,1,1,1,1,1,1,2.5")
    assert FORMS["odi"].read("1 2 3 4 5 0 1 2 3 -")["Q10"] is None  # spaces, and - for none


# -- ODI (Fairbank & Pynsent 2000; ODI 2.1a scoring instructions) -------------------------------


def test_odi_scores_the_manuals_worked_example():
    """The instructions' example: 16 of 50 is 32 %; with one section not answered, 16 of 45.
    They print 35.5 % for 16 / 45 x 100 = 35.56 (cut, not rounded); the rule's "one decimal"
    rounds it: 35.6."""
    assert score("odi", answers(3, 3, 2, 2, 1, 1, 2, 1, 1, 0)).values == {"odi": 32.0}
    assert score("odi", answers(3, 3, 2, None, 3, 1, 2, 1, 1, 0)).values == {"odi": 35.6}


def test_odi_takes_one_section_missing_not_two():
    assert score("odi", answers(5, 5, 5, 5, 5, 5, 5, 5, 5, None)).values == {"odi": 100}
    with pytest.raises(InvalidInput, match="odi needs at least 9 of 10 answers; 8 given"):
        score("odi", answers(5, 5, 5, 5, 5, 5, 5, 5, None, None))


# -- NDI (Vernon & Mior 1991; Vernon 2008 on a missing item) --------------------------------------


def test_ndi_is_the_raw_sum_and_one_missing_item_is_prorated_to_a_whole_point():
    assert score("ndi", answers(2, 2, 2, 2, 2, 2, 1, 1, 1, 2)).values == {"ndi": 17}
    # 16 from 9 items: 16 x 10 / 9 = 17.8, a whole point: 18
    assert score("ndi", answers(2, 2, 2, 2, 2, 2, 1, 1, 2, None)).values == {"ndi": 18}
    with pytest.raises(InvalidInput, match="ndi is scored with at most 1 missing answer"):
        score("ndi", answers(2, 2, 2, 2, 2, 2, 1, 1, None, None))


# -- QuickDASH (Beaton 2005; the DASH Outcome Measure's scoring) ------------------------------


def test_quickdash_is_the_mean_less_one_times_25_from_at_least_10_of_11():
    assert score("quickdash", answers(*[3] * 11)).values == {"quickdash": 50.0}
    # ten answered, summing 25: (25 / 10 - 1) x 25 = 37.5
    assert score("quickdash", answers(*[3] * 5, *[2] * 5, None)).values == {"quickdash": 37.5}
    with pytest.raises(InvalidInput, match="quickdash needs at least 10 of 11 answers; 9 given"):
        score("quickdash", answers(*[3] * 9, None, None))


# -- KOOS (User's Guide 2012) ------------------------------------------------------------------

_KOOS_SIZES = {"koos-symptoms": 7, "koos-pain": 9, "koos-adl": 17, "koos-sport": 5, "koos-qol": 4}


def _koos(answered: dict[str, int], value: int = 2) -> str:
    """Each subscale with that many of its items answered (``value``), the rest not."""
    out = []
    for code, size in _KOOS_SIZES.items():
        n = answered.get(code, size)
        out += [value] * n + [None] * (size - n)
    return answers(*out)


def test_koos_scores_each_subscale_from_at_least_half_its_items():
    full = score("koos", _koos({}))
    assert full.values == dict.fromkeys(_KOOS_SIZES, 50.0) and full.unscored == {}
    # half, rounded up, is enough; one fewer leaves that subscale out and the others in
    enough = {"koos-symptoms": 4, "koos-pain": 5, "koos-adl": 9, "koos-sport": 3, "koos-qol": 2}
    assert score("koos", _koos(enough)).values == dict.fromkeys(_KOOS_SIZES, 50.0)
    for code, n in enough.items():
        short = score("koos", _koos({code: n - 1}))
        assert code not in short.values and set(short.values) == set(_KOOS_SIZES) - {code}
        assert (
            short.unscored[code] == f"{n - 1} of {_KOOS_SIZES[code]} answered; at least half needed"
        )
    with pytest.raises(InvalidInput, match="koos scores a subscale from at least half its items"):
        score("koos", _koos({code: 1 for code in _KOOS_SIZES}))


def test_koos_subscale_is_100_less_the_mean_in_quarters():
    # symptoms answered 1,1,1,1,1,1,2: mean 8/7, 100 - 800/28 = 71.43 -> 71.4
    given = [1, 1, 1, 1, 1, 1, 2] + [0] * 35
    assert score("koos", answers(*given)).values["koos-symptoms"] == 71.4


# -- WOMAC LK3.1 (User Guide) --------------------------------------------------------------------


def _womac(pain, stiffness, function) -> str:
    return answers(*pain, *stiffness, *function)


def test_womac_sums_its_parts_and_a_missing_item_takes_its_parts_mean():
    scored = score("womac", _womac([4, 3, 2, 3, None], [2, 2], [1] * 17))
    # pain 12 from 4 items: 15; stiffness 4; function 17; total 36
    assert scored.values == {
        "womac-pain": 15.0,
        "womac-stiffness": 4.0,
        "womac-function": 17.0,
        "womac": 36.0,
    }
    # 1, 1, 1, 2 and one missing: 5 x 5 / 4 = 6.25, rounded half up once at the end: 6.3
    assert score("womac", _womac([1, 1, 1, 2, None], [0, 0], [0] * 17)).values["womac"] == 6.3


def test_womac_allows_1_pain_0_stiffness_3_function_missing_and_no_total_past_them():
    at_most = score("womac", _womac([1, 1, 1, 1, None], [1, 1], [1] * 14 + [None] * 3))
    assert set(at_most.values) == {"womac-pain", "womac-stiffness", "womac-function", "womac"}
    for pain, stiffness, function, lost in (
        ([1, 1, 1, None, None], [1, 1], [1] * 17, "womac-pain"),
        ([1] * 5, [1, None], [1] * 17, "womac-stiffness"),
        ([1] * 5, [1, 1], [1] * 13 + [None] * 4, "womac-function"),
    ):
        scored = score("womac", _womac(pain, stiffness, function))
        assert lost not in scored.values and "womac" not in scored.values
        assert scored.unscored["womac"] == "the total needs all three parts"
    with pytest.raises(InvalidInput, match="womac scores a part with at most 1 pain"):
        score("womac", _womac([None] * 5, [None, 1], [None] * 17))


# -- PRTEE (MacDermid 2007) ----------------------------------------------------------------------


def test_prtee_is_pain_plus_half_of_function_with_one_missing_a_part():
    assert score("prtee", answers(*[5] * 5, *[4] * 10)).values == {"prtee": 45.0}
    # pain 5,5,5,5 and one missing: 25; function 40 / 2 = 20
    assert score("prtee", answers(5, 5, 5, 5, None, *[4] * 10)).values == {"prtee": 45.0}
    assert score("prtee", answers(5, 5, 5, 5, None, *[4] * 9, None)).values == {"prtee": 45.0}
    with pytest.raises(InvalidInput, match="at most 1 missing answer in each part; function has 2"):
        score("prtee", answers(*[5] * 5, *[4] * 8, None, None))


# -- SPADI (Roach 1991) ----------------------------------------------------------------------------


def test_spadi_is_a_percentage_of_the_answered_items_with_two_missing_at_most():
    assert score("spadi", answers(*[5] * 13)).values == {"spadi": 50.0}
    assert score("spadi", answers(*[5] * 11, None, None)).values == {"spadi": 50.0}
    assert score("spadi", answers(*[4] * 12, None)).values == {"spadi": 40.0}
    with pytest.raises(InvalidInput, match="spadi takes at most 2 missing answers in all; 3"):
        score("spadi", answers(*[5] * 10, None, None, None))


# -- PROMIS Global Health v1.2 (HealthMeasures scoring manual) ------------------------------------


def _promis(g01=3, g02=3, g03=3, g04=3, g05=3, g06=3, g07=5, g08=3, g09=3, g10=3) -> str:
    return answers(g01, g02, g03, g04, g05, g06, g07, g08, g09, g10)


def test_promis_raw_4_and_20_are_the_tables_ends():
    worst = score(
        "promis-global-10", _promis(g02=1, g03=1, g04=1, g05=1, g06=1, g07=10, g08=5, g10=5)
    )
    assert worst.values == {"promis-gph": 16.2, "promis-gmh": 21.2}
    best = score(
        "promis-global-10", _promis(g02=5, g03=5, g04=5, g05=5, g06=5, g07=0, g08=1, g10=1)
    )
    assert best.values == {"promis-gph": 67.7, "promis-gmh": 67.6}


@pytest.mark.parametrize(
    ("pain", "recoded"),
    [(0, 5), (1, 4), (3, 4), (4, 3), (6, 3), (7, 2), (9, 2), (10, 1)],
)
def test_promis_global07_is_recoded_at_each_edge_of_its_bands(pain, recoded):
    # Global03 3 + Global06 3 + Global08 3 (reversed: 3) = 9, plus the recoded pain
    table = {14: 44.9, 13: 42.3, 12: 39.8, 11: 37.4, 10: 34.9}
    assert score("promis-global-10", _promis(g07=pain)).values["promis-gph"] == table[9 + recoded]


def test_promis_global08_and_global10_are_reversed():
    """Fatigue "none" (1) counts 5 and "very severe" (5) counts 1; so does Global10. Each
    other item of the scale is 3 (pain 5 recodes to 3): raw 9 plus the reversed item."""
    assert score("promis-global-10", _promis(g08=1, g10=5)).values == {
        "promis-gph": 44.9,  # raw 14
        "promis-gmh": 38.8,  # raw 10
    }
    assert score("promis-global-10", _promis(g08=5, g10=1)).values == {
        "promis-gph": 34.9,  # raw 10
        "promis-gmh": 48.3,  # raw 14
    }


def test_promis_needs_all_four_items_of_a_scale_and_global01_09_are_neither():
    neither = score("promis-global-10", _promis(g01=None, g09=None))
    assert set(neither.values) == {"promis-gph", "promis-gmh"}
    physical_only = score("promis-global-10", _promis(g05=None))
    assert set(physical_only.values) == {"promis-gph"}
    assert "Global05 missing" in physical_only.unscored["promis-gmh"]
    with pytest.raises(InvalidInput, match="promis-global-10 scores a scale from all four"):
        score("promis-global-10", _promis(g03=None, g10=None))
