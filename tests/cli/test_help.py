"""Every command explains itself, and docs/commands.md says what --help says."""

from pathlib import Path

import pytest

from prolotrack.cli import reference

DOCS = Path(__file__).resolve().parents[2] / "docs"
COMMANDS = reference.commands()


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_has_a_one_line_description(clinic, path):
    result = clinic.ok(*path, "--help")
    assert "Usage:" in result.stdout
    command = dict((tuple(p), c) for p, c in COMMANDS)[tuple(path)]
    assert command.get_short_help_str(limit=200).strip(), f"{path} has no description"


def test_root_help_lists_every_command(clinic):
    listed = clinic.ok("--help").stdout
    for name in (
        "patient",
        "course",
        "session",
        "log",
        "score",
        "adverse",
        "instruments",
        "config",
        "db",
        "demo",
    ):
        assert f"  {name} " in listed


def test_command_reference_is_up_to_date():
    written = (DOCS / "commands.md").read_text()
    assert written == reference.markdown(), (
        "docs/commands.md is stale: run python -m prolotrack.cli.reference > docs/commands.md"
    )


def test_version(clinic):
    from prolotrack import __version__

    assert clinic.ok("--version").stdout == f"prolotrack {__version__}\n"


@pytest.mark.parametrize(
    "args",
    [
        ("log", "1", "--pain", "abc"),
        ("session", "show"),
        ("nosuch",),
        ("course", "list", "-f", "xml"),
        ("score", "add"),
        ("patient", "add", "Ada", "--sex"),
        ("due", "--within"),
        ("export", "nothing"),
    ],
    ids=" ".join,
)
def test_every_usage_error_is_one_line_with_status_2(clinic, args):
    result = clinic.run(*args)
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    assert "--help" in message
    assert result.stdout == ""


def test_usage_lines_name_arguments_plainly():
    reference = (DOCS / "commands.md").read_text()
    assert "Usage: prolotrack db backup [OPTIONS] [DEST]\n" in reference
    assert "Usage: prolotrack score add [OPTIONS] COURSE [INSTRUMENT=VALUE]...\n" in reference
    for python in ("{COURSE}", "[[", "<str>", "<int>", "<list[", "<path>"):
        assert python not in reference, python
