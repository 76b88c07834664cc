"""prolotrack form list | show | text | link | links | serve | inbox | accept | reject | import"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prolotrack.cli.context import clinic
from prolotrack.cli.options import CourseArg, Format, FormatOption
from prolotrack.cli.output import output_file, say, show

app = typer.Typer(no_args_is_help=True)

FormArg = Annotated[str, typer.Argument(metavar="CODE", help="A form's code (see 'form list').")]


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """The built-in item-level forms: items, the instruments they score into, versions."""
    from prolotrack.actions import forms
    from prolotrack.domain.form_catalogue import FORMS
    from prolotrack.render import form_views

    worded = set()
    if clinic(ctx).exists():  # the forms need no database: wording, where loaded, does
        with clinic(ctx).open(write=False) as desk:
            worded = forms.worded(desk.db)
    show(fmt, form_views.forms(list(FORMS.values()), worded))


@app.command("show")
def show_(ctx: typer.Context, code: FormArg, fmt: FormatOption = Format.table) -> None:
    """A form's items and answer ranges, its scoring rule, what it does with a missing answer,
    the versions followed, and the clinic's wording where loaded."""
    from prolotrack.actions import forms
    from prolotrack.render import form_views

    chosen = forms.form(code)
    wording = {}
    if clinic(ctx).exists():
        with clinic(ctx).open(write=False) as desk:
            wording = forms.wording(desk.db, chosen)
    show(fmt, form_views.form(chosen, wording))


@app.command("text")
def text(
    ctx: typer.Context,
    code: FormArg,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.csv",
            help="Columns item, text and labels (0=None|1=Mild|...): the clinic's licensed"
            " wording.",
        ),
    ],
) -> None:
    """Load the clinic's own licensed wording of a form's items, for --ask (prolotrack ships
    item ids and rules only)."""
    from prolotrack.actions import forms

    chosen = forms.form(code)
    with clinic(ctx).open(write=True) as desk:
        worded = forms.load_wording(desk.db, chosen, file)
    say(f"Loaded the wording of {worded} of the {len(chosen.items)} items of {chosen.code}")


