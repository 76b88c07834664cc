"""A course's scores over time as an SVG chart, drawn with matplotlib's SVG backend.

Imported only by the commands that chart (``report course``): matplotlib takes a good part of a
second to load, which no other command should pay. Each chart shows one instrument: its scores
(one marker per score; follow-up scores as diamonds), the baseline, the MCID threshold as a band
from the baseline to the score that would reach it, the session dates as ticks along the bottom,
and which way is better on the axis. Text stays text in the SVG (``svg.fonttype: none``), so the
figures in a chart can be read, searched and tested; the SVG carries no reference to anything
outside itself.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib

matplotlib.use("svg")
from matplotlib import pyplot
from matplotlib.dates import AutoDateLocator, DateFormatter

matplotlib.rcParams.update({
    "svg.fonttype": "none",  # text as text, in the browser's own sans-serif
    "svg.hashsalt": "prolotrack",  # the same chart gives the same SVG
    "font.family": "sans-serif",
    "font.size": 9,
})  # fmt: skip

SESSION_COLOUR = "#2b6cb0"
FOLLOW_UP_COLOUR = "#b7791f"
MCID_COLOUR = "#38a169"


@dataclass(frozen=True)
class Series:
    """What one chart shows: an instrument's scores and its landmarks."""

    title: str
    better: str  # "lower" or "higher"
    minimum: float
    maximum: float
    scores: list[tuple[date, float, bool]]  # (day, value, taken at a follow-up)
    sessions: list[date]
    baseline: float | None = None
    threshold: float | None = None  # the score at which the MCID is reached
    words: tuple[str, str] = ("MCID threshold", "baseline")  # how the legend names the two
    anchors: dict[float, str] | None = None  # words on the score axis (PGIC: 1 very much better)


def svg(series: Series, width_cm: float = 16, height_cm: float = 6.5) -> str:
    """The chart as an ``<svg>`` element, ready to be placed inline in HTML."""
    figure, axes = pyplot.subplots(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=96)
    try:
        _draw(axes, series)
        figure.tight_layout()
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        pyplot.close(figure)
    text = out.getvalue()
    text = text[text.index("<svg") :]  # the element alone, without the XML prologue
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)


def _draw(axes, s: Series) -> None:
    span = s.maximum - s.minimum
    axes.set_ylim(s.minimum - span * 0.04, s.maximum + span * 0.04)
    if s.baseline is not None and s.threshold is not None:
        low, high = sorted((s.baseline, s.threshold))
        axes.axhspan(low, high, color=MCID_COLOUR, alpha=0.12, lw=0, gid="mcid-band")
        axes.axhline(
            s.threshold,
            color=MCID_COLOUR,
            lw=1,
            ls="--",
            gid="mcid-line",
            label=f"{s.words[0]} {s.threshold:.4g}",
        )
    if s.baseline is not None:
        axes.axhline(
            s.baseline,
            color="#718096",
            lw=1,
            ls=":",
            gid="baseline",
            label=f"{s.words[1]} {s.baseline:g}",
        )
    at_sessions = [(d, v) for d, v, follow in s.scores if not follow]
    follow_ups = [(d, v) for d, v, follow in s.scores if follow]
    every = sorted((d, v) for d, v, _ in s.scores)
    if every:
        axes.plot(
            [d for d, _ in every],
            [v for _, v in every],
            color=SESSION_COLOUR,
            lw=1.2,
            alpha=0.6,
            gid="trend",
        )
    if at_sessions:
        axes.plot(
            [d for d, _ in at_sessions],
            [v for _, v in at_sessions],
            "o",
            ms=5,
            color=SESSION_COLOUR,
            gid="points-session",
            label="score",
        )
    if follow_ups:
        axes.plot(
            [d for d, _ in follow_ups],
            [v for _, v in follow_ups],
            "D",
            ms=6,
            color=FOLLOW_UP_COLOUR,
            gid="points-follow-up",
            label="follow-up",
        )
    if s.sessions:
        axes.plot(
            s.sessions,
            [s.minimum - span * 0.04] * len(s.sessions),
            "|",
            ms=10,
            color="#4a5568",
            clip_on=False,
            gid="sessions",
            label="injection",
        )
    axes.set_ylabel(f"{s.better} is better {'↓' if s.better == 'lower' else '↑'}")
    if s.anchors:
        axes.set_yticks(list(s.anchors), [f"{v:g} {w}" for v, w in s.anchors.items()], fontsize=7)
    axes.set_title(s.title, loc="left", fontsize=10, wrap=True)
    days = sorted({d for d, _, _ in s.scores} | set(s.sessions))
    if days:  # the time the course spans, not matplotlib's years around a lone score
        margin = max((days[-1] - days[0]) * 0.05, timedelta(days=7))
        axes.set_xlim(days[0] - margin, days[-1] + margin)
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=5))
    axes.xaxis.set_major_formatter(DateFormatter("%d %b %y"))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", color="#e2e8f0", lw=0.6)
    # below the plot, never over the scores
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=5, fontsize=7, frameon=False)
