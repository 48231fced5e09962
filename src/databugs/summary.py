"""Summary figures of a scan: the numbers the report leads with and a CI gate can name."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from databugs.detectors.base import Context, Issue
from databugs.detectors.registry import all_detectors


def _flagged_positions(context: Context, issues: list[Issue]) -> np.ndarray:
    """Boolean per labelled row: flagged as a label issue."""
    flagged_rows = {issue.row for issue in issues if issue.kind == "label_issue"}
    return np.isin(context.labelled, list(flagged_rows))


def issue_counts(issues: list[Issue]) -> dict[str, int]:
    """Issues per kind; a finding about several rows (a group) counts once."""
    findings = Counter()
    seen_groups: set[tuple[str, str]] = set()
    for issue in issues:
        if issue.group is not None:
            if (issue.kind, issue.group) in seen_groups:
                continue
            seen_groups.add((issue.kind, issue.group))
        findings[issue.kind] += 1
    return {kind: findings.get(kind, 0) for kind in all_detectors()}


FIGURES = (
    "rows",
    "labelled",
    "unlabelled",
    "classes",
    "label_health",
    "label_issues",
    "label_issue_share",
    "model_accuracy",
    "min_class_count",
)
"""The numbers of ``summary`` (besides ``counts``), which gate rules may name."""
ANNOTATOR_FIGURES = ("alpha", "fleiss_kappa", "annotator_agreement")
"""Figures a scan of data with several annotators adds (Krippendorff's alpha, ...)."""


def summarise(context: Context, issues: list[Issue]) -> dict[str, Any]:
    """Overall figures. ``label_health`` is the share of labelled rows not flagged."""
    labelled = len(context.labelled)
    flagged = int(_flagged_positions(context, issues).sum())
    counts = issue_counts(issues)
    predicted = context.probabilities.argmax(axis=1)
    return {
        "rows": len(context.labels),
        "labelled": labelled,
        "unlabelled": len(context.labels) - labelled,
        "classes": len(context.classes),
        "label_health": round(1 - flagged / labelled, 6),
        "label_issues": flagged,
        "label_issue_share": round(flagged / labelled, 6),
        "model_accuracy": round(float(np.mean(predicted == context.targets)), 6),
        "min_class_count": int(context.class_counts().min()),
        **_annotator_figures(context),
        "counts": counts,
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


def class_table(context: Context, issues: list[Issue]) -> list[dict[str, Any]]:
    """Per class: size, share, label health and the out-of-fold model's recall."""
    flagged = _flagged_positions(context, issues)
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
                "label_health": round(1 - float(flagged[members].mean()), 6)
                if counts[index]
                else 1.0,
                "recall": round(float((predicted[members] == index).mean()), 6)
                if counts[index]
                else 0.0,
                "flagged": int(flagged[members].sum()),
            }
        )
    return table
