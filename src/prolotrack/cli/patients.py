"""prolotrack patient add | list | show | edit | archive"""

from __future__ import annotations

from typing import Annotated

import typer

from prolotrack.cli.context import clinic
from prolotrack.cli.options import Format, FormatOption, PatientArg
from prolotrack.cli.output import say, show

app = typer.Typer(no_args_is_help=True)

Chart = Annotated[
    str | None, typer.Option("--chart", metavar="TEXT", help="Chart (record) number; unique.")
]
Born = Annotated[str | None, typer.Option("--born", metavar="DATE", help="Date of birth.")]
Sex = Annotated[str | None, typer.Option("--sex", metavar="F|M|X", help="F, M or X.")]
Phone = Annotated[str | None, typer.Option("--phone", metavar="TEXT", help="Phone number.")]
Note = Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A free-text note.")]
Weight = Annotated[
    float | None,
    typer.Option("--weight", metavar="KG", help="Body weight in kg (for mg/kg dose limits)."),
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME",
            help="Full name; asked for when left out, to keep it out of shell history.",
        ),
    ] = None,
    chart: Chart = None,
    born: Born = None,
    sex: Sex = None,
    phone: Phone = None,
    note: Note = None,
    weight: Weight = None,
) -> None:
    """Record a new patient."""
    from prolotrack.actions import patients

    if name is None:
        name = typer.prompt("Name")
    with clinic(ctx).open(write=True) as desk:
        born_on = desk.date(born, relative=False) if born is not None else None
        patient = patients.add(
            desk.db,
            desk.today,
            name=name,
            chart=chart,
            born=born_on,
            sex=sex,
            phone=phone,
            note=note,
            weight_kg=weight,
        )
    say(f"Added patient {patient.id}: {patient.label}")


@app.command("list")
def list_(
    ctx: typer.Context,
    search: Annotated[
        str | None, typer.Option("--search", metavar="TEXT", help="Part of a name or chart number.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include archived patients.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """List patients (archived ones only with --all)."""
    from prolotrack.actions import listings
    from prolotrack.render import records

    with clinic(ctx).open(write=False) as desk:
        found = listings.patient_list(desk.db, search, all_)
    show(fmt, records.patients(found))


@app.command("show")
def show_(ctx: typer.Context, patient: PatientArg, fmt: FormatOption = Format.table) -> None:
    """Show a patient and their courses."""
    from prolotrack.actions import listings
    from prolotrack.render import records

    with clinic(ctx).open(write=False) as desk:
        found = listings.patient_file(desk.db, patient)
    show(fmt, records.patient(found.patient, found.courses, found.flags))


@app.command("edit")
def edit(
    ctx: typer.Context,
    patient: PatientArg,
    name: Annotated[str | None, typer.Option("--name", metavar="TEXT", help="Full name.")] = None,
    chart: Chart = None,
    born: Born = None,
    sex: Sex = None,
    phone: Phone = None,
    note: Note = None,
    weight: Weight = None,
) -> None:
    """Change a patient's details."""
    from prolotrack.actions import lookup, patients

    with clinic(ctx).open(write=True) as desk:
        found = lookup.patient(desk.db, patient)
        born_on = desk.date(born, relative=False) if born is not None else None
        changed = patients.edit(
            desk.db,
            found,
            desk.today,
            name=name,
            chart=chart,
            born=born_on,
            sex=sex,
            phone=phone,
            note=note,
            weight_kg=weight,
        )
    say(f"Updated patient {changed.id}: {changed.label}")


@app.command("archive")
def archive(ctx: typer.Context, patient: PatientArg) -> None:
    """Archive a patient: hidden from lists, records kept."""
    from prolotrack.actions import lookup, patients

    with clinic(ctx).open(write=True) as desk:
        archived = patients.archive(desk.db, lookup.patient(desk.db, patient))
    say(f"Archived patient {archived.id}: {archived.label}")


FlagKind = Annotated[
    str,
    typer.Argument(
        metavar="KIND",
        help="allergy:lidocaine, allergy:amide, allergy:fish, allergy:corn, anticoagulant,"
        " diabetes, pregnancy, immunosuppressed, bleeding-disorder, or other:TEXT.",
    ),
]


@app.command("flag")
def flag(
    ctx: typer.Context,
    patient: PatientArg,
    kind: FlagKind,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="Details.")] = None,
) -> None:
    """Flag a patient for safety (an allergy, an anticoagulant...): log warns when it meets."""
    from prolotrack.actions import lookup, safety
    from prolotrack.domain.safety import meaning

    with clinic(ctx).open(write=True) as desk:
        found = lookup.patient(desk.db, patient)
        made = safety.add_flag(desk.db, found, kind, note)
    say(f"Flagged {found.label}: {made.kind} ({meaning(made.kind)})")


@app.command("unflag")
def unflag(ctx: typer.Context, patient: PatientArg, kind: FlagKind) -> None:
    """Remove a patient's safety flag (the audit log keeps that it was there)."""
    from prolotrack.actions import lookup, safety

    with clinic(ctx).open(write=True) as desk:
        found = lookup.patient(desk.db, patient)
        gone = safety.remove_flag(desk.db, found, kind)
    say(f"Removed flag {gone.kind} from {found.label}")
