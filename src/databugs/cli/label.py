"""``databugs label``: label rows from experts' rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from databugs.data.guard import check_outputs, refuse_overwriting
from databugs.errors import DatabugsError, ErrorCode
from databugs.render.outputs import write_report_files

LABEL_EXAMPLE = """
Example:

  databugs label emails.csv --rules rules.yaml --out labels/ --write emails.labelled.csv

applies the rules in rules.yaml, says how good each rule and class is and which rows to label
next (labels/rules.md), combines their votes, trains a model on the result and writes a label
and a confidence for every row to labels/weak_labels.csv; --write also writes the data with its
empty labels filled in and a label_source column.

A YAML rule is a name, a label and one of contains: [words], regex: '...' or
where: "amount > 10000 and country != 'FR'" (columns compared with values, and/or/not; never
code); or a name and column: NAME alone, to vote that column's values. A Python rules file
has functions decorated @databugs.rule(label="spam") (row -> True/False) or @databugs.rule()
(row -> label or None). See the README, "Label".
"""


@app.command("label", epilog=LABEL_EXAMPLE)
@user_errors
def label_command(
    data: DataArgument,
    rules: Annotated[Path, typer.Option("--rules", help="Rules: a .yaml or .py file.")],
    label: LabelOption = None,
    id: IdOption = None,
    text: TextOption = None,
    ignore: IgnoreOption = None,
    classes: Annotated[
        str | None, typer.Option("--classes", help="The classes rules may vote: A,B,C.")
    ] = None,
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence",
            help="Leave a row unlabelled below this confidence (default: label every row).",
        ),
    ] = 0.0,
    write: Annotated[
        Path | None,
        typer.Option("--write", help="Also write the data with its empty labels filled in."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for every random choice.")] = 0,
    jobs: Annotated[int | None, typer.Option("--jobs", help="Parallel workers.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("databugs-labels"),
) -> None:
    """Label rows from experts' rules: rule analysis, a label model and an end model."""
    from databugs.weak import outputs as weak_render
    from databugs.weak.labelling import label_data

    reports = {out / name: f"the label run's {name}" for name in weak_render.OUTPUT_NAMES}
    outputs = [*reports, *([write] if write else [])]
    check_outputs(outputs, {data: "the input", rules: "the rules file"})
    if write:  # written first, then a report file of the same name would replace it
        refuse_overwriting([write], reports)
    result = label_data(
        data,
        rules=rules,
        label=label,
        id=id,
        text=split_list(text),
        ignore=split_list(ignore),
        classes=split_list([classes]) if classes else None,
        min_confidence=min_confidence,
        seed=seed,
        jobs=jobs,
    )
    files = weak_render.output_files(result)
    outputs = {name: str(out / name) for name in files}
    if write:
        try:
            weak_render.write_labelled_data(result, write)
        except OSError as error:
            raise DatabugsError(
                f"{write}: cannot write ({error.strerror or error})", code=ErrorCode.CANNOT_WRITE
            ) from None
        outputs["data"] = str(write)
    write_report_files(out, files)
    say("\n".join(weak_render.terminal_lines(result, outputs)))
