"""Long work shows a progress bar on a terminal's standard error, and nowhere else."""

import io
import sys

from prolotrack.cli import bars


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_shows_on_a_terminal_once_the_work_takes_a_while(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(bars, "AFTER_SECONDS", 0.0)
    items = list(bars.bar("Exporting injections", "sessions")(range(2000)))
    assert items == list(range(2000))  # every item goes by, in order
    assert "Exporting injections" in terminal.getvalue()


def test_no_bar_on_a_pipe_nor_for_quick_work(monkeypatch):
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    monkeypatch.setattr(bars, "AFTER_SECONDS", 0.0)
    assert list(bars.bar("Exporting", "rows")(range(2000))) == list(range(2000))
    assert pipe.getvalue() == ""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(bars, "AFTER_SECONDS", 2.0)
    assert list(bars.bar("Exporting", "rows")(range(2000))) == list(range(2000))
    assert terminal.getvalue() == ""
