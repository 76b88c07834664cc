"""Solutions read into agents and strengths, and what a session gave (clinical-reference s. 8)."""

import pytest

from prolotrack.domain.deidentify import solution as deidentified
from prolotrack.domain.solutions import Totals, components, totals


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("D15", ["dextrose 15%"]),
        ("d12.5", ["dextrose 12.5%"]),
        ("glucose 20%", ["dextrose 20%"]),
        ("dextrose 15% + lidocaine 0.2%", ["dextrose 15%", "lidocaine 0.2%"]),
        ("Dextrose 20% + Lignocaine 0.1% + Ropivacaine 0.1%",
         ["dextrose 20%", "lidocaine 0.1%", "ropivacaine 0.1%"]),
        ("lidocaine, 1%", ["lidocaine 1%"]),
        ("0.5% Marcaine", ["bupivacaine 0.5%"]),
        ("xylocaine 2% with adrenaline", ["lidocaine 2%", "adrenaline"]),
        ("dextrose 10.7% + sodium morrhuate", ["dextrose 10.7%", "sodium morrhuate"]),
        ("dextrose 10% + lidocaine 1% (0.5 mL D20 + 0.5 mL lidocaine 2%)",
         ["dextrose 10%", "lidocaine 1%"]),
        ("lidocaine 1% skin wheal", ["lidocaine 1%"]),
        ("Traumeel", ["Traumeel"]),
        ("PRP 3 mL", ["PRP 3 mL"]),
    ],
)  # fmt: skip
def test_a_solution_is_read_into_agents_and_strengths(typed, read):
    assert [str(c) for c in components(typed)] == read


def test_unknown_agents_are_kept_as_typed_and_counted_nowhere():
    [c] = components("Traumeel 2%")
    assert (c.agent, c.percent, c.known) == ("Traumeel", 2, False)
    assert totals([("Traumeel", 5)]) == {}
    assert deidentified("Traumeel + dextrose 15%") == "other + dextrose 15%"


def test_a_session_gives_grams_of_dextrose_and_milligrams_of_anaesthetic():
    """1 % is 10 mg/mL: 10 mL of 15 % dextrose is 1.5 g; 2 mL of 1 % lidocaine is 20 mg."""
    mg = totals([("dextrose 15%", 10), ("lidocaine 1%", 2), ("D25 + lidocaine 0.2%", 6)])
    assert mg == {"dextrose": 3000, "lidocaine": 32}
    given = Totals(mg)
    assert given == {"dextrose_g": 3.0, "lidocaine_mg": 32}
    assert given.described == ["dextrose 3.00 g", "lidocaine 32 mg"]
    assert Totals(totals([("D25", 6), ("D15", 4.5)])).described == ["dextrose 2.18 g"]  # 2.175


def test_scarpones_mix_counts_each_of_its_agents():
    """1 part 5 % morrhuate, 1.5 parts D50, 0.5 part 4 % lidocaine, 0.5 part 0.5 % bupivacaine,
    3.5 parts saline (clinical-reference.md section 8), 7 mL in all."""
    mix = "dextrose 10.7% + sodium morrhuate 0.72% + lidocaine 0.29% + bupivacaine 0.036%"
    assert Totals(totals([(mix, 7)])) == {
        "dextrose_g": 0.749,
        "lidocaine_mg": 20.3,
        "bupivacaine_mg": 2.52,
        "sodium_morrhuate_mg": 50.4,
    }
