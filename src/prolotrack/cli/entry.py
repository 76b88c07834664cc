"""The console script. ``--version`` is answered before the command tree is built, so that
scripts asking for it pay for nothing else; everything else goes to the Typer app."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from prolotrack import __version__

        print(f"prolotrack {__version__}")
        return
    from prolotrack.cli.app import main as run

    run()
