"""A split scan's summary per split: each split's rows, label issues and label health, so that
the test split's labels are judged on their own."""

from __future__ import annotations

from typing import Any

import numpy as np

from databugs.detectors.base import Context, Issue
from databugs.pipeline.summary import flagged_labels


def split_summary(
    context: Context, issues: list[Issue], health: np.ndarray | None = None
) -> dict[str, Any]:
    """``{"splits": {split: figures}}`` for a scan with splits, else nothing. A split's label
    health is the mean of ``health`` over its labelled rows (default: each row's chance that
    its label is right, ``Context.label_health_scores``)."""
    if context.splits is None:
        return {}
    flagged = flagged_labels(context, issues)
    labelled_split = context.splits.names[context.labelled]
    figures = {}
    for name in context.splits.present():
        members = labelled_split == name
        quality = (context.label_health_scores if health is None else health)[members]
        figures[name] = {
            "rows": len(context.splits.rows_of(name)),
            "labelled": int(members.sum()),
            "label_issues": int(flagged[members].sum()),
            "label_health": round(float(np.mean(quality)), 6) if len(quality) else None,
        }
    return {"splits": figures}
