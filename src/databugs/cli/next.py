"""``databugs next``: which rows to label (or relabel) next."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from databugs.cli.app import app, say, user_errors
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
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.text import count, visible

if TYPE_CHECKING:
    import pandas as pd

NEXT_EXAMPLE = """
Example:

  databugs next tickets.csv --label queue --budget 50 --relabel 10

writes databugs-report/to_label.csv: 50 unlabelled rows to label next (uncertain ones, spread
over the data, favouring rare classes) and 10 labelled rows to label again. Put the new labels in
the label column and run it again.

\b
  databugs next tickets.csv --label queue --id ticket_id --budget 50 --format label-studio
  databugs next tickets.csv --label queue --id ticket_id --import export.json

The first writes to_label.json (tasks to import into Label Studio) and label_config.xml (a
labelling config for them); the second reads the project's JSON export back and writes
tickets.labelled.csv: the data with the annotators' labels (--output to choose the name).
"""


class NextFormat(StrEnum):
    csv = "csv"
    label_studio = "label-studio"


ImportOption = Annotated[
    Path | None,
    typer.Option("--import", help="A Label Studio JSON export: write its labels into a copy."),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", help="With --import: the labelled copy [<name>.labelled.<ext>]."),
]
NewLabelsOption = Annotated[
    bool,
    typer.Option("--new-labels", help="With --import: accept labels the data has no class for."),
]


@app.command("next", epilog=NEXT_EXAMPLE)
@user_errors
def next_command(
    data: DataArgument,
    budget: Annotated[
        int | None, typer.Option("--budget", help="How many rows to label next.")
    ] = None,
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
    import_export: ImportOption = None,
    output: OutputOption = None,
    new_labels: NewLabelsOption = False,
) -> None:
    """Which rows to label (or relabel) next; with --import, bring Label Studio's labels home."""
    if import_export is not None:
        _import(data, import_export, label=label, id=id, output=output, new_labels=new_labels)
        return
    if budget is None:
        raise DatabugsError(
            f"{option('budget')} is needed: how many rows to label next",
            code=ErrorCode.BAD_OPTION,
            hint=f"or {option('import')} EXPORT to read labels back",
        )
    from databugs.active.tasks import next_rows

    studio = output_format is NextFormat.label_studio
    names = ("to_label.json", "label_config.xml") if studio else ("to_label.csv",)
    check_outputs([out / name for name in names], {data: "the data"})
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
    _write_to_label(table, out, output_format, id)
    if table.empty and not relabel:
        say("every row is labelled: --relabel N lists labelled rows worth labelling again")


def _write_to_label(
    table: pd.DataFrame, out: Path, output_format: NextFormat, id: str | None
) -> None:
    files = _to_label_files(table, output_format, id)
    with writing(out / next(iter(files))):
        write_files_atomically(out, files)
    say(f"{count(len(table), 'row')} to label: {visible(out / next(iter(files)))}")


def _to_label_files(table: pd.DataFrame, output_format: NextFormat, id: str | None) -> dict:
    """``to_label.csv``; or ``to_label.json`` and the labelling config its tasks fit."""
    from databugs.active.studio import label_config, label_studio_tasks
    from databugs.render.tables import spreadsheet_table

    if output_format is NextFormat.csv:
        return {"to_label.csv": spreadsheet_table(table)}
    return {
        "to_label.json": label_studio_tasks(table, id_column=id),
        "label_config.xml": label_config(table, table.attrs["classes"]),
    }


def _import(data: Path, export: Path, **given: object) -> None:
    """``--import``: the export's labels written into a copy of the data, and what was left out."""
    from databugs.active.studio import import_labels

    done = import_labels(data, export, **given)
    left = [
        f"{count} {what}"
        for count, what in (
            (done.unannotated, "without an annotation"),
            (done.disagreed, "with annotators disagreeing"),
        )
        if count
    ]
    say(
        f"{len(done.labels)} labels from {visible(export.name)} ({done.changed} changed a label)"
        + (f"; tasks left out: {', '.join(left)}" if left else "")
        + f": {visible(done.output)}"
    )
