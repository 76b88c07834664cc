"""The layers import one way only: domain (the pure model) <- storage <- actions <- cli, render."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "prolotrack"

# layer -> what it must never import (a layer below may never reach a layer above)
FORBIDDEN = {
    "domain": ("prolotrack.storage", "prolotrack.actions", "prolotrack.cli", "prolotrack.render",
               "sqlite3", "sqlite_utils", "typer", "rich", "sqlalchemy", "psycopg"),
    "storage": ("prolotrack.actions", "prolotrack.cli", "prolotrack.render", "typer", "rich"),
    "actions": ("prolotrack.cli", "prolotrack.render", "typer", "rich"),
    "render": ("prolotrack.storage", "prolotrack.actions", "prolotrack.cli", "sqlite3"),
}  # fmt: skip


def imported(path: Path) -> set[str]:
    """Every module a file imports, wherever the import stands (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    crossing = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name in sorted(imported(path))
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer])
    ]
    assert crossing == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from prolotrack.storage import courses\n")
    assert "prolotrack.storage.courses" in imported(sample)
