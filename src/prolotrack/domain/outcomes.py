"""How a course is going: change against baseline, the MCID, responder tiers and the next due date.

Pure calculations, tested without a database. The rules are SPEC's "What progress shows":

- baseline is the first score of an instrument in the course, latest the most recent one;
- improvement is baseline - latest where lower is better, latest - baseline where higher is;
- improvement % is improvement / |baseline - best end of the scale| x 100, undefined when the
  baseline is already at the best end;
- the MCID is reached when improvement >= the MCID, in points or in % of the baseline;
- the responder tier (IMMPACT, Dworkin 2008) comes from improvement %.

A global rating asked after treatment (PGIC) has no baseline: its outcome is the latest score,
and whether it is at the instrument's responder mark or better ("much improved" or better); it
has no baseline, change, MCID or tier. A course with a baseline and nothing after it is not
evaluable: no MCID judgement, no tier (SPEC, third edition).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from prolotrack.domain.instruments import HIGHER, PERCENT, Instrument
from prolotrack.domain.models import Course, Score

# IMMPACT tiers of percent improvement, best first: (tier, lowest improvement % in it)
TIERS = (("substantial", 50.0), ("moderate", 30.0), ("minimal", 10.0), ("none", 0.0))
WORSE = "worse"
RESPONDER_TIERS = (*(name for name, _ in TIERS), WORSE)


@dataclass(frozen=True)
class Outcome:
    instrument: str
    baseline: float | None  # None for a global rating: it has none
    latest: float
    baseline_on: date
    latest_on: date
    change: float | None
    improvement: float | None
    improvement_pct: float | None
    mcid: float | None  # in points: a percentage MCID is converted with the baseline
    mcid_reached: bool | None  # None where the instrument has no MCID, or not evaluable
    responder: str | None  # None where improvement % is undefined and nothing got worse
    scores: tuple[float, ...]  # every score in date order, for a trend
    evaluable: bool = True  # a baseline and a score after it (a global rating: any score)
    at_responder_mark: bool | None = None  # a global rating's judgement: at its mark or better

    @property
    def is_global(self) -> bool:
        return self.at_responder_mark is not None

    @property
    def reached(self) -> bool | None:
        """Whether the course met its mark: the MCID, or a global rating's responder mark."""
        return self.at_responder_mark if self.is_global else self.mcid_reached


def best_end(instrument: Instrument) -> float:
    return instrument.maximum if instrument.better == HIGHER else instrument.minimum


def improvement(instrument: Instrument, baseline: float, latest: float) -> float:
    """Positive when the patient is better, whichever way the scale runs."""
    return latest - baseline if instrument.better == HIGHER else baseline - latest


def improvement_pct(instrument: Instrument, baseline: float, gain: float) -> float | None:
    room = abs(baseline - best_end(instrument))
    if room == 0:
        return None
    return gain / room * 100


def mcid_points(instrument: Instrument, baseline: float) -> float | None:
    """The MCID in the instrument's points (a percentage MCID is a share of the baseline);
    none where the instrument has none, or a percentage MCID meets a baseline already at the
    best end (0 % of 0: no change could reach it, and none is needed)."""
    if instrument.mcid is None:
        return None
    if instrument.mcid_unit == PERCENT:
        if baseline == best_end(instrument):
            return None
        return abs(baseline) * instrument.mcid / 100
    return instrument.mcid


def responder(pct: float | None, gain: float) -> str | None:
    """The IMMPACT tier of an improvement %: substantial, moderate, minimal, none or worse."""
    if gain < 0 or (pct is not None and pct < 0):
        return WORSE
    if pct is None:
        return None
    shown = round(pct, 1)  # the tier of the figure the practitioner reads: 29.985 shows 30.0
    return next(name for name, floor in TIERS if shown >= floor)


def outcome(instrument: Instrument, scores: Iterable[Score]) -> Outcome | None:
    """The outcome of one instrument from a course's scores (voided ones are left out)."""
    mine = sorted(
        (s for s in scores if s.instrument == instrument.code and not s.voided_at),
        key=lambda s: (s.taken_on, s.id),
    )
    if not mine:
        return None
    first, last = mine[0], mine[-1]
    if instrument.is_global:  # judged on the latest answer against the responder mark
        return Outcome(
            instrument=instrument.code,
            baseline=None,
            latest=last.value,
            baseline_on=first.taken_on,
            latest_on=last.taken_on,
            change=None,
            improvement=None,
            improvement_pct=None,
            mcid=None,
            mcid_reached=None,
            responder=None,
            scores=tuple(s.value for s in mine),
            at_responder_mark=improvement(instrument, instrument.responder_at, last.value) >= 0,
        )
    gain = improvement(instrument, first.value, last.value)
    pct = improvement_pct(instrument, first.value, gain)
    threshold = mcid_points(instrument, first.value)
    # None: the instrument has no MCID; False also where a percentage MCID is not applicable.
    # Judged on the figures to 4 places, as recorded: 50 - 39.17 reaches a DASH MCID of 10.83.
    reached = (
        None
        if instrument.mcid is None
        else threshold is not None and round(gain, 4) >= round(threshold, 4)
    )
    judged = last.taken_on > first.taken_on
    if not judged:  # a baseline alone: nothing to judge yet
        pct, reached = None, None
    return Outcome(
        instrument=instrument.code,
        baseline=first.value,
        latest=last.value,
        baseline_on=first.taken_on,
        latest_on=last.taken_on,
        change=round(last.value - first.value, 4),
        improvement=round(gain, 4),
        improvement_pct=None if pct is None else round(pct, 1),
        mcid=None if threshold is None else round(threshold, 2),
        mcid_reached=reached,
        responder=responder(pct, gain) if judged else None,
        scores=tuple(s.value for s in mine),
        evaluable=judged,
    )


def evaluable(instrument: Instrument, o: Outcome | None) -> bool:
    """A baseline and a score dated after it; for a global rating, any score."""
    if o is None:
        return False
    return instrument.is_global or o.latest_on > o.baseline_on


def week(started_on: date, day: date) -> int:
    """Whole weeks since the course started: the first seven days are week 0."""
    return (day - started_on).days // 7


def next_due(course: Course) -> date | None:
    """When the next session is due: the last session plus the interval (the start date
    before any session); none once the course is closed or its planned sessions are done."""
    if not course.is_open:
        return None
    if course.planned_sessions is not None and course.sessions_done >= course.planned_sessions:
        return None
    if course.last_session_on is None:
        return course.started_on
    return course.interval.after(course.last_session_on)


def days_overdue(due: date | None, today: date) -> int | None:
    """How many days past its due date a session is: 0 on the day, None before it (a date
    still to come is not overdue by 0 days)."""
    if due is None or due > today:
        return None
    return (today - due).days