@app.command("link")
def link(
    ctx: typer.Context,
    course: CourseArg,
    form: Annotated[str, typer.Option("--form", metavar="CODE", help="The form to ask for.")],
    timepoint: Annotated[
        str | None,
        typer.Option("--timepoint", metavar="6m", help="The follow-up it is for (3m, 6m, 12m)."),
    ] = None,
    expires: Annotated[
        str, typer.Option("--expires", metavar="14d", help="How long the link works.")
    ] = "14d",
    qr: Annotated[bool, typer.Option("--qr", help="Draw the link as a QR code here.")] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", metavar="FILE.png|.svg", help="Write the QR code to a file."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """A one-time link for the patient to fill in a form between visits (printed on standard
    output; a live link to the same form and follow-up is replaced)."""
    from prolotrack.actions import form_links, forms, lookup
    from prolotrack.render import qr as codes

    kind = _image_kind(output)
    chosen = forms.form(form)
    with clinic(ctx).open(write=True) as desk:
        found = lookup.course(desk.db, course)
        issued = form_links.issue(desk.db, found, chosen, desk.today, timepoint=timepoint,
                                  expires=expires)  # fmt: skip
        if output is not None:  # written with the link, or neither is
            with output_file(output, force=force, binary=True, database=clinic(ctx).path) as f:
                f.write(codes.image(issued.address, kind))
    typer.echo(issued.address)
    if qr:
        typer.echo(codes.terminal(issued.address), nl=False)
    follow = f" ({issued.link.timepoint} follow-up)" if issued.link.timepoint else ""
    say(
        f"Link {issued.link.id} asks for {chosen.code}{follow} on {found.label}; it works"
        f" once, until {issued.link.expires_on.isoformat()}"
        + (f"; QR code written to {output}" if output else "")
    )


def _image_kind(output: Path | None) -> str:
    from prolotrack.domain.errors import InvalidInput
    from prolotrack.render.qr import KINDS

    if output is None:
        return ""
    kind = output.suffix.lower().lstrip(".")
    if kind not in KINDS:
        raise InvalidInput(f"-o {output}: a QR code is written as .png or .svg")
    return kind


@app.command("links")
def links(
    ctx: typer.Context,
    due: Annotated[
        bool, typer.Option("--due", help="A link for every follow-up due or overdue today.")
    ] = False,
    expires: Annotated[
        str, typer.Option("--expires", metavar="14d", help="How long each link works.")
    ] = "14d",
    fmt: FormatOption = Format.table,
) -> None:
    """Links for the follow-ups due, with each patient's contact, for the clinic's own tool
    to send (prolotrack sends nothing and holds no mail or SMS credentials)."""
    from prolotrack.actions import form_links
    from prolotrack.domain.errors import InvalidInput
    from prolotrack.render import form_views

    if not due:
        raise InvalidInput("say which links: --due (every follow-up due or overdue today)")
    with clinic(ctx).open(write=True) as desk:
        made = form_links.issue_due(desk.db, desk.today, expires)
    if fmt is Format.table:
        typer.echo(form_views.links_text(made.issued), nl=False)
    else:
        show(fmt, form_views.links(made.issued))
    say(f"{len(made.issued)} link{'s' if len(made.issued) != 1 else ''} made")
    if made.pending:
        say(f"{made.pending} follow-up(s) due already have a live link or answers waiting")
    for measure, count in sorted(made.formless.items()):
        say(f"{count} follow-up(s) due measure {measure}, which no form scores: ask in person")


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option("--host", metavar="ADDRESS", help="Where to listen (0.0.0.0: every network)."),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="N", min=0, max=65535, help="The port (0: any free).")
    ] = 8765,
) -> None:
    """Serve the form links to patients' browsers until Ctrl-C (put it behind the clinic's TLS
    proxy to reach it from outside; see docs/patients-report.md)."""
    from prolotrack.cli.form_server import serve as run

    run(clinic(ctx), host, port)


@app.command("inbox")
def inbox(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Responses received by link or import, waiting for review before they count."""
    from prolotrack.actions import form_links
    from prolotrack.render import form_views

    waiting = []
    if clinic(ctx).exists():
        with clinic(ctx).open(write=False) as desk:
            waiting = form_links.inbox(desk.db)
    show(fmt, form_views.inbox(waiting))


ResponseArg = Annotated[
    int, typer.Argument(metavar="RESPONSE", help="A response's number (see 'form inbox').")
]


@app.command("accept")
def accept(ctx: typer.Context, response: ResponseArg) -> None:
    """Count a response: its answers become an answer set and scores, dated the day given."""
    from prolotrack.actions import form_links

    with clinic(ctx).open(write=True) as desk:
        done, filled = form_links.accept(desk.db, response, desk.today)
    values = ", ".join(f"{s.instrument}={s.value:g}" for s in filled.scores)
    say(
        f"Accepted response {done.id}: {values} from {done.form} (answer set"
        f" {filled.answer_set.id}), dated {done.answered_on.isoformat()}"
    )


@app.command("reject")
def reject(
    ctx: typer.Context,
    response: ResponseArg,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why it does not count.")],
) -> None:
    """Keep a response out of every score, with the reason."""
    from prolotrack.actions import form_links

    with clinic(ctx).open(write=True) as desk:
        done = form_links.reject(desk.db, response, reason)
    say(f"Rejected response {done.id} ({done.form}): {done.reason}")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.json", help="FHIR R4 QuestionnaireResponse(s): one, or a Bundle."
        ),
    ],
) -> None:
    """Responses from another tool, as FHIR R4 QuestionnaireResponse resources: the patient
    matched by chart, the form by its canonical or code; they wait in the inbox for review."""
    from prolotrack.actions import form_import

    with clinic(ctx).open(write=True) as desk:
        received = form_import.import_file(desk.db, file, desk.today)
    say(
        f"Received {len(received)} response{'s' if len(received) != 1 else ''} from {file}"
        f" (numbers {', '.join(str(r) for r in received)}); review them with 'form inbox'"
    )
