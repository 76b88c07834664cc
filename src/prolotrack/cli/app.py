"""The root command: global options, one sub-app per group, and the one exit point for errors."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import MutableMapping
from typing import Annotated

import typer
from typer.core import TyperArgument, TyperGroup

from prolotrack import __version__
from prolotrack.cli.context import Clinic
from prolotrack.cli.output import fit
from prolotrack.domain.errors import ProlotrackError

# Each command, the module and name that define it, and its line in 'prolotrack --help' (the
# commands first, then the groups, as Typer lists them). A command is built (its module
# imported, its options read) only when it is named: a command's start-up pays for itself
# alone, not for the sixty others.
COMMANDS = {
    "log": ("sessions", "log", "Log a treatment session (the same as 'session log')."),
    "progress": ("reports", "progress",
                 "How a course is going: scores against baseline and the MCID."),
    "summary": ("reports", "summary",
                "A day's sessions, totals and what is due: for cron and mail."),
    "due": ("reports", "due", "Courses due for their next session, or overdue."),
    "export": ("data", "export", "Export a table as CSV or JSON, de-identified, or as FHIR R4."),
    "import": ("data", "import_",
               "Import past sessions from a CSV shaped like 'export injections'."),
    "audit": ("database", "audit", "The history of changes: who changed what, when and why."),
    "demo": ("demo", "demo", "Build a sample clinic in its own file and show it."),
    "patient": ("patients", "app", "Record, find and change patients."),
    "course": ("courses", "app", "Start, list, show, close and correct treatment courses."),
    "session": ("sessions", "app", "Log, list and show treatment sessions."),
    "score": ("scores", "app", "Record, show and list outcome scores, typed or from a form."),
    "form": ("forms", "app", "Item-level forms: their items, scoring rules and wording."),
    "adverse": ("adverse", "app", "Record, correct, void, resolve and list adverse events."),
    "report": ("reports", "report_app", "Reports: the practice's outcomes, a course's progress."),
    "protocol": ("protocols", "app", "Protocol templates: sites, schedule, measure."),
    "instruments": ("admin", "instruments_app", "The outcome instrument catalogue."),
    "config": ("admin", "config_app", "The practice's settings."),
    "db": ("database", "db_app", "The database: status, check, backup, restore, copy."),
    "registry": ("registry", "app",
                 "Pool outcomes of clinics on PostgreSQL: publish a clinic, subscribe a registry."),
}  # fmt: skip


def _build(name: str):
    """The Click command for one entry of COMMANDS, built as Typer builds a sub-app's."""
    module, attribute, help_ = COMMANDS[name]
    target = getattr(importlib.import_module(f"prolotrack.cli.{module}"), attribute)
    holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name, help=help_)
    else:
        holder.command(name, help=help_)(target)
    return typer.main.get_group(holder).commands[name]


class Commands(MutableMapping):
    """The root's commands by name: every name is known, each command is built when first
    looked up (listing them all, as --help does, builds them all)."""

    def __init__(self):
        self.built = {}

    def __getitem__(self, name):
        if name not in self.built:
            if name not in COMMANDS:
                raise KeyError(name)
            self.built[name] = _build(name)
        return self.built[name]

    def __setitem__(self, name, command):
        self.built[name] = command

    def __delitem__(self, name):
        del self.built[name]

    def __iter__(self):
        return iter(COMMANDS)

    def __len__(self):
        return len(COMMANDS)


class Prolotrack(TyperGroup):
    """Turns prolotrack's errors into one line on standard error and their exit status."""

    def __init__(self, *args, commands=None, **kwargs):
        super().__init__(*args, commands=Commands(), **kwargs)

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
            typer.echo(fit(f"error: {_first_line(message)}{where}"), err=True)
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
                typer.echo(fit(detail), err=True)
            typer.echo(fit(f"error: {error}"), err=True)
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
