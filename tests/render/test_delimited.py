"""The injections CSV's fast writer writes exactly what the general CSV writer writes."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from prolotrack.render import delimited
from prolotrack.render.view import Column

NASTY = ["MCL", "a,b", 'say "hi"', "two\nlines", "Dr\rWho", "=1+1", "'=x", "-3", "", " @ "]
TEXT = st.sampled_from(NASTY) | st.text(max_size=5)
# Few kinds of site, as in a clinic, so that most sites are ones already written.
SITE = st.tuples(
    st.sampled_from(NASTY[:7]) | st.text(min_size=1, max_size=4),
    st.sampled_from([None, "left", "right"]),
    st.sampled_from(["dextrose 15%", "=sol", "a,b", "x\r"]),
    st.sampled_from([0.5, 1.0, 6, 2.25]),
    st.sampled_from([None, 1, 3]),
)
SESSION = st.tuples(
    st.tuples(TEXT, TEXT), st.sampled_from([(), (4.0,), (None, 40.5)]), st.lists(SITE, max_size=4)
)


def written(sessions, scores: int) -> tuple[str, str]:
    """The fast writer's text and the general writer's, for the same rows."""
    names = ["chart", "name", "site", "side", "solution", "volume_ml", "points"]
    columns = [Column(k, k) for k in names + [f"score_{n}" for n in range(scores)]]
    stored = [(*head, *tail, len(each)) for head, tail, each in sessions]
    names = ["chart", "name", *(f"score_{n}" for n in range(scores))]
    sites = [site for _, _, each in sessions for site in each]
    fast = io.StringIO()
    count = delimited.stream_sites(
        fast,
        columns,
        delimited.stored_sessions(columns, names, stored),
        sites,
        delimited.stored_cells,
    )
    rows = [
        dict(zip([c.key for c in columns], (*head, *site, *tail), strict=True))
        for head, tail, sites in sessions
        for site in sites
    ]
    assert count == len(rows)
    general = io.StringIO()
    delimited.stream(general, columns, rows)
    return fast.getvalue(), general.getvalue()


@given(data=st.data())
def test_the_fast_writer_is_the_general_writer(data):
    scores = data.draw(st.sampled_from([0, 1, 2]))
    sessions = data.draw(
        st.lists(SESSION.map(lambda s: (s[0], (s[1] + (None, None))[:scores], s[2])), max_size=5)
    )
    fast, general = written(sessions, scores)
    assert fast == general


def test_a_site_with_a_carriage_return_is_written_whole_among_its_session_s_rows():
    sites = [
        ("MCL", "left", "dextrose 15%", 0.5, 1),
        ("Dr\rWho", None, "=sol", 1.0, 3),
        ("MCL", "left", "dextrose 15%", 0.5, 1),
    ]
    fast, general = written([(("C1", "=Ann"), (4.0,), sites)], 1)
    assert fast == general
    read = list(csv.reader(io.StringIO(fast, newline="")))
    assert [r[2] for r in read] == ["site", "MCL", "Dr\rWho", "MCL"]
    assert read[2] == ["C1", "'=Ann", "Dr\rWho", "", "'=sol", "1", "3", "4"]


def test_more_kinds_of_site_than_are_kept_are_each_written_as_they_are():
    sites = [(f"site {n}", "left", "dextrose 15%", 0.5 + n % 9, 1) for n in range(5000)]
    fast, general = written([(("C1", "Ann"), (), sites), (("C2", "Bo"), (), sites[::-1])], 0)
    assert fast == general
    assert fast.count("\n") == 1 + 10000
