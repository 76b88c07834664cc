"""A registry of clinics: a clinic publishes its research rows, a registry subscribes to each
clinic (storage/registry.py; docs/registry.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from prolotrack.actions import care, settings
from prolotrack.domain.errors import InvalidInput, Refused
from prolotrack.domain.instruments import CATALOGUE

if TYPE_CHECKING:
    from prolotrack.storage import Database

ON_A_FILE = (
    "a registry runs on PostgreSQL's logical replication: {what} needs a PostgreSQL database"
    " (--db postgresql://...); a file goes to research by 'export redcap -o DIR'"
)


@dataclass
class Published:
    site: str
    new: bool
    sent_now: int  # courses with research consent sent by this command
    rows: dict[str, int]  # rows of each research table at the clinic


def refuse_a_file(where: str | None, what: str) -> None:
    if not care.is_url(where):
        raise Refused(ON_A_FILE.format(what=what))


def publish(db: Database) -> Published:
    """The clinic's research tables and their publication, made (or brought up to date)."""
    from prolotrack.storage import registry

    site = settings.get(db, "site-id")
    if not site:
        raise Refused(
            "a registry needs this clinic's id on every row it sends: set it first"
            " (prolotrack config set site-id clinic-north)"
        )
    level = registry.wal_level(db)
    if level != "logical":
        raise Refused(
            f"the server's wal_level is {level}: logical replication needs wal_level = logical"
            " (set it in postgresql.conf and restart the server)"
        )
    new, sent = registry.publish(db, [i.code for i in CATALOGUE])
    return Published(site, new, sent, registry.sent(db))


def subscribe(where: str | None, source: str, busy_timeout: float) -> bool:
    """The registry's database subscribed to one clinic's publication: whether it is new."""
    from prolotrack.storage import registry

    refuse_a_file(where, "registry subscribe")
    if not care.is_url(source):
        raise InvalidInput(f"--from {source!r}: give the clinic's database as postgresql://...")
    return registry.subscribe_at(str(where), source, busy_timeout)
