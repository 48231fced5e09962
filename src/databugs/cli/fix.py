"""``databugs fix``: apply reviewed corrections from the last scan to a copy of the data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from databugs.cli.app import app, console, say, user_errors
from databugs.cli.options import DataOption, ReportOption, split_list
from databugs.corrections.apply import FixResult, fix_data
from databugs.corrections.reviewers import agreement_text
from databugs.errors import DatabugsError, ErrorCode, option
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
    list[str] | None,
    typer.Option("--accept", help="Rows (or ids) to accept: 3,17 (with --test also test:12)."),
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
Decisions = Annotated[
    list[Path] | None,
    typer.Option(
        "--decisions",
        help="Decisions files downloaded from report.html (decisions-<reviewer>.csv); more "
        "may follow: --decisions a.csv b.csv.",
    ),
]
MoreDecisions = Annotated[
    list[Path] | None,
    typer.Argument(help="More decisions files, after --decisions.", show_default=False),
]
Prefer = Annotated[
    str | None,
    typer.Option("--prefer", help="Where reviewers disagree on a row, take this one's decision."),
]


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
    decisions: Decisions = None,
    more_decisions: MoreDecisions = None,
    prefer: Prefer = None,
) -> None:
    """Apply reviewed corrections from the last scan to a copy of the data."""
    if more_decisions and not decisions:
        raise DatabugsError(
            f"{more_decisions[0]}: fix takes files only after {option('decisions')}",
            code=ErrorCode.BAD_OPTION,
        )
    files = [*(decisions or []), *(more_decisions or [])]
    result = fix_data(
        report,
        accept_top=accept_top,
        accept=_named(accept, "accept"),
        reject=_named(reject, "reject"),
        min_quality=min_quality,
        accept_consensus=accept_consensus,
        accept_clusters=_named(accept_cluster, "accept_cluster", "cluster"),
        output=output,
        in_place=in_place,
        dry_run=dry_run,
        data=data,
        decisions=files,
        prefer=prefer,
    )
    plan = result.plan
    if result.reviewed is not None:
        _say_reviewed(result, dry_run)
    elif plan.decisions.empty:
        say("nothing to do: no row accepted or rejected (see --help)")
    elif dry_run:
        _print_plan(result)
    elif not plan.record:  # the review's ledger: what it rejected is already recorded there
        say(f"applied {count(len(plan.accepted), 'correction')} from the review{_wrote(result)}")
    else:
        accepted, rejected = len(plan.accepted), len(plan.decisions) - len(plan.accepted)
        say(f"{count(accepted, 'correction')} accepted, {rejected} rejected{_wrote(result)}")
    for note in plan.notes:
        say(f"note: {one_line(note)}")


def _named(values: list[str] | None, name: str, noun: str = "row") -> list[str]:
    """The rows (or clusters) an option names; given but naming none (``--accept ,,``) is an
    error, not "no option" (which applies the ledger's decisions instead)."""
    named = split_list(values)
    if values is not None and not named:
        raise DatabugsError(
            f"{option(name)} {','.join(values)!r} names no {noun}", code=ErrorCode.BAD_OPTION
        )
    return named


def _say_reviewed(result: FixResult, dry_run: bool) -> None:
    """What the decisions files said, what was (or would be) applied and how far the
    reviewers agree."""
    reviewed = result.reviewed
    decided = reviewed.lines["decision"].value_counts()
    parts = [f"{decided.get(kind, 0)} {kind}" for kind in ("accepted", "edited", "rejected")]
    names = ", ".join(one_line(name) for name in reviewed.reviewers)
    where = _wrote(result)
    verb = "would apply" if dry_run else "applied"
    say(
        f"{count(len(reviewed.lines), 'decision')} by {names} ({', '.join(parts)}): "
        f"{verb} {count(len(result.plan.accepted), 'correction')}{where}"
    )
    if result.agreement is not None:
        say(agreement_text(result.agreement))
    if result.agreement_file is not None:
        say(f"wrote {visible(result.agreement_file)}")


def _wrote(result: FixResult) -> str:
    """Which files were written (with a test file, the training and the test file's copy)."""
    return f"; wrote {' and '.join(map(visible, result.wrote))}" if result.wrote else ""


def _print_plan(result: FixResult) -> None:
    """The decisions as a table; data cells are ``Text``, so that rich reads no markup in them.
    With a test file, each line names its row's file."""
    outputs = " and ".join(map(visible, result.outputs))
    several = len(result.outputs) > 1
    where = ("file", "file_row") if several else ()
    columns = ("decision", "row", *where, "id", "old_label", "new_label")
    rows = []
    for line in result.plan.decisions.to_dict("records"):
        row = int(line["row"])
        shown = [one_line(line["decision"]), str(row)]
        if several:
            shown += [one_line(line["file"]), str(result.plan.scanned.file_rows[row])]
        shown.append(one_line(line["id"]))
        rows.append([*shown, shown_label(line["old_label"]), shown_label(line["new_label"])])
    if not sys.stdout.isatty():  # piped or a CI log: plain lines, tab-separated
        say("\n".join([f"would write {outputs}", "\t".join(columns), *map("\t".join, rows)]))
        return
    table = Table(title=Text(f"would write {outputs}"), title_justify="left")
    for column in columns:
        table.add_column(column)
    for shown in rows:
        table.add_row(*(Text(value) for value in shown))
    console().print(table)
