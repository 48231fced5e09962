"""A regression scan (a number per row): out-of-fold predictions, each value's distance from its
prediction in units of the model's usual error there, and the issues that make sense for
numbers (no classes, so no rare or missing classes and no class imbalance).

The report has the same parts as a classification scan's, so that every renderer, ``fix``,
``review``, ``diff`` and the gate read it alike; ``regression`` adds the fit's figures and the
points of the given-vs-predicted plot.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from databugs.data.splits import with_split_columns, with_split_fields
from databugs.data.task import REGRESSION, NumberStyle
from databugs.detectors.base import Context, Detector, Issue, is_correction
from databugs.detectors.registry import all_detectors
from databugs.detectors.regression import (
    KINDS,
    conflicting_values,
    flag_limits,
    target_outliers,
    value_issues,
)
from databugs.models.engines import Engine
from databugs.models.regression import RegressionFit, chosen_scores, label_quality
from databugs.pipeline.assemble import (
    issue_records,
    quality_histogram,
    reported_kinds,
    row_table,
    scan_input,
)
from databugs.pipeline.detect import detected
from databugs.pipeline.fit import Progress, fit_regression
from databugs.pipeline.prepare import Prepared
from databugs.pipeline.rank import rank_issues
from databugs.pipeline.split_summary import split_summary
from databugs.pipeline.summary import issue_counts
from databugs.report.report import Report
from databugs.text import count

REGRESSION_FIGURES = ("model_mae", "model_r2", "median_residual")
"""Figures only a regression scan's summary has (gate rules may name them)."""
SUMMARY_FIGURES = (
    *("rows", "labelled", "unlabelled", "classes"),
    *("label_health", "label_issues", "label_issue_share", *REGRESSION_FIGURES),
)
"""The numbers of a regression scan's summary (:func:`_summary`), which gate rules may name."""
PLOT_POINTS = 2000
"""At most this many points in the given-vs-predicted plot (flagged ones always)."""
SCALE_WORDS = {
    "local": "the model's usual error near each value",
    "overall": "the model's usual error over all rows",
}
"""How the notes name each error scale (``models.regression.ERROR_SCALES``)."""
CONFLICT_TOLERANCE = 3.0
"""Identical rows conflict when their values differ by more than this many times the model's
median absolute error."""


