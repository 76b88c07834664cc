"""The take-home report as a reader meets it: opened by a real headless Chromium (Debian's, driven
by Playwright), with no network request, one chart point per score, the figures of progress -f json,
and a print to A4 of one or two pages a course."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import chromium
from tests.conftest import Clinic


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _open(browser, path: Path):
    """The page, with every request it made and every console error."""
    page = browser.new_page(viewport={"width": 900, "height": 1300})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("networkidle")
    return page, requests, errors


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_the_clinicians_report_shows_the_figures_of_progress(worked, tmp_path, browser):
    worked.ok("adverse", "add", "2", "flare", "--severity", "moderate", "--note", "ice helped")
    report = tmp_path / "report.html"
    worked.ok("report", "course", "1", "--for", "clinician", "-o", str(report))
    assert oct(report.stat().st_mode & 0o777) == "0o600"
    page, requests, errors = _open(browser, report)
    assert requests == [report.as_uri()] and errors == []  # nothing fetched, nothing refused
    [course] = worked.json("progress", "1")["courses"]
    for outcome in course["outcomes"]:
        code = outcome["instrument"]
        figure = page.locator(f'figure[data-instrument="{code}"]')
        points = figure.locator("svg g[id^='points-'] use").count()
        scored = [v for v in course["sessions"] + course["visits"] if code in v["scores"]]
        assert points == len(scored) == 3
        row = page.locator("table.outcomes tr").filter(
            has=page.locator(f'td[data-key="instrument"]:text-is("{code}")')
        )
        shown = {
            k: row.locator(f'td[data-key="{k}"]').inner_text()
            for k in ("baseline", "latest", "improvement_pct", "responder")
        }
        assert shown == {
            "baseline": f"{outcome['baseline']:g}",
            "latest": f"{outcome['latest']:g}",
            "improvement_pct": f"{outcome['improvement_pct']:.1f}",
            "responder": outcome["responder"],
        }
    assert "lower is better" in page.locator('figure[data-instrument="womac"] svg').text_content()
    text = page.locator("body").inner_text()
    assert "flare (moderate), onset 2026-02-02: ice helped" in text
    assert "dextrose 1.65 g" in text  # the doses of each session
    assert 1 <= _pages(page.pdf(format="A4")) <= 2
    page.close()


def test_the_patients_report_is_in_plain_words(worked, tmp_path, browser):
    worked.ok("config", "set", "practice-name", "Harbour Street Clinic")
    worked.ok("config", "set", "aftercare", "Keep moving gently.\nCall us if the knee is hot.")
    report = tmp_path / "mine.html"
    worked.ok("report", "course", "P-0001", "-o", str(report))
    page, requests, _ = _open(browser, report)
    assert requests == [report.as_uri()]
    text = page.locator("body").inner_text()
    assert text.startswith("Harbour Street Clinic")
    assert "Your pain fell from 7 to 3 out of 10 (0 is best)." in text
    assert "Call us if the knee is hot." in text
    for jargon in ("MCID", "womac", "nrs", "P-0001", "M17", "responder"):
        assert jargon not in text, jargon
    assert not re.search(r"\bcourse \d+\b|\bid\b", text)
    page.close()


def test_a_patient_with_two_courses_prints_a_page_or_two_each(tmp_path, browser):
    demo = Clinic(tmp_path / "demo.db")
    demo.ok("demo", "--file", str(demo.path))
    demo.ok("course", "start", "P-0003", "--condition", "left elbow", "--date", "2026-03-01")
    elbow = max(c["id"] for c in demo.json("course", "list", "--patient", "P-0003"))
    demo.ok("log", str(elbow), "--date", "2026-03-02", "--site", "MCL:0.5:D15", "--pain", "5")
    report = tmp_path / "two.html"
    demo.ok("report", "course", "P-0003", "--for", "clinician", "-o", str(report))
    page, requests, _ = _open(browser, report)
    assert requests == [report.as_uri()]
    assert page.locator("section.course").count() == 2
    assert 2 <= _pages(page.pdf(format="A4")) <= 4
    assert 2 <= _pages(page.pdf(format="Letter")) <= 4
    page.close()
