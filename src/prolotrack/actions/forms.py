"""Forms filled in: answers read and checked, scored by the form's rule into derived scores,
written with them in one go; a clinic's own wording of a form loaded from a CSV file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from prolotrack.actions import scores as typed
from prolotrack.domain import lookup
from prolotrack.domain.errors import InvalidInput, NotFound
from prolotrack.domain.form_catalogue import FORMS
from prolotrack.domain.forms import Form, Scored, ScoreShown, find
from prolotrack.domain.models import AnswerSet, Course, Score, Session
from prolotrack.storage import answers, scores

if TYPE_CHECKING:
    from prolotrack.storage import Database


def form(code: str) -> Form:
    return find(FORMS, code)


@dataclass
class Filled:
    """A form filled in and written: its answers, what they scored into, and what not."""

    answer_set: AnswerSet
    scores: list[Score]
    scored: Scored


def derive(db: Database, chosen: Form, given: dict[str, int | None]) -> Scored:
    """The scores a set of (checked) answers derives, each in its instrument's range (the
    practice's instruments read once); refused naming the rule when none can be scored."""
    scored = chosen.scored(given)
    catalogue = {i.code: i for i in scores.instruments(db)}
    for code, value in scored.values.items():
        instrument = catalogue.get(code)
        if instrument is None:
            raise NotFound(f"{chosen.code} scores into {code}, which is not an instrument here")
        instrument.check(value, derived=True)
    return scored


def record(
    db: Database,
    course: Course,
    chosen: Form,
    given: dict[str, int | None],
    taken_on: date,
    today: date,
    session: Session | None = None,
) -> Filled:
    """Score a form's answers and write the answer set with its derived scores, after every
    check (a second score of an instrument that day is refused as any is)."""
    scored = derive(db, chosen, given)
    assignments = list(scored.values.items())
    typed.refuse(db, course, assignments, taken_on, today, session)
    set_id = answers.insert(
        db,
        {
            "course_id": course.id,
            "session_id": session.id if session else None,
            "form": chosen.code,
            "form_version": chosen.version,
            "scoring_version": chosen.scoring,
            "date": taken_on.isoformat(),
        },
        given,
    )
    ids = [
        scores.insert(
            db,
            {
                "course_id": course.id,
                "session_id": session.id if session else None,
                "instrument": code,
                "value": value,
                "date": taken_on.isoformat(),
                "answer_set_id": set_id,
            },
        )
        for code, value in assignments
    ]
    return Filled(answers.get(db, set_id), scores.by_ids(db, ids), scored)


def shown(db: Database, score_id: int) -> ScoreShown:
    from prolotrack.storage import courses

    score = scores.get(db, lookup.check_id(score_id, "score"))
    if score is None:
        raise NotFound(f"no score {score_id} (see 'prolotrack score list COURSE')")
    course = courses.get(db, score.course_id)
    if score.answer_set_id is None:
        return ScoreShown(score, course)
    answer_set = answers.get(db, score.answer_set_id)
    siblings = [
        s
        for s in scores.for_course(db, score.course_id, include_voided=True)
        if s.answer_set_id == score.answer_set_id
    ]
    return ScoreShown(score, course, answer_set, FORMS.get(answer_set.form), siblings)


def wording(db: Database, chosen: Form) -> dict[str, tuple[str, str | None]]:
    return answers.wording(db, chosen.code)


def worded(db: Database) -> set[str]:
    return answers.worded_forms(db)


def load_wording(db: Database, chosen: Form, path: Path) -> int:
    """A clinic's licensed wording of a form, from a CSV file (columns ``item``, ``text``,
    ``labels``: the answers' labels as ``0=None|1=Mild|...``, optional); every row checked
    before any is written. Returns how many items it words."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFound(f"no file {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read {path} as UTF-8 text: {error}") from None
    reader = csv.DictReader(io.StringIO(content))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "item" not in header or "text" not in header:
        raise InvalidInput(
            f"{path}: the first row must name the columns item, text (and labels, optional);"
            f" found {', '.join(header) or 'nothing'}"
        )
    texts, seen = [], set()
    for n, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        item = chosen.item(row["item"]).id if row["item"] else None
        if item is None or not row["text"]:
            raise InvalidInput(f"{path} line {n}: an item and its text are needed")
        if item in seen:
            raise InvalidInput(f"{path} line {n}: item {item} is worded twice")
        seen.add(item)
        texts.append((item, row["text"], _labels(chosen, item, row.get("labels"), path, n)))
    if not texts:
        raise InvalidInput(f"{path} words no item of {chosen.code}")
    answers.set_wording(db, chosen.code, texts)
    return len(texts)


def _labels(chosen: Form, item: str, text: str | None, path: Path, line: int) -> str | None:
    """``0=None|1=Mild``: each value in the item's range, once."""
    if not text:
        return None
    it = chosen.item(item)
    seen = set()
    for part in text.split("|"):
        value, sep, label = part.partition("=")
        try:
            number = int(value.strip())
        except ValueError:
            number = None
        if not sep or not label.strip() or number is None or not it.low <= number <= it.high:
            raise InvalidInput(
                f"{path} line {line}: labels {text!r} are not of the form"
                f" {it.low}=Label|{it.low + 1}=Label... within {it.range_text}"
            )
        if number in seen:
            raise InvalidInput(f"{path} line {line}: answer {number} is labelled twice")
        seen.add(number)
    return text
