"""The layers import one way only: domain (the pure model) <- storage <- actions <- cli, render.

Every import is read, wherever it stands (inside functions too), relative ones resolved against
the module's package, and ``importlib.import_module`` calls read for the module they name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "prolotrack"
DATABASES = ("sqlite3", "sqlite_utils", "psycopg")

# layer -> what it must never import (a layer below may never reach a layer above, and no
# layer above storage reaches a database library)
FORBIDDEN = {
    "domain": ("prolotrack.storage", "prolotrack.actions", "prolotrack.cli", "prolotrack.render",
               "typer", "rich", *DATABASES,
               "os", "shutil", "pathlib", "subprocess", "socket", "urllib"),  # no I/O
    "storage": ("prolotrack.actions", "prolotrack.cli", "prolotrack.render", "typer", "rich"),
    "actions": ("prolotrack.cli", "prolotrack.render", "typer", "rich", *DATABASES),
    "render": ("prolotrack.storage", "prolotrack.actions", "prolotrack.cli", *DATABASES),
    "cli": ("prolotrack.storage", *DATABASES),
}  # fmt: skip
# The model does no I/O: not even a file it is handed by name.
IO_CALLS = ("open", "read_text", "read_bytes", "write_text", "write_bytes")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module a file imports: ``import``, ``from`` (relative ones resolved) and
    ``importlib.import_module("...")`` (an f-string by its fixed start)."""
    package = (
        module_name(path)
        if path.name == "__init__.py"
        else module_name(path)[: module_name(path).rfind(".")]
    )
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _called(node) == "import_module" and node.args:
            found.add(_fixed_start(node.args[0]))
    return found


def io_calls(path: Path) -> list[str]:
    return sorted(
        f"{path.relative_to(PACKAGE)}:{node.lineno} calls {_called(node)}()"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and _called(node) in IO_CALLS
    )


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _fixed_start(arg: ast.expr) -> str:
    if isinstance(arg, ast.Constant):
        return str(arg.value)
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        return str(arg.values[0].value).rstrip(".")
    return "<computed>"


def crossings(layer: str) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name in sorted(imported(path))
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer])
    ]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    assert crossings(layer) == []


def test_the_domain_reads_and_writes_no_file():
    assert [c for path in sorted((PACKAGE / "domain").rglob("*.py")) for c in io_calls(path)] == []


def test_every_module_belongs_to_a_layer():
    """A module beside the layers (as dates.py was) escapes every rule above."""
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"]


def test_the_check_sees_each_way_of_importing(tmp_path):
    folder = tmp_path / "prolotrack" / "cli"
    folder.mkdir(parents=True)
    sample = folder / "sample.py"
    sample.write_text(
        "import importlib\n"
        "def f():\n    from prolotrack.storage import courses\n"
        "from ..storage import sessions\n"
        "from . import output\n"
        "importlib.import_module('prolotrack.storage.audit')\n"
        "importlib.import_module(f'prolotrack.storage.{name}')\n"
    )
    global PACKAGE
    was, PACKAGE = PACKAGE, tmp_path / "prolotrack"
    try:
        found = imported(sample)
    finally:
        PACKAGE = was
    assert {
        "prolotrack.storage.courses",
        "prolotrack.storage.sessions",
        "prolotrack.cli.output",
        "prolotrack.storage.audit",
        "prolotrack.storage",
    } <= found


def test_every_file_the_architecture_map_names_exists():
    """docs/architecture.md maps each command to the files it passes through: a file renamed
    or removed must leave the map too."""
    import re

    text = (PACKAGE.parents[1] / "docs" / "architecture.md").read_text()
    section = text.split("## Where each command goes")[1].split("\n## ")[0]
    layers = ["cli", "actions", "domain", "storage", "render"]
    missing = []
    for line in section.splitlines():
        if not line.startswith("| `") and not line.startswith("| "):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != 6 or cells[0] == "command" or set(cells[1]) <= {"-", " "}:
            continue
        for layer, cell in zip(layers, cells[1:], strict=True):
            for name in re.findall(r"`([\w/]+\.py)`", cell):
                if not (PACKAGE / layer / name).exists():
                    missing.append(f"{layer}/{name}")
    assert missing == []
