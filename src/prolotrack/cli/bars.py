"""Progress bars for long work: on a terminal's standard error only, and only once the work
has gone on for a while, so a pipe, a file, cron and every quick command see nothing."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

AFTER_SECONDS = 2.0  # what a practitioner waits for without wondering
_EVERY = 500  # items between two looks at the clock


def bar(what: str, unit: str, total: int | None = None) -> Callable[[Iterable[T]], Iterator[T]]:
    """A wrapper of the work's items that, on a terminal, shows after ``AFTER_SECONDS`` a
    transient bar of how many have gone by (``unit``; against ``total`` when it is known)."""

    def track(items: Iterable[T]) -> Iterator[T]:
        if not sys.stderr.isatty():
            # not ``yield from``: closing this generator would close the items too, and a
            # cursor closed after its database (a reader gone: ``| head``) raises
            for item in items:
                yield item
            return
        started, shown = time.monotonic(), None
        try:
            for count, item in enumerate(items, start=1):
                yield item
                if count % _EVERY:
                    continue
                if shown is not None:
                    shown.at(count)
                elif time.monotonic() - started >= AFTER_SECONDS:
                    shown = _Shown(what, unit, total, count)
        finally:
            if shown is not None:
                shown.stop()

    return track


class _Shown:
    def __init__(self, what: str, unit: str, total: int | None, count: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

        counted = MofNCompleteColumn() if total else TextColumn("{task.completed:,}")
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            counted,
            TextColumn(unit),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task(what, total=total, completed=count)
        self.progress.start()

    def at(self, count: int) -> None:
        self.progress.update(self.task, completed=count)

    def stop(self) -> None:
        self.progress.stop()
