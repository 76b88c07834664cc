"""The form server as patients and clinics meet it: the installed `prolotrack form serve` on
127.0.0.1, opened in Debian's Chromium through Playwright (with JavaScript and without, at a
phone's width and a tablet's, checked by axe-core), answered once, refused after, stopped by
SIGTERM; and 200 submissions from 20 clients at once, none lost and none doubled."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.browser import chromium
from tests.conftest import INSTALLED, TODAY

AXE = Path(__file__).parent.parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ODI = {f"Q{n}": v for n, v in enumerate([1, 2, 1, 1, 2, 3, 1, 0, 2, 1], start=1)}  # 14/50: 28


class Server:
    """`prolotrack form serve` in its own process, on a free port of 127.0.0.1."""

    def __init__(self, db: Path | str, today: date = TODAY, *, sigint_ignored: bool = False):
        argv = [str(INSTALLED), "--db", str(db), "--today", today.isoformat(), "form", "serve",
                "--port", "0"]  # fmt: skip
        # a shell script's background job starts with SIGINT ignored (as `cmd &` does)
        ignored = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None
        self.process = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, preexec_fn=ignored)
        first = self.process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert found, first
        self.base = f"http://127.0.0.1:{found.group(1)}"

    def url(self, link: str) -> str:
        """A link as `form link` printed it, on this server."""
        return self.base + urllib.parse.urlsplit(link).path

    def stop(self, how: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(how)
        _, rest = self.process.communicate(timeout=30)  # a server that does not stop fails
        return self.process.returncode, rest


@pytest.fixture
def server(worked) -> Iterator[Server]:
    running = Server(worked.path)
    yield running
    if running.process.poll() is None:
        running.stop()


def post(url: str, fields: dict) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode()
    try:
        with urllib.request.urlopen(url, data=data, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def link(clinic, *more: str, form: str = "odi") -> str:
    return clinic.ok("form", "link", "P-0001", "--form", form, *more).stdout.strip()


def test_a_link_takes_one_submission_and_then_says_it_was_used(worked, server):
    url = server.url(link(worked))
    status, page = get(url)
    assert status == 200 and "Hello Ada" in page and "Lovelace" not in page
    assert "P-0001" not in page and "1950" not in page  # the first name and the form only
    status, page = post(url, ODI)
    assert status == 200 and "Thank you, Ada" in page
    before = worked.fingerprint()
    status, page = post(url, ODI)
    assert status == 410 and "already been used" in page and "Ada" not in page
    status, page = get(url)
    assert status == 410 and "Ada" not in page
    assert worked.fingerprint() == before  # the second submission wrote nothing
    [waiting] = worked.json("form", "inbox")
    assert waiting["scores"] == ["odi=28"] and waiting["source"] == "link"
    [logged] = [e for e in worked.json("audit", "--entity", "form_response")]
    assert logged["practitioner"] == "patient (form link)"
    code, said = server.stop()
    assert code == 0 and "Stopped" in said and "Traceback" not in said
    assert "Ada" not in said and urllib.parse.urlsplit(url).path not in said


def test_unknown_expired_replaced_and_voided_links_name_nobody(worked, server):
    worked.today = date(2026, 3, 5)
    expired = server.url(link(worked, "--timepoint", "1m"))  # its last day: 19 March
    worked.today = date(2026, 3, 6)
    last_day = server.url(link(worked, "--timepoint", "2m"))  # its last day: today, 20 March
    worked.today = TODAY
    replaced = server.url(link(worked, "--timepoint", "3m"))
    live = server.url(link(worked, "--timepoint", "3m"))
    worked.ok("course", "start", "P-0001", "--condition", "low back pain", "--measure", "odi")
    voided = server.url(worked.ok("form", "link", "2", "--form", "odi").stdout.strip())
    worked.ok("course", "void", "2", "--reason", "started in error")
    for url, status, says in (
        (f"{server.base}/f/{'A' * 43}", 404, "not one we know"),
        (f"{server.base}/f/short", 404, "not one we know"),
        (f"{server.base}/elsewhere", 404, "not one we know"),
        (expired, 410, "has expired"),
        (replaced, 410, "replaced by a newer one"),
        (voided, 410, "replaced by a newer one"),
    ):
        got, page = get(url)
        assert (got, says in page, "Ada" in page) == (status, True, False), url
    before = worked.fingerprint()
    assert post(expired, ODI)[0] == 410 and post(replaced, ODI)[0] == 410
    assert worked.fingerprint() == before
    assert get(live)[0] == 200 and get(last_day)[0] == 200
    assert post(last_day, ODI)[0] == 200  # on its last day, it still takes the answers
    code, said = server.stop(signal.SIGINT)  # Ctrl-C
    assert code == 0 and "Stopped" in said and "Traceback" not in said


def test_ctrl_c_stops_a_server_started_with_sigint_ignored(worked):
    running = Server(worked.path, sigint_ignored=True)
    try:
        assert get(running.base + "/elsewhere")[0] == 404
        code, said = running.stop(signal.SIGINT)
    finally:
        if running.process.poll() is None:
            running.process.kill()
    assert code == 0 and "Stopped" in said


def test_too_few_answers_ask_again_keeping_those_given(worked, server):
    url = server.url(link(worked))
    status, page = post(url, {"Q1": "3", "Q2": "4"})
    assert status == 422 and "odi needs at least 9 of 10 answers" in page
    assert 'name="Q1" value="3" checked' in page and 'name="Q2" value="4" checked' in page
    assert post(url, {**ODI, "Q1": "9"})[0] == 422  # no such answer: asked again
    assert worked.json("form", "inbox") == []
    assert post(url, ODI)[0] == 200


def test_the_clinics_wording_is_shown_where_loaded(worked, server, tmp_path):
    wording = tmp_path / "odi.csv"
    wording.write_text("item,text,labels\nQ1,How bad is the <pain> now?,0=None|5=Worst\n")
    worked.ok("form", "text", "odi", str(wording))
    _, page = get(server.url(link(worked)))
    assert "1. How bad is the &lt;pain&gt; now?" in page  # escaped, as every value is
    assert "0 None" in page and "Question 2 of 10 (Q2)" in page


def test_a_thousand_bytes_of_nonsense_are_refused_plainly(worked, server):
    url = server.url(link(worked))
    status, page = post(url, {"Q1": "x" * 1000})
    assert status == 422 and "Traceback" not in page
    status, _ = post(url, {"Q1": "x" * 100_000})  # past the largest form a request may carry
    assert status in (404, 413)
    assert post(url, ODI)[0] == 200


# -- in a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def answer_every_item(page) -> None:
    for item, value in ODI.items():
        page.locator(f'input[name="{item}"][value="{value}"]').check()


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("width", "height", "script"),
    [(375, 740, True), (375, 740, False), (800, 1280, True)],
    ids=["phone", "phone-no-javascript", "tablet"],
)
def test_a_patient_answers_in_a_browser(worked, server, browser, width, height, script):
    url = server.url(link(worked))
    context = browser.new_context(
        viewport={"width": width, "height": height}, java_script_enabled=script
    )
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    assert page.goto(url).status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Hello Ada"
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing off-screen
    groups = page.get_by_role("group")
    assert groups.count() == 10  # a fieldset a question, named by its legend
    first = page.get_by_role("radio", name="3").first
    first.check()  # reached by its label, as a screen reader names it
    answer_every_item(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you, Ada"
    assert all(r.startswith(server.base) for r in requests)  # nothing fetched from elsewhere
    again = page.goto(url)
    assert again.status == 410 and "Ada" not in page.content()
    context.close()
    [waiting] = worked.json("form", "inbox")
    assert waiting["scores"] == ["odi=28"]


@pytest.mark.sqlite_only
def test_the_form_has_no_accessibility_violations(worked, server, browser):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (.ci/run runs npm ci in tests/axe)")
    context = browser.new_context(viewport={"width": 375, "height": 740}, bypass_csp=True)
    page = context.new_page()
    pages = [server.url(link(worked)), f"{server.base}/f/{'A' * 43}"]
    for url in pages:
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa',"
            " 'best-practice']})).violations.map(v => v.id + ': ' + v.help)"
        )
        assert found == [], (url, found)
    unlabelled = page.goto(pages[0]) and page.evaluate(
        "[...document.querySelectorAll('input')].filter(i => !i.labels.length).length"
    )
    assert unlabelled == 0
    context.close()


@pytest.mark.sqlite_only
def test_an_svg_qr_code_reads_back_as_the_link(worked, browser, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    svg = tmp_path / "link.svg"
    url = worked.ok("form", "link", "1", "--form", "womac", "-o", str(svg)).stdout.strip()
    page = browser.new_page(viewport={"width": 600, "height": 600})
    page.goto(svg.as_uri())
    shot = tmp_path / "shot.png"
    page.screenshot(path=str(shot))
    page.close()
    [code] = zxingcpp.read_barcodes(image.open(shot))
    assert code.text == url


# -- load ----------------------------------------------------------------------------------------


def test_two_hundred_submissions_from_twenty_clients_lose_none_and_double_none(worked):
    """Each of 200 links is sent twice, by two of 20 clients at once: one is taken, one gets
    410; every response is kept once."""
    from prolotrack.actions import form_links
    from prolotrack.actions.forms import form
    from prolotrack.cli.context import Clinic
    from prolotrack.storage import courses

    with Clinic(worked.path, TODAY.isoformat()).open(write=True) as desk:
        course = courses.get(desk.db, 1)
        tokens = [  # a follow-up each: a link replaces the live one of its own follow-up only
            form_links.issue(desk.db, course, form("odi"), desk.today, timepoint=f"{n}d").token
            for n in range(1, 201)
        ]
    server = Server(worked.path)
    try:
        urls = [f"{server.base}/f/{t}" for t in tokens]
        results: dict[int, list[int]] = {n: [] for n in range(len(urls))}
        lock = threading.Lock()

        def client(k: int) -> None:
            mine = [n for n in range(len(urls)) if n % 20 == k]
            theirs = [n for n in range(len(urls)) if n % 20 == (k + 1) % 20]
            for n in [x for pair in zip(mine, theirs, strict=True) for x in pair]:
                status, _ = post(urls[n], ODI)
                with lock:
                    results[n].append(status)

        clients = [threading.Thread(target=client, args=(k,)) for k in range(20)]
        for c in clients:
            c.start()
        for c in clients:
            c.join(timeout=600)
        assert sorted(sorted(s) for s in results.values()) == [[200, 410]] * 200
        code, said = server.stop()
        assert code == 0 and len(re.findall(r"response \d+ received", said)) == 200
        assert "queue" not in said  # Waitress's own chatter stays out of the clinic's log
    finally:
        if server.process.poll() is None:
            server.stop()
    waiting = worked.json("form", "inbox")
    assert len(waiting) == 200 and len({w["id"] for w in waiting}) == 200
    logged = worked.json("audit", "--entity", "form_link")
    used = [e["entity_id"] for e in logged if e["action"] == "use"]
    assert len(used) == len(set(used)) == 200
