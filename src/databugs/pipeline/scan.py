"""A scan, stage after stage: prepare -> fit -> detect -> assemble, then the gate.

Never prints and never exits; problems with the input raise :class:`DatabugsError`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

from databugs.data.io import LoadedTable
from databugs.data.table import load_table
from databugs.data.task import MULTILABEL, REGRESSION
from databugs.data.validate import check_at_least
from databugs.detectors.registry import all_detectors, build_detectors
from databugs.gate.baseline import compare_reports
from databugs.gate.rules import GateRule, check_figures, evaluate, parse_rules
from databugs.models.engines import Engine, open_engine
from databugs.pipeline.assemble import assemble
from databugs.pipeline.detect import detection_context, find_issues
from databugs.pipeline.fit import Progress, fit_models
from databugs.pipeline.multilabel_scan import scan_multilabel
from databugs.pipeline.prepare import prepare
from databugs.pipeline.regression import scan_regression
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
) -> Report:
    """Scan ``data`` (a DataFrame or a path) with ``options`` as report.json records them.

    ``sha256`` is the file's digest when the caller has computed it already.
    """
    if jobs is not None:
        check_at_least("jobs", jobs, 1)
    with open_engine(engine, scheduler=scheduler, jobs=jobs) as runner:
        table = load_table(data, runner, sha256=sha256)
        return scan_table(
            table, options, engine=runner, progress=progress, detectors=detectors, cache=cache
        )


def scan_table(
    table: LoadedTable,
    options: dict[str, Any],
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
    detectors: Sequence[str] | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> Report:
    """Scan a loaded table with options as ``report.json`` records them."""
    clock = Clock()
    chosen = build_detectors(detectors, options.get("detector_settings"))
    annotated = bool(options.get("annotators") or options.get("annotator_col"))
    rules, previous = _gate(options, annotated=annotated)
    data = prepare(table, options, chosen)
    clock.lap("load_and_features_s")
    if data.task == REGRESSION:
        return scan_regression(data, options, chosen, engine=engine, clock=clock)
    if data.task == MULTILABEL:
        report = scan_multilabel(data, options, chosen, engine=engine, clock=clock)
    else:
        oof = fit_models(data, options, engine=engine, progress=progress, cache=cache)
        clock.lap("models_s")
        context = detection_context(
            data, oof, declared=options.get("classes"), seed=options["seed"]
        )
        issues = find_issues(chosen, context, data.settled)
        report = assemble(data, context, oof, issues, options)
    report.task = data.choice.to_dict() if data.choice else None
    if previous is not None:
        report.comparison = compare_reports(previous, report.to_dict())
    report.gate = evaluate(rules, report.summary, report.comparison) if rules else None
    report.timings = clock.lap("detectors_s")
    return report


def _gate(
    options: Mapping[str, Any], *, annotated: bool
) -> tuple[list[GateRule], dict[str, Any] | None]:
    """The gate rules, checked to name figures this scan will have, and the baseline report."""
    rules = parse_rules(options.get("fail_on"))
    baseline = options.get("baseline")
    check_figures(
        rules, figure_names(annotated=annotated), all_detectors(), baseline=bool(baseline)
    )
    return rules, load_report(baseline) if baseline else None


class Clock:
    """Wall time of each stage, for ``timings.json``."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> dict[str, float]:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 3)
        self.last = now
        return dict(self.laps)
