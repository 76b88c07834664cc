"""Debian's Chromium, driven by Playwright, for the tests of what people open in a browser (the
take-home report, the form server's pages)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("PROLOTRACK_CHROMIUM") or shutil.which("chromium")
# No background traffic: this machine's network is closed, and nothing may load from outside.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless Chromium for the duration, or the test skipped saying what is missing."""
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM:
        pytest.skip("no chromium here (.ci/run installs Debian's package)")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()
