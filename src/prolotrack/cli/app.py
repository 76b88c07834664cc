"""The root command: global options, one sub-app per group, and the one exit point for errors."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from typer.core import TyperArgument, TyperGroup

from prolotrack import __version__
from prolotrack.cli import (
    admin,
    adverse,
    courses,
    data,
    database,
    demo,
    patients,
    protocols,
    reports,
    scores,
    sessions,
    take_home,
)
from prolotrack.cli.context import Clinic
from prolotrack.domain.errors import ProlotrackError


class Prolotrack(TyperGroup):
    """Turns prolotrack's errors into one line on standard error and their exit status."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        """A usage error is one line too (exit 2), naming what was wrong and where the help is,
        not Click's three-line block with the usage repeated."""
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        except typer.TyperException as error:  # Typer's usage errors (exit 2) and the like
            status = getattr(error, "exit_code", 1)
            context = getattr(error, "ctx", None)
            path = context.command_path if context else self._named(kwargs.get("args"))
            where = f" (see '{path} --help')" if status == 2 else ""
            message = error.format_message() if hasattr(error, "format_message") else str(error)
            if message.startswith("Usage:"):  # a group named without a command: its help
                typer.echo(message, err=True)
                sys.exit(status)
            typer.echo(f"error: {_first_line(message)}{where}", err=True)
            sys.exit(status)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)

    def _named(self, args) -> str:
        """The command the words on the line name, for an error raised before it was known."""
        words, command = ["prolotrack"], self
        given = iter(sys.argv[1:] if args is None else args)
        for word in given:
            if word in ("--db", "--today"):
                next(given, None)
                continue
            found = getattr(command, "commands", {}).get(word)
            if found is None:
                break
            words.append(word)
            command = found
        return " ".join(words)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ProlotrackError as error:
            for detail in getattr(error, "details", ()):
                typer.echo(detail, err=True)
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(error.exit_code) from None
        except OverflowError:  # the last line of defence; each input names its own bounds
            typer.echo(
                "error: a number or a date is beyond what prolotrack can keep (ids up to"
                " 2^63 - 1, dates up to 9999-12-31); nothing was written",
                err=True,
            )
            raise typer.Exit(1) from None


def _first_line(message: str) -> str:
    return " ".join(message.split())


def _usage_name(argument: TyperArgument) -> str:
    """COURSE, [DEST], INSTRUMENT=VALUE...: an argument as the usage line names it."""
    name = argument.display_name_raw
    if not argument.required and not name.startswith("["):
        name = f"[{name}]"
    return name if argument.nargs == 1 or name.endswith("...") else f"{name}..."


# Typer writes a required argument as {COURSE}, an optional one given as [DEST] as [[DEST]],
# and each argument's Python type (<str>, <list[str]>) in the help: a practitioner reads
# the names and the help text, nothing of the program's insides.
TyperArgument._usage_display_name = _usage_name
TyperArgument.display_type_rich = lambda argument, ctx: None

app = typer.Typer(
    cls=Prolotrack,
    name="prolotrack",
    help="Track prolotherapy courses, sessions, injection sites and outcome scores.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prolotrack {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH|URL",
            envvar="PROLOTRACK_DB",
            help="The database: a file [default: prolotrack.db in the user data folder], or a"
            " clinic's PostgreSQL database, postgresql://USER@HOST/DBNAME.",
            show_default=False,
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            metavar="DATE",
            envvar="PROLOTRACK_TODAY",
            help="Pretend today is this date: every relative date and 'due' counts from it.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Track prolotherapy courses, sessions, injection sites and outcome scores."""
    ctx.obj = Clinic(db, today)


app.add_typer(patients.app, name="patient", help="Record, find and change patients.")
app.add_typer(
    courses.app, name="course", help="Start, list, show, close and correct treatment courses."
)
app.add_typer(sessions.app, name="session", help="Log, list and show treatment sessions.")
app.command("log", help="Log a treatment session (the same as 'session log').")(sessions.log)
app.add_typer(scores.app, name="score", help="Record and list outcome scores.")
app.add_typer(adverse.app, name="adverse", help="Record, resolve and list adverse events.")
app.command("progress", help="How a course is going: scores against baseline and the MCID.")(
    reports.progress
)
app.command("summary", help="A day's sessions, totals and what is due: for cron and mail.")(
    reports.summary
)
app.command("due", help="Courses due for their next session, or overdue.")(reports.due)
reports.report_app.command("course")(take_home.report_course)
app.add_typer(
    reports.report_app, name="report", help="Reports: the practice's outcomes, a course's progress."
)
app.command("export", help="Export a table as CSV or JSON, de-identified, or as FHIR R4.")(
    data.export
)
app.command("import", help="Import past sessions from a CSV shaped like 'export injections'.")(
    data.import_
)
app.add_typer(protocols.app, name="protocol", help="Protocol templates: sites, schedule, measure.")
app.add_typer(admin.instruments_app, name="instruments", help="The outcome instrument catalogue.")
app.add_typer(admin.config_app, name="config", help="The practice's settings.")
app.add_typer(
    database.db_app, name="db", help="The database: status, check, backup, restore, copy."
)
app.command("audit", help="The history of changes: who changed what, when and why.")(database.audit)
app.command("demo", help="Build a sample clinic in its own file and show it.")(demo.demo)


def main() -> None:
    """The console script: run the app; an unexpected error is reported, not dumped."""
    try:
        app()
    except Exception as error:  # a bug: say so in one line, unless debugging
        if os.environ.get("PROLOTRACK_DEBUG"):
            raise
        print(
            f"prolotrack: internal error: {type(error).__name__}: {error}"
            " (set PROLOTRACK_DEBUG=1 for the details, and please report it)",
            file=sys.stderr,
        )
        sys.exit(1)
