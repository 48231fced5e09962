"""``databugs next``: which rows to label (or relabel) next."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from databugs.cli.app import app, user_errors
from databugs.cli.options import (
    DataArgument,
    IdOption,
    IgnoreOption,
    LabelOption,
    TextOption,
    split_list,
)
from databugs.data.guard import check_outputs, writing
from databugs.data.write import write_files_atomically

NEXT_EXAMPLE = """
Example:

  databugs next tickets.csv --label queue --budget 50 --relabel 10

writes databugs-report/to_label.csv: 50 unlabelled rows to label next (uncertain ones, spread
over the data, favouring rare classes) and 10 labelled rows to label again. Put the new labels in
the label column and run it again. --format label-studio writes to_label.json for Label Studio.
"""


class NextFormat(StrEnum):
    csv = "csv"
    label_studio = "label-studio"


@app.command("next", epilog=NEXT_EXAMPLE)
@user_errors
def next_command(
    data: DataArgument,
    budget: Annotated[int, typer.Option("--budget", help="How many rows to label next.")],
    strategy: Annotated[
        str, typer.Option("--strategy", help="auto, uncertainty, diverse, balanced or random.")
    ] = "auto",
    relabel: Annotated[
        int, typer.Option("--relabel", help="Also list the K labelled rows most likely wrong.")
    ] = 0,
    label: LabelOption = None,
    id: IdOption = None,
    text: TextOption = None,
    ignore: IgnoreOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for every random choice.")] = 0,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("databugs-report"),
    output_format: Annotated[
        NextFormat, typer.Option("--format", help="csv (to_label.csv) or label-studio.")
    ] = NextFormat.csv,
) -> None:
    """Which rows to label (or relabel) next."""
    from databugs.active.tasks import label_studio_tasks, next_rows
    from databugs.render.tables import spreadsheet_table

    name = "to_label.json" if output_format is NextFormat.label_studio else "to_label.csv"
    check_outputs([out / name], {data: "the data"})
    table = next_rows(
        data,
        budget=budget,
        strategy=strategy,
        relabel=relabel,
        label=label,
        id=id,
        text=split_list(text),
        ignore=split_list(ignore),
        seed=seed,
    )
    if output_format is NextFormat.label_studio:
        payload = label_studio_tasks(table)
    else:
        payload = spreadsheet_table(table)
    with writing(out / name):
        write_files_atomically(out, {name: payload})
    typer.echo(f"{len(table)} rows to label: {out / name}")
