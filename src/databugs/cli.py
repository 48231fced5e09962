"""The command line: parse options, call the library, format the result, choose the exit code.

All logic lives in the library; a :class:`DatabugsError` becomes one line on stderr and exit 2
here, in :func:`user_errors`, and nowhere else.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from databugs.compare import compare_reports, load_report, render_comparison
from databugs.config import DEFAULTS, MODEL_NAMES, resolve_options
from databugs.engines import check_engine
from databugs.errors import DatabugsError
from databugs.fix import apply_fix, default_output, plan_fix, plan_from_ledger
from databugs.io import write_files_atomically
from databugs.outputs import render_pages, rewrite_reused, write_outputs, write_report_files
from databugs.render import github, report_json, terminal
from databugs.report_view import ReportView
from databugs.reuse import fingerprint, remember, reusable_report
from databugs.version import __version__

app = typer.Typer(
    name="databugs",
    help="Find and fix data bugs (wrong labels and more) in labelled datasets.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(StrEnum):
    rich = "rich"
    plain = "plain"
    json = "json"


def user_errors(command: F) -> F:
    """Turn a DatabugsError into one line on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DatabugsError as error:
            typer.echo(f"databugs: error: {error}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"databugs {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Find and fix data bugs (wrong labels and more) in labelled datasets."""


def _split(values: list[str] | None) -> list[str]:
    """Repeatable options may also be comma-separated: --text a,b --text c."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


SCAN_EXAMPLE = """
Example:

  databugs scan reviews.csv --label sentiment --id review_id --out report/

writes report/report.json, report.md, issues.csv and corrected_labels.csv, and prints the
label health and the 10 worst rows. Then review report/issues.csv and apply corrections with
`databugs fix --report report/ --accept-top 30`.
"""


DataArgument = Annotated[
    Path,
    typer.Argument(
        help="A .csv, .tsv, .parquet or .jsonl file (.gz too), or a folder or quoted glob of "
        "Parquet files."
    ),
]
LabelOption = Annotated[str | None, typer.Option("--label", "-l", help="The label column.")]
IdOption = Annotated[str | None, typer.Option("--id", help="A unique row key column.")]
TextOption = Annotated[
    list[str] | None, typer.Option("--text", help="A free-text column (repeatable).")
]
IgnoreOption = Annotated[
    list[str] | None, typer.Option("--ignore", help="A column that is not a feature.")
]


@app.command(epilog=SCAN_EXAMPLE)
@user_errors
def scan(
    data: DataArgument,
    label: LabelOption = None,
    id: IdOption = None,
    text: TextOption = None,
    ignore: IgnoreOption = None,
    annotators: Annotated[
        str | None,
        typer.Option(
            "--annotators", help="Wide data: one column per annotator's label: ann_a,ann_b."
        ),
    ] = None,
    annotator_col: Annotated[
        str | None,
        typer.Option(
            "--annotator-col",
            help="Long data: the column naming each line's annotator (items keyed by --id).",
        ),
    ] = None,
    classes: Annotated[
        str | None,
        typer.Option("--classes", help="The classes the data should have: A,B,C."),
    ] = None,
    folds: Annotated[
        int | None, typer.Option("--folds", help="Cross-validation folds [5].")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="auto [default], or one of: " + ", ".join(MODEL_NAMES) + "."),
    ] = None,
    text_model: Annotated[
        str | None,
        typer.Option(
            "--text-model",
            help="Sentence-embedding model for text columns, beside TF-IDF: all-MiniLM-L6-v2 "
            "or a model folder (needs databugs[embeddings]) [none].",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for every random choice [0].")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder [databugs-report].")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="CI gate, e.g. 'label_issues>2%,conflicting_duplicates>0'."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="An earlier report.json: count what is new since then."),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", help="Parallel workers (default: all cores).")
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="Where model fits and Parquet dataset reads run: local [default] or dask "
            "(needs databugs[dask]).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address, e.g. tcp://host:8786 (default with --engine dask: "
            "a local cluster of worker processes).",
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option("--format", help="stdout: rich (terminal), plain (default when piped), json."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print less.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print more.")] = False,
) -> None:
    """Find data bugs: likely wrong labels with suggested corrections, and a report.

    Options may also come from [tool.databugs] in pyproject.toml or from databugs.toml beside
    DATA (long names, dashes as underscores); the command line wins. Exit code 0: done, no gate
    failed; 1: a --fail-on rule failed; 2: bad usage or input.
    """
    given = {
        "label": label,
        "id": id,
        "text": _split(text) or None,
        "ignore": _split(ignore) or None,
        "annotators": _split([annotators]) if annotators else None,
        "annotator_col": annotator_col,
        "classes": _split([classes]) if classes else None,
        "folds": folds,
        "model": model,
        "text_model": text_model,
        "seed": seed,
        "out": None if out is None else str(out),
        "fail_on": fail_on,
        "baseline": None if baseline is None else str(baseline),
        "jobs": jobs,
        "engine": engine,
        "scheduler": scheduler,
    }
    options = resolve_options(data, given)
    if engine == "local" and scheduler is None:  # a config file's scheduler, overridden
        options["scheduler"] = None
    check_engine(options["engine"], options["scheduler"])
    if options["jobs"] is not None and options["jobs"] < 1:
        raise DatabugsError(f"--jobs is {options['jobs']}", code="bad_option", hint="use 1 or more")
    stderr = Console(stderr=True)
    key = fingerprint(data, options)
    reused = reusable_report(options, key)
    if reused is not None:  # same data and findings options: only the gate is checked again
        report = ReportView(reused)
        outputs = rewrite_reused(report, options["out"])
    else:
        from databugs.api import scan as run_scan  # loads the model code only when needed

        with _progress_bar(enabled=not quiet and stderr.is_terminal, console=stderr) as progress:
            report = run_scan(
                data,
                **{name: options[name] for name in SCAN_OPTIONS},
                progress=progress,
                cache=Path(options["out"]) / ".cache",
            )
        outputs = write_outputs(report, options["out"])
        remember(Path(options["out"]), key)
    chosen = output_format or (OutputFormat.rich if sys.stdout.isatty() else OutputFormat.plain)
    if chosen is OutputFormat.json:
        typer.echo(report_json.render_summary(report, outputs), nl=False)
    elif not quiet and chosen is OutputFormat.rich:
        Console().print(terminal.render_rich(report, outputs))
    elif not quiet:
        typer.echo(terminal.render_plain(report, outputs), nl=False)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        github.report_to_actions(report, data)
    if verbose:
        stderr.print("reused the report in --out" if reused else f"timings: {report.timings}")
    if not report.gate_passed():
        raise typer.Exit(1)


SCAN_OPTIONS = tuple(name for name in DEFAULTS if name != "out")
"""Every configurable option is an argument of ``databugs.scan`` but the output folder."""


DIFF_EXAMPLE = """
Example:

  databugs diff old-report/report.json databugs-report/report.json

prints the issues that are new, fixed and still open, and the figures that moved.
"""


@app.command(epilog=DIFF_EXAMPLE)
@user_errors
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier report.json (or its folder).")],
    new: Annotated[Path, typer.Argument(help="The later report.json (or its folder).")],
    output_format: Annotated[
        OutputFormat | None, typer.Option("--format", help="plain (default) or json.")
    ] = None,
) -> None:
    """Compare two scans: new, fixed and open issues, and figures that moved."""
    comparison = compare_reports(load_report(old), load_report(new))
    if output_format is OutputFormat.json:
        typer.echo(json.dumps(comparison, indent=2, ensure_ascii=False))
    else:
        typer.echo(render_comparison(comparison), nl=False)


REPORT_EXAMPLE = """
Example:

  databugs report databugs-report/

writes databugs-report/report.md and report.html again from its report.json (after an upgrade,
or from a report.json a CI job kept).
"""


@app.command("report", epilog=REPORT_EXAMPLE)
@user_errors
def report_command(
    folder: Annotated[Path, typer.Argument(help="A scan's output folder (or its report.json).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write [beside report.json].")
    ] = None,
) -> None:
    """Render report.md and report.html from a report.json."""
    view = ReportView(load_report(folder))
    target = out or (folder if folder.is_dir() else folder.parent)
    files = render_pages(view)
    write_report_files(target, files)
    typer.echo("wrote " + ", ".join(str(target / name) for name in files))


class _progress_bar:
    """A rich progress bar fed by the library's ``progress(stage, done, total)`` callback."""

    def __init__(self, *, enabled: bool, console: Console) -> None:
        self.bar = (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            if enabled
            else None
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Callable[[str, int, int], None] | None:
        if self.bar is None:
            return None
        self.bar.start()
        return self.update

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


FIX_EXAMPLE = """
Example:

  databugs fix --report report/ --accept-top 30 --reject 17,42

writes reviews.fixed.csv beside reviews.csv with the 30 worst-ranked labels corrected (rows 17
and 42 excepted) and records every decision in databugs-decisions.csv beside the data.
"""


@app.command(epilog=FIX_EXAMPLE)
@user_errors
def fix(
    report: Annotated[Path, typer.Option("--report", help="The scan's output folder.")] = Path(
        "databugs-report"
    ),
    accept_top: Annotated[
        int, typer.Option("--accept-top", help="Accept the N worst-ranked label issues.")
    ] = 0,
    accept: Annotated[
        list[str] | None, typer.Option("--accept", help="Rows (or ids) to accept: 3,17.")
    ] = None,
    reject: Annotated[
        list[str] | None, typer.Option("--reject", help="Rows (or ids) to reject: 5,8.")
    ] = None,
    min_quality: Annotated[
        float | None,
        typer.Option("--min-quality", help="Accept every flagged row with label_quality below Q."),
    ] = None,
    accept_consensus: Annotated[
        bool,
        typer.Option(
            "--accept-consensus",
            help="Accept the annotators' consensus label wherever it differs from the label.",
        ),
    ] = False,
    accept_cluster: Annotated[
        list[str] | None,
        typer.Option("--accept-cluster", help="Accept every row of these clusters: c1,c4."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Where the corrected data goes.")
    ] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Replace the data itself, keeping <name>.orig.<ext>.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, write nothing.")] = False,
    data: Annotated[
        Path | None, typer.Option("--data", help="The data, if it moved since the scan.")
    ] = None,
) -> None:
    """Apply reviewed corrections from the last scan to a copy of the data."""
    nothing_named = not (
        accept_top
        or accept
        or reject
        or min_quality is not None
        or accept_consensus
        or accept_cluster
    )
    if accept_top < 0:
        raise DatabugsError(
            f"--accept-top is {accept_top}", code="bad_option", hint="use 0 or more"
        )
    if nothing_named:  # the decisions made in `databugs review`
        plan = plan_from_ledger(load_report(report), data=data)
        if plan.decisions.empty:
            typer.echo("nothing to do: no row accepted or rejected (see --help)")
            return
    else:
        plan = plan_fix(
            load_report(report),
            accept_top=accept_top,
            accept=_split(accept),
            reject=_split(reject),
            min_quality=min_quality,
            accept_consensus=accept_consensus,
            accept_clusters=_split(accept_cluster),
            data=data,
        )
    if plan.decisions.empty:
        typer.echo("nothing to do: no row accepted or rejected (see --help)")
        return
    if dry_run:
        _print_plan(plan, output or (plan.data if in_place else default_output(plan.data)))
        return
    written = apply_fix(plan, output=output, in_place=in_place)
    accepted, rejected = len(plan.accepted), len(plan.decisions) - len(plan.accepted)
    where = f"; wrote {written}" if written else ""
    typer.echo(f"{accepted} corrections accepted, {rejected} rejected{where}")


def _print_plan(plan: Any, target: Path) -> None:
    table = Table(title=f"would write {target}", title_justify="left")
    for column in ("decision", "row", "id", "old_label", "new_label"):
        table.add_column(column)
    for line in plan.decisions.itertuples(index=False):
        table.add_row(
            line.decision, str(line.row), str(line.id), str(line.old_label), str(line.new_label)
        )
    Console().print(table)


REVIEW_EXAMPLE = """
Keys: a accept the suggestion, r reject it (the given label is right), e type or pick another
label (a known class; +name adds a new one), s skip, u undo the last decision, c the whole
cluster (same group or same given -> suggested pair) at once, q quit. Every decision is
written to databugs-decisions.csv at once; the next review resumes where this one stopped.
Then `databugs fix` applies the accepted and edited labels.

Example:

  databugs review --kind label_issue --min-score 0.8
  printf 'a\\nr\\nq\\n' | databugs review      (one key and Enter per decision)
"""


@app.command(epilog=REVIEW_EXAMPLE)
@user_errors
def review(
    report: Annotated[Path, typer.Option("--report", help="The scan's output folder.")] = Path(
        "databugs-report"
    ),
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only this kind of issue (repeatable).")
    ] = None,
    label_class: Annotated[
        list[str] | None, typer.Option("--class", help="Only rows given or suggested this class.")
    ] = None,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Only issues scored at least this.")
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="The data, if it moved since the scan.")
    ] = None,
) -> None:
    """Accept or reject flagged rows one by one, in the terminal."""
    from databugs.review import ReviewSession
    from databugs.review_terminal import run_review

    session = ReviewSession.open(
        report, kinds=_split(kind), classes=_split(label_class), min_score=min_score, data=data
    )
    run_review(session, Console(highlight=False))


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
    from databugs.active import label_studio_tasks, next_rows
    from databugs.render.tables import spreadsheet_table

    if relabel < 0:
        raise DatabugsError(f"--relabel is {relabel}", code="bad_option", hint="use 0 or more")
    table = next_rows(
        data,
        budget=budget,
        strategy=strategy,
        relabel=relabel,
        label=label,
        id=id,
        text=_split(text),
        ignore=_split(ignore),
        seed=seed,
    )
    if output_format is NextFormat.label_studio:
        name, payload = "to_label.json", label_studio_tasks(table)
    else:
        name, payload = "to_label.csv", spreadsheet_table(table)
    write_files_atomically(out, {name: payload})
    typer.echo(f"{len(table)} rows to label: {out / name}")


