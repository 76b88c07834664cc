"""Reading --site SITE[:VOLUME[:SOLUTION[:SIDE]]] and settling its defaults."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.sites import SiteSpec, parse_site, settle, solution


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MCL:0.5", SiteSpec("MCL", 0.5)),
        ("pes anserine:0.5:D15", SiteSpec("pes anserine", 0.5, "dextrose 15%")),
        ("intra-articular:6:D25:right", SiteSpec("intra-articular", 6, "dextrose 25%", "right")),
        ("MCL::D15", SiteSpec("MCL", None, "dextrose 15%")),
        ("MCL:::left", SiteSpec("MCL", side="left")),
        ("MCL", SiteSpec("MCL")),
        ("  pes   anserine : 0,5 : d12.5 ", SiteSpec("pes anserine", 0.5, "dextrose 12.5%")),
        ("MCL:1ml:saline", SiteSpec("MCL", 1, "saline")),
    ],
)
def test_site_specs(text, expected):
    assert parse_site(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (":0.5", "no site name"),
        ("MCL:lots", "not a number of mL"),
        ("MCL:0.5:D15:up", "side 'up'"),
        ("MCL:0.5:D15:left:extra", "more than four fields"),
        ("MCL:60", "at most 50 mL"),
        ("MCL:0", "more than 0"),
    ],
)
def test_refused_site_specs(text, says):
    with pytest.raises(InvalidInput, match=says):
        parse_site(text)


def test_dextrose_shorthand():
    assert solution("D15") == "dextrose 15%"
    assert solution("d12.5") == "dextrose 12.5%"
    assert solution("D25%") == "dextrose 25%"
    assert solution("dextrose 10% + lidocaine 0.075%") == "dextrose 10% + lidocaine 0.075%"


def test_defaults_fill_empty_fields_in_order():
    options = SiteSpec("", volume_ml=0.5, solution=None, side=None)
    course = SiteSpec("", solution="dextrose 15%", side="right")
    settled = settle(SiteSpec("MCL", solution="dextrose 20%"), [options, course])
    assert (settled.volume_ml, settled.solution, settled.side) == (0.5, "dextrose 20%", "right")


def test_a_site_still_lacking_a_volume_is_named():
    with pytest.raises(InvalidInput, match="site 'MCL' has no volume"):
        settle(SiteSpec("MCL", solution="saline"), [])


site_names = st.text(
    alphabet=st.characters(categories=["L", "N"], include_characters=" -'()/"), min_size=1
).filter(lambda s: s.strip())
volumes = st.none() | st.decimals(min_value="0.01", max_value=50, places=2).map(float)
solutions = st.none() | st.sampled_from(["dextrose 15%", "dextrose 12.5%", "saline", "P2G"])
sides = st.none() | st.sampled_from(["left", "right", "bilateral", "midline"])


@given(
    st.builds(
        SiteSpec,
        # as stored: one Unicode form (NFC), so a name reads back as it was kept
        site_names.map(lambda s: unicodedata.normalize("NFC", " ".join(s.split()))),
        volumes,
        solutions,
        sides,
    )
)
def test_site_specs_round_trip(spec):
    assert parse_site(str(spec)) == spec


@given(st.text(max_size=40))
def test_site_reader_never_crashes(text):
    try:
        spec = parse_site(text)
    except InvalidInput:
        return
    assert spec.site
