"""Summary figures of a scan: the numbers the report leads with and a CI gate can name.

The scan's own figures are here; each detector adds its own (``Detector.figures``), label
health among them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from databugs.detectors.base import Context, Issue
from databugs.detectors.registry import all_detectors, label_flag_kinds

FIGURES = ("rows", "labelled", "unlabelled", "classes", "model_accuracy", "min_class_count")
"""The scan's own numbers in ``summary``, which gate rules may name."""
ANNOTATOR_FIGURES = ("alpha", "fleiss_kappa", "annotator_agreement")
"""Figures a scan of data with several annotators adds (Krippendorff's alpha, ...)."""


def figure_names(*, annotated: bool) -> tuple[str, ...]:
    """Every figure a scan's summary will hold, known before the scan (to check gate rules)."""
    detectors = tuple(name for d in all_detectors().values() for name in d.figure_names)
    return FIGURES + detectors + (ANNOTATOR_FIGURES if annotated else ())


def issue_counts(issues: list[Issue], kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Issues per kind (of ``kinds``, default every detector's); a finding about several rows
    (a group) counts once."""
    findings = Counter()
    seen_groups: set[tuple[str, str]] = set()
    for issue in issues:
        if issue.group is not None:
            if (issue.kind, issue.group) in seen_groups:
                continue
            seen_groups.add((issue.kind, issue.group))
        findings[issue.kind] += 1
    return {kind: findings.get(kind, 0) for kind in (all_detectors() if kinds is None else kinds)}


def summarise(context: Context, issues: list[Issue]) -> dict[str, Any]:
    """Overall figures, then each detector's, then the counts per kind."""
    labelled = len(context.labelled)
    predicted = context.probabilities.argmax(axis=1)
    own = {
        "rows": len(context.labels),
        "labelled": labelled,
        "unlabelled": len(context.labels) - labelled,
        "classes": len(context.classes),
    }
    figures: dict[str, Any] = {}
    for detector in all_detectors().values():
        figures |= detector.figures(context, [i for i in issues if i.kind == detector.name])
    return {
        **own,
        **figures,
        "model_accuracy": round(float(np.mean(predicted == context.targets)), 6),
        "min_class_count": int(context.class_counts().min()),
        **_annotator_figures(context),
        "counts": issue_counts(issues),
    }


def _annotator_figures(context: Context) -> dict[str, float]:
    if context.annotators is None:
        return {}
    agreement = context.annotators.agreement
    return {
        "alpha": agreement["krippendorff_alpha"],
        "fleiss_kappa": agreement["fleiss_kappa"],
        "annotator_agreement": agreement["percent"],
    }


def flagged_labels(context: Context, issues: Sequence[Issue]) -> np.ndarray:
    """Boolean per labelled row: flagged as a likely misannotation."""
    kinds = label_flag_kinds()
    rows = {issue.row for issue in issues if issue.kind in kinds}
    return np.isin(context.labelled, list(rows))


def class_table(context: Context, issues: list[Issue]) -> list[dict[str, Any]]:
    """Per class: size, share, label health and the out-of-fold model's recall."""
    flagged = flagged_labels(context, issues)
    predicted = context.probabilities.argmax(axis=1)
    counts = context.class_counts()
    table = []
    for index, name in enumerate(context.classes):
        members = context.targets == index
        table.append(
            {
                "label": name,
                "count": int(counts[index]),
                "share": round(float(counts[index] / len(context.targets)), 6),
                "label_health": round(float(context.label_health_scores[members].mean()), 6)
                if counts[index]
                else 1.0,
                "recall": round(float((predicted[members] == index).mean()), 6)
                if counts[index]
                else 0.0,
                "flagged": int(flagged[members].sum()),
            }
        )
    return table
