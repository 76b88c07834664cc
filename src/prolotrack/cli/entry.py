"""The console script. ``--version`` is answered before the command tree is built, so that
scripts asking for it pay for nothing else; everything else goes to the Typer app."""

from __future__ import annotations

import gc
import sys

# A command lives for a fraction of a second and builds its rows by the thousand, few of them in
# cycles. At Python's default (a collection every 700 new objects) `due` at ten years paid for a
# full collection of every object the process held, 13 ms of its 0.39 s; every 10,000 leaves
# no full collection in any everyday command, and a young generation of a few megabytes at most.
GC_EVERY = 10_000


def main() -> None:
    gc.set_threshold(GC_EVERY)
    for word in sys.argv[1:]:  # bytes that are not UTF-8 reach Python as lone surrogates
        try:
            word.encode("utf-8")
        except UnicodeEncodeError:
            shown = word.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            print(
                f"error: argument '{shown}' is not UTF-8 text (typed in another encoding?);"
                " give every argument as UTF-8",
                file=sys.stderr,
            )
            sys.exit(1)
    if sys.argv[1:] == ["--version"]:
        from prolotrack import __version__

        print(f"prolotrack {__version__}")
        return
    from prolotrack.cli.app import main as run

    run()