def regression_report(
    data: Prepared,
    options: dict[str, Any],
    detectors: Sequence[Detector] = (),
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> Report:
    """The report of a regression scan (gate and comparison are added by the caller); the
    out-of-fold predictions come from ``cache`` when it has them; of ``detectors``, those that
    read rows rather than classes run too (outliers, splits, cells)."""
    fit = fit_regression(data, options, engine=engine, progress=progress, cache=cache)
    scale, scores = chosen_scores(data.targets, fit.predictions, options["seed"])
    above = data.targets > fit.predictions
    limits = flag_limits(scores, above)
    context = value_context(data, fit, scores, options["seed"])
    issues = _issues(data, fit, scores, np.where(above, *limits), detectors, context)
    rows = row_table(data.labels, data.labelled, context.label_quality, data.ids, issues)
    rows = with_split_columns(rows, data.splits)
    flagged = rows["is_label_issue"].to_numpy()[data.labelled]
    return Report(
        input=scan_input(data),
        options={**options, "label": data.columns.label, "folds": fit.folds},
        summary=_summary(data, fit, issues, rows)
        | split_summary(context, issues, health=1.0 - flagged),
        classes=[],
        features=[vars(use) for use in data.features.columns],
        models=[
            {"name": m["name"], "weight": float(m["chosen"]), "mae": m["first_fold_mae"]}
            for m in fit.models
        ],
        notes=_notes(data, options, limits, scale),
        kinds=reported_kinds(context, KINDS),
        records=with_split_fields(issue_records(data, issues, rows, {}), data.splits),
        quality_histogram=quality_histogram(context.label_quality, flagged),
        regression={
            **_plot_points(data, fit, rows, options["seed"]),
            "flag_limit": _finite(min(limits)),
            "flag_limits": {"above": _finite(limits[0]), "below": _finite(limits[1])},
            "error_scale": scale,
        },
        rows=rows,
        issues=issues,
    )


def regression_kinds() -> dict[str, str]:
    """The kinds a regression scan reports, with their descriptions: its own, then the
    detectors that read rows rather than classes."""
    row_detectors = {
        name: detector.description
        for name, detector in all_detectors().items()
        if REGRESSION in detector.tasks and name not in KINDS
    }
    return {**KINDS, **row_detectors}


def value_context(data: Prepared, fit: RegressionFit, scores: np.ndarray, seed: int) -> Context:
    """What the detectors that read rows see of a regression: the rows, features and splits;
    no classes (``targets`` -1), the values in ``values``."""
    return Context(
        frame=data.frame,
        label_column=data.columns.label,
        labels=data.labels,
        classes=[],
        labelled=data.labelled,
        targets=np.full(len(data.labelled), -1),
        probabilities=np.empty((len(data.labelled), 0)),
        label_quality=label_quality(scores),
        features=data.features,
        folds=fit.folds,
        canonical=data.canonical,
        task=REGRESSION,
        seed=seed,
        splits=data.splits,
        values=data.targets,
    )


def _issues(
    data: Prepared,
    fit: RegressionFit,
    scores: np.ndarray,
    limits: np.ndarray,
    detectors: Sequence[Detector],
    context: Context,
) -> list[Issue]:
    """Every issue, ranked (``limits``: each value's flag limit); a correction a reviewer
    rejected is not proposed again."""
    style = NumberStyle.of([data.labels[row] for row in data.labelled])
    labels, labelled, targets = data.labels, data.labelled, data.targets
    tolerance = CONFLICT_TOLERANCE * float(np.median(np.abs(targets - fit.predictions)))
    found = [
        *value_issues(labels, labelled, fit.predictions, scores, style, limits),
        *conflicting_values(data.features.matrix, labels, labelled, targets, tolerance),
        *target_outliers(labels, labelled, targets),
        *detected(detectors, context),
    ]
    return rank_issues(i for i in found if not (i.row in data.settled and is_correction(i)))


def _summary(
    data: Prepared, fit: RegressionFit, issues: list[Issue], rows: pd.DataFrame
) -> dict[str, Any]:
    """The figures a classification summary has (classes 0), and the fit's error. Label health
    is the share of values near their prediction (within what the model's usual error there
    allows: not flagged); a mean quality of numbers would say little."""
    targets, predictions = data.targets, fit.predictions
    flagged = int(rows["is_label_issue"].sum())
    spread = float(np.sum((targets - targets.mean()) ** 2))
    r2 = 1.0 - float(np.sum((targets - predictions) ** 2)) / spread if spread else 0.0
    return {
        "rows": len(data.labels),
        "labelled": len(data.labelled),
        "unlabelled": len(data.labels) - len(data.labelled),
        "classes": 0,
        "label_health": round(1.0 - flagged / max(1, len(data.labelled)), 6),
        "label_issues": flagged,
        "label_issue_share": round(flagged / max(1, len(data.labelled)), 6),
        "model_accuracy": None,
        "model_mae": round(float(np.mean(np.abs(targets - predictions))), 6),
        "model_r2": round(r2, 6),
        "median_residual": round(float(np.median(np.abs(targets - predictions))), 6),
        "min_class_count": None,
        "counts": issue_counts(issues, regression_kinds()),
    }


def _notes(
    data: Prepared, options: dict[str, Any], limits: tuple[float, float], scale: str
) -> list[str]:
    """How the scan went: how misses are measured and where values are flagged from (both
    fitted to this data), rows left out."""
    usual = SCALE_WORDS[scale]
    notes = [
        _limit_note(limits, usual),
        f"misses are measured against {usual} (it found wrong values planted in this data best)",
    ]
    unlabelled = len(data.labels) - len(data.labelled)
    if unlabelled:
        notes.append(f"{count(unlabelled, 'row')} without a value: not scored")
    if options.get("text_model") and not data.features.text_columns:
        notes.append("--text-model was not used: the data has no text column")
    if data.settled:
        notes.append(
            f"not flagged again: {count(len(data.settled), 'row')} rejected in "
            "databugs-decisions.csv"
        )
    return notes


def _limit_note(limits: tuple[float, float], usual: str) -> str:
    """Where values are flagged from: one limit, or one for values above their prediction and
    one for those below (``inf``: none flagged on that side)."""
    above, below = limits
    if not np.isfinite(min(limits)):
        return "no value is far enough from its prediction, for this data's errors, to flag"
    if above == below:
        return (
            f"values are flagged from {above:.1f} times {usual} (fitted to how this data's "
            "errors fall off)"
        )
    (side, limit), (other, other_limit) = sorted(
        (("above", above), ("below", below)), key=lambda pair: not np.isfinite(pair[1])
    )
    rest = f"none {other} it"
    if np.isfinite(other_limit):
        rest = f"those {other} from {other_limit:.1f} times"
    return (
        f"values {side} their prediction are flagged from {limit:.1f} times {usual}, {rest} "
        "(fitted to how this data's errors fall off on each side)"
    )


def _plot_points(
    data: Prepared, fit: RegressionFit, rows: pd.DataFrame, seed: int
) -> dict[str, Any]:
    """report.json's ``regression``: the fit's figures and the given-vs-predicted points (a
    seeded sample of at most ``PLOT_POINTS``, every flagged row among them)."""
    flagged = rows["is_label_issue"].to_numpy()[data.labelled]
    order = np.random.default_rng(seed).permutation(len(data.labelled))
    chosen = np.concatenate([np.flatnonzero(flagged), order[~flagged[order]]])[:PLOT_POINTS]
    chosen.sort()
    return {
        "model": fit.model,
        "points": {
            "row": [int(data.labelled[p]) for p in chosen],
            "given": [float(data.targets[p]) for p in chosen],
            "predicted": [float(f"{fit.predictions[p]:.8g}") for p in chosen],  # any scale
            "flagged": [bool(flagged[p]) for p in chosen],
        },
    }


def _finite(limit: float) -> float | None:
    """The flag limit for report.json: None when nothing is flagged (JSON has no infinity)."""
    return round(limit, 3) if np.isfinite(limit) else None
