"""The site catalogue: names from the literature (clinical-reference.md section 3), the built-in
protocols' sites, and every site this practice has ever logged or written in a protocol.

Sites are free text, so a practitioner is never blocked: a name never seen before is recorded
as typed, with a warning that suggests the close names it may have meant.
"""

from __future__ import annotations

LITERATURE = (
    # knee
    "intra-articular", "coronary ligament medial", "coronary ligament lateral", "MCL", "LCL",
    "medial collateral ligament", "lateral collateral ligament", "pes anserine",
    "patellar tendon insertion", "quadriceps tendon insertion",
    # elbow
    "supracondylar ridge", "lateral epicondyle", "annular ligament", "common extensor origin",
    # low back and pelvis
    "iliolumbar ligament", "short dorsal sacroiliac ligament", "long dorsal sacroiliac ligament",
    "dorsal interosseous ligament", "supraspinous ligament", "interspinous ligament",
    "tender lumbo-pelvic ligaments",
    # Achilles
    "achilles anterolateral margin", "achilles anteromedial margin",
    # shoulder
    "supraspinatus insertion", "rotator cuff enthesis",
    # hand
    "DIP medial", "DIP lateral", "PIP medial", "PIP lateral", "first CMC intra-articular",
    "first CMC medial", "first CMC lateral",
)  # fmt: skip
