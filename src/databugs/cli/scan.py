"""``databugs scan``: find data bugs, write the report and the corrected-labels file."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from databugs.cli.app import app, console, say, user_errors
from databugs.cli.options import (
    DataArgument,
    IdOption,
    IgnoreOption,
    LabelOption,
    OutputFormat,
    ProgressBar,
    TextOption,
    split_list,
)
from databugs.errors import options_set_in
from databugs.pipeline.options import MODEL_NAMES, REGRESSOR_NAMES, resolve_options
from databugs.pipeline.run import ScanRun, scan_into_folder
from databugs.render import github, report_json, terminal

SCAN_EXAMPLE = """
Example:

  databugs scan reviews.csv --label sentiment --id review_id --out report/

writes report/report.json, report.md, report.html, issues.csv and corrected_labels.csv, and
prints the label health and the 10 worst rows. Then open report/report.html (or run
`databugs review --report report/`) and apply corrections with
`databugs fix --report report/ --accept-top 30`.
"""

Annotators = Annotated[
    str | None,
    typer.Option("--annotators", help="Wide data: one column per annotator's label: ann_a,ann_b."),
]
AnnotatorColumn = Annotated[
    str | None,
    typer.Option(
        "--annotator-col",
        help="Long data: the column naming each line's annotator (items keyed by --id).",
    ),
]
Gold = Annotated[
    Path | None,
    typer.Option(
        "--gold",
        help="Gold items: a file of --id and label (their true class); or a 'gold' column.",
    ),
]
Task = Annotated[
    str | None,
    typer.Option(
        "--task",
        help="auto [default], classification, regression (a number per row) or multilabel "
        "(a set of tags per row).",
    ),
]
LabelSep = Annotated[
    str | None,
    typer.Option("--label-sep", help="Multi-label: the separator between a row's tags [;]."),
]
TagColumns = Annotated[
    str | None,
    typer.Option("--labels", help="Multi-label: several 0/1 tag columns: a,b,c."),
]
TestFile = Annotated[
    Path | None,
    typer.Option(
        "--test",
        help="The test split, a file with the same columns: checked for leakage and shift, "
        "its rows scored by models trained on DATA only.",
    ),
]
SplitColumn = Annotated[
    str | None,
    typer.Option("--split-col", help="The column naming each row's split: train, valid or test."),
]
Classes = Annotated[
    str | None, typer.Option("--classes", help="The classes the data should have: A,B,C.")
]
Folds = Annotated[int | None, typer.Option("--folds", help="Cross-validation folds [5].")]
Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="auto [default], or a classifier: "
        + ", ".join(MODEL_NAMES)
        + "; for a regression scan a regressor: "
        + ", ".join(REGRESSOR_NAMES)
        + ".",
    ),
]
TextModel = Annotated[
    str | None,
    typer.Option(
        "--text-model",
        help="Sentence-embedding model for text columns, beside TF-IDF: all-MiniLM-L6-v2 "
        "or a model folder (needs databugs[embeddings]) [none].",
    ),
]
Seed = Annotated[int | None, typer.Option("--seed", help="Seed for every random choice [0].")]
Out = Annotated[Path | None, typer.Option("--out", help="Output folder [databugs-report].")]
FailOn = Annotated[
    str | None,
    typer.Option("--fail-on", help="CI gate, e.g. 'label_issues>2%,conflicting_duplicates>0'."),
]
Baseline = Annotated[
    Path | None,
    typer.Option("--baseline", help="An earlier report.json: count what is new since then."),
]
Jobs = Annotated[int | None, typer.Option("--jobs", help="Parallel workers (default: all cores).")]
EngineName = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Where model fits and Parquet dataset reads run: local [default] or dask "
        "(needs databugs[dask]).",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address, e.g. tcp://host:8786 (default with --engine dask: "
        "a local cluster of worker processes).",
    ),
]
Format = Annotated[
    OutputFormat | None,
    typer.Option("--format", help="stdout: rich (terminal), plain (default when piped), json."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print less.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Print more.")]


@app.command(epilog=SCAN_EXAMPLE)
@user_errors
def scan(
    data: DataArgument,
    label: LabelOption = None,
    task: Task = None,
    label_sep: LabelSep = None,
    labels: TagColumns = None,
    test: TestFile = None,
    split_col: SplitColumn = None,
    id: IdOption = None,
    text: TextOption = None,
    ignore: IgnoreOption = None,
    annotators: Annotators = None,
    annotator_col: AnnotatorColumn = None,
    gold: Gold = None,
    classes: Classes = None,
    folds: Folds = None,
    model: Model = None,
    text_model: TextModel = None,
    seed: Seed = None,
    out: Out = None,
    fail_on: FailOn = None,
    baseline: Baseline = None,
    jobs: Jobs = None,
    engine: EngineName = None,
    scheduler: Scheduler = None,
    output_format: Format = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Find data bugs: likely wrong labels with suggested corrections, and a report.

    Options may also come from [tool.databugs] in pyproject.toml or from databugs.toml beside
    DATA (long names, dashes as underscores); the command line wins. Exit code 0: done, no gate
    failed; 1: a --fail-on rule failed; 2: bad usage or input.
    """
    options, set_in = resolve_options(data, _given_options(locals()))
    if engine == "local" and scheduler is None:  # a config file's scheduler, overridden
        options["scheduler"] = None
    with options_set_in(set_in):
        run, stderr = _scan_with_progress(data, options, quiet=quiet)
    _print(run, data, output_format, quiet=quiet, verbose=verbose, stderr=stderr)
    if not run.report.gate_passed():
        raise typer.Exit(1)


