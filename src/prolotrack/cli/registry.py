"""prolotrack registry publish | subscribe"""

from __future__ import annotations

from typing import Annotated

import typer

from prolotrack.cli.context import busy_timeout, clinic
from prolotrack.cli.output import say

app = typer.Typer(no_args_is_help=True)


@app.command("publish")
def publish(ctx: typer.Context) -> None:
    """On a clinic's PostgreSQL database: send the pseudonymised rows of courses with research
    consent to an insert-only publication a registry subscribes to (run again: nothing new)."""
    from prolotrack.actions import registry

    registry.refuse_a_file(clinic(ctx).url, "registry publish")
    with clinic(ctx).open(write=True) as desk:
        done = registry.publish(desk.db)
    rows = ", ".join(f"{n} {table}" for table, n in done.rows.items())
    say(
        f"{'Published' if done.new else 'Publishing'} prolotrack_research as site {done.site}:"
        f" {done.sent_now} course(s) with research consent sent now; at the clinic: {rows}"
    )


@app.command("subscribe")
def subscribe(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option(
            "--from", metavar="URL", help="The clinic's database: postgresql://user@host/db."
        ),
    ],
) -> None:
    """On the registry's PostgreSQL database: subscribe to a clinic's publication (once per
    clinic; run again: nothing new)."""
    from prolotrack.actions import registry

    new = registry.subscribe(clinic(ctx).url or str(clinic(ctx).path), source, busy_timeout())
    where = source.split("@")[-1]
    say(f"Subscribed to {where}" if new else f"Already subscribed to {where}; nothing to do")
