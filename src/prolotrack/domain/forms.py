"""Item-level forms: a questionnaire's answers, read and checked, and scored by its published
rule into the catalogue's instruments (clinical-reference.md section 9).

A form is its item identifiers with each item's range, the instruments it derives, its version
and the version of the scoring rule followed, and the rule itself, in code and in words. Answers
are given in item order, ``-`` for one not given. A value out of its item's range, a wrong count,
or more missing answers than the rule allows is refused naming the rule; a missing answer is
otherwise scored exactly as the rule says (left out of the mean, prorated, or replaced by the
mean of its part), never guessed. prolotrack keeps no licensed wording: ``form text`` loads a
clinic's own. The eight built-in forms are in ``domain/form_catalogue.py``.

Arithmetic is exact (fractions) and a score is rounded once, at the end, half up, to the
places its rule gives: ``16 / 45 x 100`` is 35.6, whichever way binary floats would lean.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from prolotrack.domain.errors import InvalidInput, NotFound
from prolotrack.domain.models import AnswerSet, Course, Score

MISSING = "-"

Answers = Mapping[str, int | None]  # item id -> value, None where not given, in item order


@dataclass(frozen=True)
class Item:
    id: str
    low: int
    high: int

    @property
    def range_text(self) -> str:
        return f"{self.low}-{self.high}"


@dataclass(frozen=True)
class Scored:
    """What a rule made of one set of answers: a value for each instrument it could score,
    and, for each it could not, why (a KOOS subscale with too few answers)."""

    values: dict[str, float]
    unscored: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Form:
    code: str
    name: str
    version: str  # the form as published, one word (2.1a, LK3.1, 1.2, Roos-2003 ...)
    scoring: str  # the scoring rule followed: its version and where it is published
    items: tuple[Item, ...]
    derives: tuple[str, ...]  # the catalogue instruments it scores into
    rule: str  # the scoring rule, in words
    missing: str  # what it does with answers not given, in words
    licence: str  # who holds the wording, and whether using it needs their licence
    score: Callable[[Answers], Scored] = field(repr=False, compare=False)

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id.lower() == item_id.lower():
                return it
        raise InvalidInput(f"{self.code} has no item {item_id!r} (items: {self.item_ids})")

    @property
    def item_ids(self) -> str:
        ids = [i.id for i in self.items]
        return ", ".join(ids) if len(ids) <= 12 else f"{ids[0]} ... {ids[-1]} ({len(ids)})"

    def read(self, text: str) -> dict[str, int | None]:
        """Answers typed in item order (``2,3,1,-,4``: ``-`` for one not given), checked."""
        given = [a.strip() for a in text.replace(";", ",").split(",")]
        if len(given) == 1 and " " in given[0]:
            given = given[0].split()  # "2 3 1 - 4" as well
        if len(given) != len(self.items):
            raise InvalidInput(
                f"{self.code} has {len(self.items)} items; {len(given)} answers given"
                f" (in item order, {MISSING} for one not given)"
            )
        return self.checked(dict(zip((i.id for i in self.items), given, strict=True)))

    def checked(self, answers: Mapping[str, object]) -> dict[str, int | None]:
        """Each answer a whole number in its item's range, or not given (None or ``-``)."""
        return {it.id: self.answer(it, answers.get(it.id)) for it in self.items}

    def answer(self, it: Item, value: object) -> int | None:
        """One answer: a whole number in the item's range, or None for one not given."""
        if value is None or str(value).strip() in ("", MISSING):
            return None
        return _value(self.code, it, value)

    def scored(self, answers: Answers) -> Scored:
        """The instruments this set of answers scores into, by the form's rule; refused
        naming the rule when it scores none."""
        return self.score(answers)


@dataclass
class ScoreShown:
    """One score as ``score show`` gives it: typed, or derived with its answers and rule."""

    score: Score
    course: Course
    answer_set: AnswerSet | None = None
    form: Form | None = None
    siblings: list[Score] | None = None  # every score derived from the same answers


def _value(code: str, it: Item, value: object) -> int:
    text = str(value).strip()
    try:
        number = int(text)
    except ValueError:
        raise InvalidInput(
            f"{code} item {it.id}: {text!r} is not an answer (a whole number {it.range_text},"
            f" or {MISSING} for none)"
        ) from None
    if not it.low <= number <= it.high:
        raise InvalidInput(f"{code} item {it.id}: {number} is out of its range {it.range_text}")
    return number


def rounded(value: Fraction, places: int = 1) -> float:
    """Half up, once, at the end: what the rule's "one decimal" means."""
    scale = 10**places
    return math.floor(value * scale + Fraction(1, 2)) / scale


def given(answers: Answers, ids: tuple[str, ...]) -> list[int]:
    return [v for i in ids if (v := answers[i]) is not None]


def ids(prefix: str, count: int, start: int = 1) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}" for n in range(start, start + count))


def items(names: tuple[str, ...], low: int, high: int) -> tuple[Item, ...]:
    return tuple(Item(n, low, high) for n in names)


def find(catalogue: Mapping[str, Form], code: str) -> Form:
    form = catalogue.get(code.strip().lower())
    if form is None:
        raise NotFound(f"unknown form {code!r} (known: {', '.join(catalogue)})")
    return form
