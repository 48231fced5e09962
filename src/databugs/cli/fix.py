"""``databugs fix``: apply reviewed corrections from the last scan to a copy of the data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from databugs.cli.app import app, console, say, user_errors
from databugs.cli.options import DataOption, ReportOption, split_list
from databugs.corrections.apply import FixResult, fix_data
from databugs.text import count, one_line, shown_label, visible

FIX_EXAMPLE = """
Example:

  databugs fix --report report/ --accept-top 30 --reject 17,42

writes reviews.fixed.csv beside reviews.csv with the 30 worst-ranked labels corrected (rows 17
and 42 excepted) and records every decision in databugs-decisions.csv beside the data.
"""

AcceptTop = Annotated[
    int,
    typer.Option(
        "--accept-top", help="Accept the N worst-ranked proposed corrections (of every kind)."
    ),
]
Accept = Annotated[
    list[str] | None, typer.Option("--accept", help="Rows (or ids) to accept: 3,17.")
]
Reject = Annotated[list[str] | None, typer.Option("--reject", help="Rows (or ids) to reject: 5,8.")]
MinQuality = Annotated[
    float | None,
    typer.Option("--min-quality", help="Accept every flagged row with label_quality below Q."),
]
AcceptConsensus = Annotated[
    bool,
    typer.Option(
        "--accept-consensus",
        help="Accept the annotators' consensus label wherever it differs from the label.",
    ),
]
AcceptCluster = Annotated[
    list[str] | None,
    typer.Option("--accept-cluster", help="Accept every row of these clusters: c1,c4."),
]
Output = Annotated[Path | None, typer.Option("--output", help="Where the corrected data goes.")]
InPlace = Annotated[
    bool, typer.Option("--in-place", help="Replace the data itself, keeping <name>.orig.<ext>.")
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show, write nothing.")]


@app.command(epilog=FIX_EXAMPLE)
@user_errors
def fix(
    report: ReportOption = Path("databugs-report"),
    accept_top: AcceptTop = 0,
    accept: Accept = None,
    reject: Reject = None,
    min_quality: MinQuality = None,
    accept_consensus: AcceptConsensus = False,
    accept_cluster: AcceptCluster = None,
    output: Output = None,
    in_place: InPlace = False,
    dry_run: DryRun = False,
    data: DataOption = None,
) -> None:
    """Apply reviewed corrections from the last scan to a copy of the data."""
    result = fix_data(
        report,
        accept_top=accept_top,
        accept=split_list(accept),
        reject=split_list(reject),
        min_quality=min_quality,
        accept_consensus=accept_consensus,
        accept_clusters=split_list(accept_cluster),
        output=output,
        in_place=in_place,
        dry_run=dry_run,
        data=data,
    )
    plan = result.plan
    if plan.decisions.empty:
        say("nothing to do: no row accepted or rejected (see --help)")
    elif dry_run:
        _print_plan(result)
    else:
        accepted, rejected = len(plan.accepted), len(plan.decisions) - len(plan.accepted)
        where = f"; wrote {visible(result.written)}" if result.written else ""
        say(f"{count(accepted, 'correction')} accepted, {rejected} rejected{where}")
    for note in plan.notes:
        say(f"note: {one_line(note)}")


def _print_plan(result: FixResult) -> None:
    """The decisions as a table; data cells are ``Text``, so that rich reads no markup in them."""
    table = Table(title=Text(f"would write {visible(result.target)}"), title_justify="left")
    columns = ("decision", "row", "id", "old_label", "new_label")
    for column in columns:
        table.add_column(column)
    for line in result.plan.decisions[list(columns)].itertuples(index=False):
        decision, row, id_, old, new = line
        shown = (one_line(decision), str(row), one_line(id_), shown_label(old), shown_label(new))
        table.add_row(*(Text(value) for value in shown))
    console().print(table)
