"""``score add --form CODE --ask``: a form's items asked one by one at the terminal."""

from __future__ import annotations

import typer

from prolotrack.cli.output import say
from prolotrack.domain.errors import InvalidInput
from prolotrack.domain.forms import MISSING, Form


def ask_form(chosen: Form, wording: dict[str, tuple[str, str | None]]) -> dict[str, int | None]:
    """Each item with the clinic's wording where it is loaded (else its id and the answer
    scale), ``-`` for an item not answered; an answer out of range is asked again. Ctrl-C
    stops it with nothing written (the answers are written only after the last)."""
    say(
        f"{chosen.name} ({chosen.code}, {chosen.version}): {len(chosen.items)} items;"
        f" {MISSING} for one not answered"
    )
    given: dict[str, int | None] = {}
    for n, item in enumerate(chosen.items, start=1):
        text, labels = wording.get(item.id, (None, None))
        say(f"{n}/{len(chosen.items)} {item.id}" + (f": {text}" if text else ""))
        if labels:
            say("    " + "   ".join(labels.split("|")))
        while True:
            reply = typer.prompt(f"  {item.id} ({item.range_text}, {MISSING})", prompt_suffix=" ")
            try:
                given[item.id] = chosen.answer(item, reply)
                break
            except InvalidInput as error:
                say(f"  {error}")
    return given
