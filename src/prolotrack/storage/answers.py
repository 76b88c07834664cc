"""Queries on answer sets (a form filled in once, its answers as given) and on a clinic's own
wording of a form's items."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain.models import AnswerSet
from prolotrack.storage import rows

if TYPE_CHECKING:
    from prolotrack.storage import Database


def insert(db: Database, fields: dict, answers: dict[str, int | None]) -> int:
    """An answer set and its answers, one row an item in the form's order."""
    set_id = rows.insert(db, "answer_sets", {**fields, "created_at": rows.utc_now()})
    rows.insert_all(
        db,
        "answers",
        [
            {"answer_set_id": set_id, "position": n, "item": item, "value": value}
            for n, (item, value) in enumerate(answers.items(), start=1)
        ],
    )
    return set_id


def get(db: Database, set_id: int) -> AnswerSet | None:
    found = list(db.query("SELECT * FROM answer_sets WHERE id = :id", {"id": set_id}))
    if not found:
        return None
    answers = {
        r["item"]: r["value"]
        for r in db.query(
            "SELECT item, value FROM answers WHERE answer_set_id = :id ORDER BY position",
            {"id": set_id},
        )
    }
    return _answer_set(found[0], answers)


def for_course(db: Database, course_id: int) -> list[AnswerSet]:
    """The course's live answer sets, by date, with their answers."""
    sets = list(
        db.query(
            "SELECT * FROM answer_sets WHERE course_id = :course AND voided_at IS NULL"
            " ORDER BY date, id",
            {"course": course_id},
        )
    )
    given: dict[int, dict[str, int | None]] = {r["id"]: {} for r in sets}
    for r in rows.query_in(
        db,
        "SELECT answer_set_id, item, value FROM answers WHERE answer_set_id IN ({ids})"
        " ORDER BY answer_set_id, position",
        list(given),
    ):
        given[r["answer_set_id"]][r["item"]] = r["value"]
    return [_answer_set(r, given[r["id"]]) for r in sets]


def forms_answered(db: Database, patient_id: int | None = None) -> list[str]:
    """The forms the live answer sets (of one patient, or all) were given on."""
    where = " AND c.patient_id = :patient" if patient_id is not None else ""
    return [
        r["form"]
        for r in db.query(
            "SELECT DISTINCT a.form FROM answer_sets a JOIN courses c ON c.id = a.course_id"
            f" WHERE a.voided_at IS NULL{where} ORDER BY a.form",
            {"patient": patient_id},
        )
    ]


def void(db: Database, set_id: int, reason: str) -> None:
    """Void an answer set and every score derived from it, with one reason."""
    now = rows.utc_now()
    rows.update(db, "answer_sets", set_id, {"voided_at": now, "void_reason": reason})
    db.execute(
        "UPDATE scores SET voided_at = :now, void_reason = :reason"
        " WHERE answer_set_id = :id AND voided_at IS NULL",
        {"now": now, "reason": reason, "id": set_id},
    )


def wording(db: Database, form: str) -> dict[str, tuple[str, str | None]]:
    """The clinic's own wording of a form's items: item -> (text, answer labels)."""
    return {
        r["item"]: (r["text"], r["labels"])
        for r in db.query(
            "SELECT item, text, labels FROM form_texts WHERE form = :form ORDER BY id",
            {"form": form},
        )
    }


def worded_forms(db: Database) -> set[str]:
    return {r["form"] for r in db.query("SELECT DISTINCT form FROM form_texts")}


def set_wording(db: Database, form: str, texts: list[tuple[str, str, str | None]]) -> None:
    """The clinic's wording of a form (item, text, labels): each item's replaced or added,
    the form's other items left as they were."""
    for item, text, labels in texts:
        found = list(
            db.query(
                "SELECT id FROM form_texts WHERE form = :form AND item = :item",
                {"form": form, "item": item},
            )
        )
        if found:
            rows.update(db, "form_texts", found[0]["id"], {"text": text, "labels": labels})
        else:
            rows.insert(
                db, "form_texts", {"form": form, "item": item, "text": text, "labels": labels}
            )


def _answer_set(row: dict, answers: dict[str, int | None]) -> AnswerSet:
    return AnswerSet(
        id=row["id"],
        course_id=row["course_id"],
        form=row["form"],
        form_version=row["form_version"],
        scoring_version=row["scoring_version"],
        taken_on=date.fromisoformat(row["date"]),
        answers=answers,
        session_id=row["session_id"],
        voided_at=row["voided_at"],
        void_reason=row["void_reason"],
    )
