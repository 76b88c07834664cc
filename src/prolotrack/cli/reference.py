"""The command reference in docs/commands.md, generated from the commands' own --help.

Regenerate with ``python -m prolotrack.cli.reference > docs/commands.md``; a test fails when
the file and the commands disagree.
"""

from __future__ import annotations

import typer

from prolotrack.cli.app import app

WIDTH = 100


def _is_group(command) -> bool:
    return hasattr(command, "list_commands")


def _walk(command, path: list[str], parent: typer.Context | None):
    ctx = typer.Context(
        command, info_name=path[-1], parent=parent, terminal_width=WIDTH, max_content_width=WIDTH
    )
    yield path, command.get_help(ctx)
    if _is_group(command):
        for name in command.list_commands(ctx):
            yield from _walk(command.get_command(ctx, name), [*path, name], ctx)


def commands() -> list[tuple[list[str], object]]:
    """Every command and group, with its path from the root (``["patient", "add"]``)."""
    root = typer.main.get_command(app)
    found = []

    def visit(command, path, ctx):
        found.append((path, command))
        if _is_group(command):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                visit(sub, [*path, name], typer.Context(sub, info_name=name, parent=ctx))

    visit(root, [], typer.Context(root, info_name="prolotrack"))
    return found


def markdown() -> str:
    root = typer.main.get_command(app)
    parts = [
        "# Command reference\n",
        "Generated from `--help` by `python -m prolotrack.cli.reference > docs/commands.md`;"
        " do not edit by hand.\n",
    ]
    for path, text in _walk(root, ["prolotrack"], None):
        parts.append(f"## {' '.join(path)}\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(markdown(), end="")
