"""``progress --chart``: each instrument's scores over time, drawn in the terminal by plotext.

Imported only when ``--chart`` is given. The chart fits the terminal (80 columns at least), marks
the baseline and the score at which the MCID is reached, and says which way is better in its
title; with NO_COLOR set (or through a pipe) it is drawn without colour.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import plotext

if TYPE_CHECKING:
    from prolotrack.domain.progress import CourseProgress

HEIGHT = 14
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def charts(progress: CourseProgress, width: int, colour: bool) -> list[str]:
    """One chart per instrument scored in the course, as text."""
    drawn = []
    for o in progress.outcomes:
        instrument = progress.catalogue[o.instrument]
        days, values = [], []
        for visit in progress.visits:
            if o.instrument in visit.scores:
                days.append(visit.day.isoformat())
                values.append(visit.scores[o.instrument])
        plotext.clear_figure()
        plotext.date_form("Y-m-d")
        plotext.plotsize(width, HEIGHT)
        plotext.theme("pro" if colour else "clear")
        plotext.plot(days, values, marker="hd" if colour else "*", label="score")
        if not instrument.is_global:
            plotext.hline(o.baseline, "gray")
        if o.mcid is not None and not instrument.is_global:
            mark = o.baseline - o.mcid if instrument.better == "lower" else o.baseline + o.mcid
            plotext.hline(mark, "green")
        plotext.ylim(instrument.minimum, instrument.maximum)
        arrow = "lower" if instrument.better == "lower" else "higher"
        if instrument.is_global:
            plotext.title(f"{o.instrument}: {arrow} is better; latest {o.latest:g}")
        else:
            plotext.title(
                f"{o.instrument}: {arrow} is better; baseline {o.baseline:g},"
                f" latest {o.latest:g}" + (f", MCID at {mark:.4g}" if o.mcid is not None else "")
            )
        text = plotext.build()
        drawn.append(text if colour else _ANSI.sub("", text))
    return drawn
