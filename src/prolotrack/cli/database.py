"""prolotrack db path | status | check | backup | restore | copy | encrypt | decrypt, and
prolotrack audit

Each works on a file and on a clinic's PostgreSQL database, through the one interface of
actions/care.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prolotrack.actions import care
from prolotrack.cli.context import clinic
from prolotrack.cli.options import Format, FormatOption
from prolotrack.cli.output import say, show

db_app = typer.Typer(no_args_is_help=True)


@db_app.command("path")
def db_path(ctx: typer.Context) -> None:
    """Print the path of the database file in use (whether or not it exists yet), or the
    PostgreSQL database's URL (never its password)."""
    if clinic(ctx).url:
        typer.echo(clinic(ctx).record.name)
        return
    path = clinic(ctx).path
    typer.echo(str(path))
    if not path.exists():
        say("(it does not exist yet: the first command that records something creates it)")


@db_app.command("status")
def db_status(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """The file: its size, schema version, journal mode, counts and last backup."""
    from prolotrack.cli.context import busy_timeout
    from prolotrack.render import practice

    found = clinic(ctx).record.status(busy_timeout())
    show(fmt, practice.database_status(found))


@db_app.command("check")
def db_check(
    ctx: typer.Context,
    accept: Annotated[
        str | None,
        typer.Option(
            "--accept",
            metavar="REASON",
            help="Take the file as it is, with this reason in the audit log: what follows from"
            " the record is put right, each record not as logged is logged as it stands, and"
            " writes go on. Not for damage (restore a backup), nor on PostgreSQL.",
        ),
    ] = None,
) -> None:
    """Check the file: integrity, foreign keys, the audit chain and every record against it.

    SQLite's full integrity check; the audit log's keyed hash chain and its head kept outside
    the file; the audit triggers; every record against its last audited state and each change
    against the one before; session numbers and site names. Exit status 0 only when all are
    clean; otherwise each problem is named and the status is 3. A file whose check fails takes
    no write until a backup is restored or its findings are accepted with --accept.
    """
    from prolotrack.cli.bars import bar
    from prolotrack.cli.context import busy_timeout
    from prolotrack.domain.errors import DatabaseUnusable
    from prolotrack.domain.vocab import plural

    if accept is not None:
        _accept(ctx, accept)
        return
    record = clinic(ctx).record
    found = record.problems(busy_timeout(), bar("Checking the audit chain", "rows"))
    if found:
        for problem in found:
            typer.echo(problem, err=True)
        raise DatabaseUnusable(f"{record.name}: {plural(len(found), 'problem')} found")
    typer.echo(f"{record.name}: ok ({record.checked})")


def _accept(ctx: typer.Context, reason: str) -> None:
    from prolotrack.domain.errors import InvalidInput
    from prolotrack.domain.vocab import plural

    if not reason.strip():
        raise InvalidInput("--accept needs a reason (what was found, and why the file is right)")
    record = clinic(ctx).record
    taken = record.accept(reason.strip())
    path = record.name
    if not taken:
        typer.echo(f"{path}: ok, nothing to accept")
        return
    for finding in taken:
        say(f"accepted: {finding}")
    typer.echo(f"{path}: {plural(len(taken), 'finding')} accepted, the reason in the audit log")


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    dest: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DEST]",
            help="A file or folder [default: backups/ beside the database (for PostgreSQL, in"
            " the user data folder), keeping the last 10].",
        ),
    ] = None,
) -> None:
    """Back up the database: one consistent copy, on disk, readable by you alone.

    The file is checked first, as 'db check' does: one that fails is not backed up, and the
    copies already made are kept. The copy is what the file holds, page for page; 'db
    restore' checks a backup in full before it takes it. A
    PostgreSQL database is backed up into a new SQLite file holding the whole clinic,
    checked."""
    from prolotrack.cli.context import busy_timeout

    typer.echo(str(clinic(ctx).record.backup(dest, busy_timeout())))


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
    from prolotrack.cli.context import busy_timeout

    record = clinic(ctx).record
    saved = record.restore(source, force=force, busy_timeout=busy_timeout())
    if clinic(ctx).url:
        say(f"Restored {record.name} from {source}; what it held is kept as {saved}")
        return
    kept = f"; the file it replaced is kept as {saved}" if saved else ""
    say(f"Restored {record.name} from {source}{kept}")


@db_app.command("copy")
def db_copy(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="PATH|URL",
            help="A new file, or an empty PostgreSQL database (postgresql://USER@HOST/DBNAME).",
        ),
    ],
) -> None:
    """Copy the whole clinic, audit log included, into a new file or an empty PostgreSQL
    database (either way), and check the copy: every row there, the audit chain whole."""
    from prolotrack.cli.bars import bar
    from prolotrack.cli.context import busy_timeout

    with clinic(ctx).open(write=False) as desk:
        shown = bar("Copying the clinic", "rows")
        copied = care.copy(desk.db, to, busy_timeout=busy_timeout(), progress=shown)
    say(
        f"Copied the clinic to {care.shown(to)}: {copied['patients']} patients,"
        f" {copied['sessions']} sessions, {copied['audit_log']} audit log rows; the copy's"
        " audit chain holds"
    )


@db_app.command("encrypt")
def db_encrypt(
    ctx: typer.Context,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            metavar="PATH",
            help="Write the new key here (a new file, outside the database's folder: a"
            " removable drive, say) [default: beside the audit keys]. Not with PROLOTRACK_KEY,"
            " whose key is used instead.",
        ),
    ] = None,
) -> None:
    """Encrypt the file and its backups (SQLCipher, AES-256), in place.

    A random 256-bit key is written to a key file readable by you alone, or the key in
    PROLOTRACK_KEY is used. Each file is converted into a new one beside it, checked as 'db
    check' checks it, and renamed into place: a kill at any moment leaves it as it was or
    encrypted, whole. From then on every command finds the key by itself (PROLOTRACK_KEY, or
    the key files beside the audit keys). Keep a copy of the key apart from the file: without
    it the record and its backups cannot be read (docs/reliability.md).
    """
    converted = clinic(ctx).record.encrypt(key_file)
    say(f"Encrypted {converted.path}{_with_backups(converted.backups)}")
    say(f"Key: {converted.key_place}")
    say(
        "Keep a copy of the key apart from the record (docs/reliability.md): without it the"
        " record and its backups cannot be read"
    )


@db_app.command("decrypt")
def db_decrypt(ctx: typer.Context) -> None:
    """Turn an encrypted file and its encrypted backups back into plain files, in place.

    Converted and checked as 'db encrypt' does. The key files are kept: a copy of the record
    kept elsewhere may still need them.
    """
    converted = clinic(ctx).record.decrypt()
    say(f"Decrypted {converted.path}{_with_backups(converted.backups)}")
    if converted.from_environment:
        say(f"Unset {converted.key_place} to use it: while it is set, a plain file is refused")


def _with_backups(count: int) -> str:
    from prolotrack.domain.vocab import plural

    return f" and {plural(count, 'backup')}" if count else ""


ENTITIES = care.audited_entities()


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

    kind = vocab.one_of(entity, ENTITIES, "entity") if entity else None
    with clinic(ctx).open(write=False) as desk:  # printed as it is read, in one snapshot
        show(fmt, practice.audit_log(lambda: care.history(desk.db, kind, record_id)))