NOT_SCAN_OPTIONS = ("data", "output_format", "quiet", "verbose")
"""Arguments of ``scan`` that shape what is printed, not the scan (report.json's options)."""
SPLIT_LISTS = ("text", "ignore")
SPLIT_ONE = ("annotators", "classes", "labels")
"""List options given as repeated options, and as one comma-separated value."""
PATHS = ("gold", "out", "baseline", "test")


def _given_options(arguments: dict[str, Any]) -> dict[str, Any]:
    """The command line's options as ``resolve_options`` takes them (None: not given): lists
    split at commas, paths as text."""
    given = {}
    for name, value in arguments.items():
        if name in NOT_SCAN_OPTIONS:
            continue
        if name in SPLIT_LISTS:
            value = split_list(value) or None
        elif name in SPLIT_ONE:
            value = split_list([value]) if value else None
        elif name in PATHS and value is not None:
            value = str(value)
        given[name] = value
    return given


def _scan_with_progress(data: Path, options: dict, *, quiet: bool) -> tuple[ScanRun, Console]:
    """The scan, with a progress bar on a terminal's stderr (returned for later lines)."""
    stderr = Console(stderr=True)
    with ProgressBar(enabled=not quiet and stderr.is_terminal, console=stderr) as progress:
        return scan_into_folder(data, options, progress=progress), stderr


def _print(
    run: ScanRun,
    data: Path,
    output_format: OutputFormat | None,
    *,
    quiet: bool,
    verbose: bool,
    stderr: Console,
) -> None:
    """The summary on stdout in the chosen format, GitHub annotations in a workflow."""
    report, outputs = run.report, run.outputs
    chosen = output_format or (OutputFormat.rich if sys.stdout.isatty() else OutputFormat.plain)
    if chosen is OutputFormat.json:
        say(report_json.render_summary(report, outputs), nl=False)
    elif not quiet and chosen is OutputFormat.rich:
        console().print(terminal.render_rich(report, outputs))
    elif not quiet:
        say(terminal.render_plain(report, outputs), nl=False)
    else:
        for line in terminal.failed_gate_lines(report):
            say(line, err=True)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        github.report_to_actions(report, data)
    if verbose:
        stderr.print("reused the report in --out" if run.reused else f"timings: {report.timings}")
