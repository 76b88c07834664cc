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


def void(db: Database, set_id: int, reason: str) -> None:
    """Void an answer set and every score derived from it, with one reason."""
    now = rows.utc_now()
    rows.update(db, "answer_sets", set_id, {"voided_at": now, "void_reason": reason})
    db.execute(
        "UPDATE scores SET voided_at = :now, void_reason = :reason"
        " WHERE answer_set_id = :id AND voided_at IS NULL",
        {"now": now, "reason": reason, "id": set_id},
    )


def export_rows(db: Database, where: str, params: dict):
    """One row an answer of the live answer sets that ``where`` (over ``a`` the answer set,
    ``c`` its course, ``p`` the patient) lets through, in order of set then item."""
    return db.stream(
        "SELECT p.id AS patient_id, p.name AS patient, p.chart AS chart, c.id AS course_id,"
        " a.id AS answer_set_id, a.form, a.form_version, a.scoring_version, a.date,"
        " a.session_id, n.position, n.item, n.value"
        " FROM answers n JOIN answer_sets a ON a.id = n.answer_set_id"
        " JOIN courses c ON c.id = a.course_id JOIN patients p ON p.id = c.patient_id"
        f" WHERE a.voided_at IS NULL AND c.voided_at IS NULL{where}"
        " ORDER BY a.id, n.position",
        params,
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
