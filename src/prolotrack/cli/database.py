"""prolotrack db path | status | check | backup | restore, and prolotrack audit"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prolotrack.cli.context import clinic
from prolotrack.cli.options import Format, FormatOption
from prolotrack.cli.output import say, show

db_app = typer.Typer(no_args_is_help=True)


@db_app.command("path")
def db_path(ctx: typer.Context) -> None:
    """Print the path of the database file in use (whether or not it exists yet)."""
    path = clinic(ctx).path
    typer.echo(str(path))
    if not path.exists():
        say("(it does not exist yet: the first command that records something creates it)")


def _existing(ctx: typer.Context) -> Path:
    from prolotrack.domain.errors import DatabaseMissing

    path = clinic(ctx).path
    if not path.exists():
        raise DatabaseMissing(f"no database at {path}")
    return path


@db_app.command("status")
def db_status(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """The file: its size, schema version, journal mode, counts and last backup."""
    from prolotrack.render import practice
    from prolotrack.storage import maintenance

    found = maintenance.status(_existing(ctx))
    show(fmt, practice.database_status(found))


@db_app.command("check")
def db_check(ctx: typer.Context) -> None:
    """Check the file: integrity, foreign keys, the audit chain and every record against it.

    SQLite's full integrity check; the audit log's keyed hash chain and its head kept outside
    the file; the audit triggers; every record against its last audited state. Exit status 0
    only when all are clean; otherwise each problem is named and the status is 3.
    """
    from prolotrack.domain.errors import DatabaseUnusable
    from prolotrack.domain.vocab import plural
    from prolotrack.storage import verification

    path = _existing(ctx)
    found = verification.problems(path)
    if found:
        for problem in found:
            typer.echo(problem, err=True)
        raise DatabaseUnusable(f"{path}: {plural(len(found), 'problem')} found")
    typer.echo(f"{path}: ok (integrity, foreign keys, audit chain and head, records)")


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    dest: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DEST]",
            help="A file or folder [default: backups/ beside the database, keeping the last 10].",
        ),
    ] = None,
) -> None:
    """Back up the database: one consistent copy, checked, readable by you alone."""
    from prolotrack.storage import maintenance

    made = maintenance.backup(_existing(ctx), dest)
    typer.echo(str(made))


@db_app.command("restore")
def db_restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(metavar="SRC", help="A backup made by 'db backup'.")],
    force: Annotated[
        bool, typer.Option("--force", help="Restore a demo file (a sample clinic) all the same.")
    ] = False,
) -> None:
    """Replace the database with a backup, after checking it and backing up the current file.

    Refused: the database itself, a file without prolotrack's schema, a damaged file or one
    whose audit chain does not hold, a file with no patients where the database has some, and
    a demo file unless --force.
    """
    from prolotrack.storage import maintenance

    path = clinic(ctx).path
    saved = maintenance.restore(path, source, force=force)
    kept = f"; the file it replaced is kept as {saved}" if saved else ""
    say(f"Restored {path} from {source}{kept}")


ENTITIES = ("patient", "course", "session", "injection", "score", "adverse_event", "instrument",
            "setting", "protocol", "protocol_site", "patient_flag", "rehabilitation")  # fmt: skip


def audit(
    ctx: typer.Context,
    entity: Annotated[
        str | None,
        typer.Option("--entity", metavar="ENTITY", help=f"One of: {', '.join(ENTITIES)}."),
    ] = None,
    record_id: Annotated[
        str | None, typer.Option("--id", metavar="ID", help="Only this record's history.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The history of changes, newest first: when, who, what, before and after, and why."""
    from prolotrack.domain import vocab
    from prolotrack.render import practice
    from prolotrack.storage import audit as log

    kind = vocab.one_of(entity, ENTITIES, "entity") if entity else None
    with clinic(ctx).open(write=False) as desk:
        found = log.history(desk.db, kind, record_id)
    show(fmt, practice.audit_log(found))
