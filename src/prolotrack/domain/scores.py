"""Scores on outcome instruments, and adverse events after a session."""

from __future__ import annotations

from prolotrack.domain import vocab
from prolotrack.domain.errors import InvalidInput

INTAKE_DAYS = 90  # an intake score up to this long before the course start is its baseline


def parse_adverse(text: str) -> tuple[str, str]:
    """Read ``KIND[:SEVERITY]`` as in ``--adverse flare:moderate``; severity defaults to mild,
    but for the serious kinds, which must say it."""
    kind, _, severity = text.partition(":")
    kind = vocab.one_of(kind, vocab.ADVERSE_KINDS, "adverse event kind")
    return kind, severity_of(kind, severity or None, f"--adverse {kind}:SEVERITY")


def severity_of(
    kind: str, severity: str | None, how: str = "--severity SEVERITY", serious: bool = False
) -> str:
    """The severity given, or mild; a serious event (a pneumothorax, an infection, any kind
    marked --serious) is never recorded as mild without a word."""
    if severity is None:
        if kind in vocab.SERIOUS_KINDS or serious:
            why = "marked serious" if serious else "a serious kind"
            raise InvalidInput(
                f"{kind} needs its severity ({why}): give {how} (mild, moderate or severe)"
            )
        severity = "mild"
    return vocab.one_of(severity, vocab.SEVERITIES, "severity")
