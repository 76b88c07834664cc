"""A form link as a QR code (segno): drawn in the terminal, or an image to print or show."""

from __future__ import annotations

import io

KINDS = ("png", "svg")


def _code(text: str):
    import segno

    return segno.make(text, error="m", micro=False)


def terminal(text: str) -> str:
    """The code in half-block characters, dark on light, with its quiet zone."""
    out = io.StringIO()
    _code(text).terminal(out=out, compact=True)
    return out.getvalue()


def image(text: str, kind: str) -> bytes:
    """The code as PNG or SVG, large enough to scan from a printed page or a screen."""
    out = io.BytesIO()
    _code(text).save(out, kind=kind, scale=8, border=4)
    return out.getvalue()
