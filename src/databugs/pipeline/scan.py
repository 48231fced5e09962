"""A scan, stage after stage: prepare -> fit -> detect -> assemble, then the gate.

Never prints and never exits; problems with the input raise :class:`DatabugsError`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

from databugs.data.io import LoadedTable
from databugs.data.keys import row_keys
from databugs.data.splits import Splits, load_test
from databugs.data.table import load_table
from databugs.data.task import MULTILABEL, REGRESSION
from databugs.data.validate import check_at_least
from databugs.detectors.base import Detector
from databugs.detectors.registry import all_detectors, build_detectors
from databugs.detectors.regression import KINDS as REGRESSION_KINDS
from databugs.errors import DatabugsError, ErrorCode, option, where_set
from databugs.gate.baseline import compare_reports
from databugs.gate.rules import GateRule, check_figures, evaluate, known_figures, parse_rules
from databugs.models.engines import Engine, open_engine
from databugs.pipeline.assemble import assemble
from databugs.pipeline.crowd import (
    annotate_report,
    answers_context,
    export_options,
    gold_of,
    is_label_only,
    no_model,
    with_gold,
    without_gold,
)
from databugs.pipeline.detect import detection_context, find_issues
from databugs.pipeline.fit import Progress, fit_models
from databugs.pipeline.heap import kept_objects_skipped
from databugs.pipeline.multilabel_scan import scan_multilabel
from databugs.pipeline.prepare import Prepared, prepare
from databugs.pipeline.regression import (
    REGRESSION_FIGURES,
    SUMMARY_FIGURES,
    regression_kinds,
    regression_report,
)
from databugs.pipeline.summary import figure_names
from databugs.report.report import Report
from databugs.report.schema import load_report


def scan(
    data: Any,
    options: dict[str, Any],
    *,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Progress | None = None,
    detectors: Sequence[str] | None = None,
    cache: str | os.PathLike[str] | None = None,
    sha256: str | None = None,
    test: Any = None,
) -> Report:
    """Scan ``data`` (a DataFrame or a path) with ``options`` as report.json records them.

    ``sha256`` is the file's digest when the caller has computed it already; ``test`` the test
    rows (a DataFrame or a path; default: the ``test`` option).
    """
    if jobs is not None:
        check_at_least("jobs", jobs, 1)
    with open_engine(engine, scheduler=scheduler, jobs=jobs) as runner:
        table = load_table(data, runner, sha256=sha256)
        table, joined = load_test(table, options.get("test") if test is None else test, runner)
        return scan_table(
            table,
            options,
            engine=runner,
            progress=progress,
            detectors=detectors,
            cache=cache,
            joined=joined,
        )


def scan_table(
    table: LoadedTable,
    options: dict[str, Any],
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
    detectors: Sequence[str] | None = None,
    cache: str | os.PathLike[str] | None = None,
    joined: Splits | None = None,
) -> Report:
    """Scan a loaded table with options as ``report.json`` records them (``joined``: the
    splits of a training table joined with a test table)."""
    with kept_objects_skipped():
        return _scanned(table, options, engine, progress, detectors, cache, joined)


def _scanned(
    table: LoadedTable,
    options: dict[str, Any],
    engine: Engine | None,
    progress: Progress | None,
    detectors: Sequence[str] | None,
    cache: str | os.PathLike[str] | None,
    joined: Splits | None,
) -> Report:
    clock = _Clock()
    options = export_options(table, options)  # a labelling tool's export: long annotator data
    chosen = build_detectors(detectors, options.get("detector_settings"))
    annotated = bool(options.get("annotators") or options.get("annotator_col"))
    rules, previous = _gate(options, annotated=annotated)
    data = prepare(table, options, chosen, joined=joined)
    _refuse_figures_of_another_task(
        rules, data.task, annotated=annotated, baseline=previous is not None
    )
    clock.lap("load_and_features_s")
    if data.task == REGRESSION:
        report = regression_report(
            data, options, chosen, engine=engine, progress=progress, cache=cache
        )
    elif data.task == MULTILABEL:
        report = scan_multilabel(data, options, chosen, engine=engine, clock=clock)
    else:
        report = _classification_report(
            data, options, chosen, engine=engine, progress=progress, cache=cache
        )
    clock.lap("models_s")
    report.task = data.choice.to_dict() if data.choice else None
    if previous is not None:
        report.comparison = compare_reports(previous, keyed_like(previous, report.to_dict(), data))
    report.gate = evaluate(rules, report.summary, report.comparison) if rules else None
    report.timings = clock.lap("detectors_s")
    return report


def _classification_report(
    data: Prepared,
    options: dict[str, Any],
    chosen: list[Detector],
    *,
    engine: Engine | None,
    progress: Progress | None,
    cache: str | os.PathLike[str] | None,
) -> Report:
    """Classes: out-of-fold probabilities (or, for answers without features, the answers'
    consensus alone), the detectors, the report."""
    declared, seed, gold = options.get("classes"), options["seed"], gold_of(data, options)
    if is_label_only(data):  # answers without features: nothing to fit a model on
        context = answers_context(data, declared=declared, seed=seed, gold=gold)
        oof = no_model(context)
    else:
        oof = fit_models(data, options, engine=engine, progress=progress, cache=cache)
        context = detection_context(data, oof, declared=declared, seed=seed)
        context = with_gold(context, data, gold)
    issues = without_gold(find_issues(chosen, context, data.settled), context, data)
    report = assemble(data, context, oof, issues, options)
    annotate_report(report, data, context)
    return report


def _gate(
    options: Mapping[str, Any], *, annotated: bool
) -> tuple[list[GateRule], dict[str, Any] | None]:
    """The gate rules, checked to name figures this scan will have, and the baseline report."""
    rules = parse_rules(options.get("fail_on"))
    baseline = options.get("baseline")
    kinds = [*all_detectors(), *(kind for kind in REGRESSION_KINDS if kind not in all_detectors())]
    figures = (*figure_names(annotated=annotated), *REGRESSION_FIGURES)
    check_figures(rules, figures, kinds, baseline=bool(baseline))
    return rules, load_report(baseline) if baseline else None


def _refuse_figures_of_another_task(
    rules: list[GateRule], task: str, *, annotated: bool, baseline: bool
) -> None:
    """A rule naming a figure only a scan of another task has (``model_r2`` on classes;
    ``model_accuracy`` or ``rare_class`` on numbers), refused once the task is known, before
    any model is fitted (it was refused after the scan)."""
    if task == REGRESSION:
        figures, kinds, other = SUMMARY_FIGURES, regression_kinds(), "classification"
    else:
        figures, kinds, other = figure_names(annotated=annotated), all_detectors(), "regression"
    known = known_figures(figures, kinds, baseline=baseline)
    for rule in rules:
        if rule.figure not in known:
            raise DatabugsError(
                f"{where_set('fail_on')}: {rule.text!r} names a figure that a {task} scan does "
                "not have",
                code=ErrorCode.BAD_GATE_RULE,
                hint=f"drop the rule, or give {option('task')} {other}",
            )


def keyed_like(baseline: dict[str, Any], scanned: dict[str, Any], data: Prepared) -> dict[str, Any]:
    """The scan's report.json content with its rows' content keys hashed over the baseline's
    columns, where neither scan has an id and this data holds every one of those columns: a
    column added since the baseline changed every key and made every finding "new"."""
    old = [use["column"] for use in baseline.get("features", [])]
    new = [use["column"] for use in scanned["features"]]
    if baseline["input"].get("id") or data.columns.id or old == new or not set(old) <= set(new):
        return scanned
    label = data.columns.label
    rows = [issue["row"] for issue in scanned["issues"] if issue["row"] is not None]
    keys = row_keys(data.frame[[*old, label]], rows, id_column=None, label=label)
    issues = [
        issue if issue["row"] is None else {**issue, "key": keys[issue["row"]]}
        for issue in scanned["issues"]
    ]
    return {**scanned, "issues": issues}


class _Clock:
    """Wall time of each stage, for ``timings.json``."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> dict[str, float]:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 3)
        self.last = now
        return dict(self.laps)
