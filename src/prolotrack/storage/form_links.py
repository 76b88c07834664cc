"""Queries on one-time form links and on the responses waiting for review."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from prolotrack.domain import vocab
from prolotrack.domain.models import FormLink, FormResponse
from prolotrack.storage import audit, rows

if TYPE_CHECKING:
    from prolotrack.storage import Database


def insert_link(db: Database, fields: dict) -> int:
    return rows.insert(db, "form_links", {**fields, "created_at": rows.utc_now()})


def link(db: Database, link_id: int) -> FormLink | None:
    found = list(db.query("SELECT * FROM form_links WHERE id = :id", {"id": link_id}))
    return _link(found[0]) if found else None


def by_token_hash(db: Database, token_hash: str) -> FormLink | None:
    found = list(
        db.query("SELECT * FROM form_links WHERE token_hash = :hash", {"hash": token_hash})
    )
    return _link(found[0]) if found else None


def withdraw_live(
    db: Database, course_id: int, form: str, timepoint: str | None, today: date
) -> int:
    """Withdraw the course's unused links to this form and timepoint still live today (a new
    one replaces them); returns how many."""
    params = {
        "course": course_id,
        "form": form,
        "timepoint": timepoint,
        "today": today.isoformat(),
        "now": rows.utc_now(),
    }
    same = (
        "course_id = :course AND form = :form AND used_at IS NULL AND withdrawn_at IS NULL"
        " AND expires_on >= :today AND "
        + ("timepoint IS NULL" if timepoint is None else "timepoint = :timepoint")
    )
    return db.execute(f"UPDATE form_links SET withdrawn_at = :now WHERE {same}", params).rowcount


def pending_for(
    db: Database, course_ids: list[int], today: date
) -> set[tuple[int, str, str | None]]:
    """(course, form, timepoint) of each link among these courses still live today, or used
    with its answers still waiting for review."""
    return {
        (r["course_id"], r["form"], r["timepoint"])
        for r in rows.query_in(
            db,
            "SELECT l.course_id, l.form, l.timepoint, l.expires_on, l.used_at, r.status"
            " FROM form_links l LEFT JOIN form_responses r ON r.link_id = l.id"
            " WHERE l.course_id IN ({ids}) AND l.withdrawn_at IS NULL",
            course_ids,
        )
        if (r["used_at"] is None and date.fromisoformat(r["expires_on"]) >= today)
        or r["status"] == vocab.RECEIVED
    }


def use(db: Database, link_id: int) -> bool:
    """Mark the link used, if no one has: whether this call did (the one submission it takes)."""
    done = db.execute(
        "UPDATE form_links SET used_at = :now WHERE id = :id AND used_at IS NULL",
        {"now": rows.utc_now(), "id": link_id},
    )
    return done.rowcount == 1


def as_patient(db: Database) -> None:
    """The changes that follow in this transaction are the patient's, by a link."""
    from prolotrack.domain.form_links import BY_LINK

    audit.begin(db, BY_LINK)


def insert_response(db: Database, fields: dict, answers: dict[str, int | None]) -> int:
    return rows.insert(
        db,
        "form_responses",
        {
            **fields,
            "answers": json.dumps(answers),
            "status": vocab.RECEIVED,
            "received_at": rows.utc_now(),
        },
    )


def response(db: Database, response_id: int) -> FormResponse | None:
    found = list(db.query("SELECT * FROM form_responses WHERE id = :id", {"id": response_id}))
    return _response(found[0]) if found else None


def waiting(db: Database) -> list[FormResponse]:
    """Responses received and not yet reviewed, oldest first."""
    return [
        _response(r)
        for r in db.query(
            "SELECT * FROM form_responses WHERE status = :status ORDER BY received_at, id",
            {"status": vocab.RECEIVED},
        )
    ]


def count_waiting(db: Database) -> int:
    return db.execute(
        "SELECT count(*) FROM form_responses WHERE status = :status", {"status": vocab.RECEIVED}
    ).fetchone()[0]


def received_on(db: Database, course_id: int, form: str, day: date) -> int | None:
    """A response waiting for review of this course's form answered that day, if any."""
    found = list(
        db.query(
            "SELECT id FROM form_responses WHERE course_id = :course AND form = :form"
            " AND answered_on = :day AND status = :status ORDER BY id LIMIT 1",
            {"course": course_id, "form": form, "day": day.isoformat(), "status": vocab.RECEIVED},
        )
    )
    return found[0]["id"] if found else None


def review(
    db: Database, response_id: int, status: str, by: str, reason: str | None, set_id: int | None
) -> None:
    rows.update(
        db,
        "form_responses",
        response_id,
        {
            "status": status,
            "reviewed_by": by,
            "reviewed_at": rows.utc_now(),
            "reason": reason,
            "answer_set_id": set_id,
        },
    )


def _link(r: dict) -> FormLink:
    return FormLink(
        id=r["id"],
        course_id=r["course_id"],
        form=r["form"],
        expires_on=date.fromisoformat(r["expires_on"]),
        created_at=r["created_at"],
        timepoint=r["timepoint"],
        used_at=r["used_at"],
        withdrawn_at=r["withdrawn_at"],
    )


def _response(r: dict) -> FormResponse:
    return FormResponse(
        id=r["id"],
        course_id=r["course_id"],
        form=r["form"],
        form_version=r["form_version"],
        answered_on=date.fromisoformat(r["answered_on"]),
        answers=json.loads(r["answers"]),
        source=r["source"],
        received_at=r["received_at"],
        status=r["status"],
        link_id=r["link_id"],
        reviewed_by=r["reviewed_by"],
        reviewed_at=r["reviewed_at"],
        reason=r["reason"],
        answer_set_id=r["answer_set_id"],
        external_id=r["external_id"],
    )
