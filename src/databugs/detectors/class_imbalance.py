"""Classes far below their fair share of rows, with what it costs: the model's recall on them."""

from __future__ import annotations

import numpy as np

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register
from databugs.text import count

FAIR_SHARE_FLOOR = 0.25


@register
class ClassImbalance(Detector):
    name = "class_imbalance"
    description = (
        "classes with less than a quarter of their fair share (rows / classes), beside the "
        "out-of-fold model's recall on them"
    )

    def __init__(self, *, fair_share_floor: float = FAIR_SHARE_FLOOR) -> None:
        self.fair_share_floor = fair_share_floor

    def detect(self, context: Context) -> list[Issue]:
        counts = context.class_counts()
        fair = counts.sum() / len(counts)
        ratio = float(counts.max() / max(counts.min(), 1))
        predicted = context.probabilities.argmax(axis=1)
        issues = []
        # A class with no labelled row at all (one only annotators used) is not "imbalanced".
        for index in np.flatnonzero((counts > 0) & (counts < self.fair_share_floor * fair)):
            members = context.targets == index
            recall = float((predicted[members] == index).mean())
            name = context.classes[index]
            issues.append(
                Issue(
                    kind=self.name,
                    row=None,
                    severity=float(1 - counts[index] / fair),
                    given_label=name,
                    classes=(name,),
                    message=(
                        f"{name!r} has {count(int(counts[index]), 'row')}, "
                        f"{counts[index] / fair:.0%} of its fair share; the model finds "
                        f"{recall:.0%} of them"
                    ),
                    details={
                        "count": int(counts[index]),
                        "share": round(float(counts[index] / counts.sum()), 6),
                        "fair_share": round(float(1 / len(counts)), 6),
                        "recall": round(recall, 6),
                        "imbalance_ratio": round(ratio, 6),
                    },
                )
            )
        return issues