LABEL_EXAMPLE = """
Example:

  databugs label emails.csv --rules rules.yaml --out labels/ --write emails.labelled.csv

applies the rules in rules.yaml, says how good each rule is (labels/rules.md), combines their
votes, trains a model on the result and writes labels/weak_labels.csv; --write also writes the
data with its empty labels filled in and a label_source column.

A YAML rule is a name, a label and one of contains: [words], regex: '...' or where: "a pandas
query"; a Python rules file has functions decorated @databugs.rule(label="spam") (row ->
True/False) or @databugs.rule() (row -> label or None). See the README, "Label".
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
        typer.Option("--min-confidence", help="Leave a row unlabelled below this confidence."),
    ] = 0.5,
    write: Annotated[
        Path | None,
        typer.Option("--write", help="Also write the data with its empty labels filled in."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for every random choice.")] = 0,
    jobs: Annotated[int | None, typer.Option("--jobs", help="Parallel workers.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("databugs-labels"),
) -> None:
    """Label rows from experts' rules: rule analysis, a label model and an end model."""
    from databugs.render import weak as weak_render
    from databugs.weak import label_data

    result = label_data(
        data,
        rules=rules,
        label=label,
        id=id,
        text=_split(text),
        ignore=_split(ignore),
        classes=_split([classes]) if classes else None,
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
                f"{write}: cannot write ({error.strerror or error})", code="cannot_write"
            ) from None
        outputs["data"] = str(write)
    write_report_files(out, files)
    typer.echo("\n".join(weak_render.terminal_lines(result, outputs)))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
