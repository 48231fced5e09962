"""Likely misannotated rows: those whose given label is probably wrong, and the right one.

Rows are ranked by label quality, the calibrated posterior probability that the given label is
right (:mod:`databugs.models.calibration`). A row is flagged when another class is more likely
than the given one by at least ``min_gain`` (0.8): the flag is then right at least nine times in
ten by the scan's own estimate, and accepting it is a clear expected gain. Measured on the 59
sets of ../shared/datasets with three kinds of noise (docs/benchmarks.md), lower thresholds
flag more errors but erode small classes on more datasets; higher ones flag few. The full
ranking stays in ``label_quality`` for those who want to dig deeper.
"""

from __future__ import annotations

import numpy as np

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register
from databugs.models.scoring import severity

TOP_CLASSES = 3
MIN_GAIN = 0.8


@register
class LabelIssues(Detector):
    name = "label_issue"
    needs = ("model",)
    description = (
        "rows whose given label is probably wrong (another class at least 80 points likelier), "
        "with the likeliest class as suggestion"
    )
    flags_labels = True
    figure_names = ("label_health", "label_issues", "label_issue_share")

    def __init__(self, *, min_gain: float = MIN_GAIN) -> None:
        self.min_gain = min_gain

    def detect(self, context: Context) -> list[Issue]:
        positions = np.flatnonzero(self.flags(context))
        posterior = context.posterior[positions]
        top = np.argsort(-posterior, axis=1, kind="stable")[:, :TOP_CLASSES]
        return [
            self._issue(context, int(position), shown.tolist(), int(given), order)
            for position, shown, given, order in zip(
                positions,
                np.round(posterior, 6),
                context.targets[positions],
                top.tolist(),
                strict=True,
            )
        ]

    @classmethod
    def figures(cls, context: Context, issues: list[Issue]) -> dict[str, float]:
        """Label health: the estimated share of correct labels (the mean probability that a
        row's label is right); the flagged rows, as a count and a share."""
        labelled = len(context.labelled)
        flagged = len({issue.row for issue in issues})
        return {
            "label_health": round(float(np.mean(context.label_health_scores)), 6),
            "label_issues": flagged,
            "label_issue_share": round(flagged / labelled, 6),
        }

    def flags(self, context: Context) -> np.ndarray:
        """Boolean per labelled row: flagged as a label issue."""
        targets, posterior = context.targets, context.posterior
        rows = np.arange(len(targets))
        suggested = posterior.argmax(axis=1)
        gain = posterior[rows, suggested] - posterior[rows, targets]
        learnable = context.class_counts()[targets] >= context.folds
        return (suggested != targets) & (gain >= self.min_gain) & learnable

    def _issue(
        self, context: Context, position: int, shown: list[float], given: int, top: list[int]
    ) -> Issue:
        classes = context.classes
        suggested = top[0]
        return Issue(
            kind=self.name,
            row=int(context.labelled[position]),
            severity=severity(context.label_quality[position]),
            given_label=context.labels[context.labelled[position]],
            suggested_label=classes[suggested],
            message=(
                f"{classes[suggested]!r} is {shown[suggested]:.0%} likely, the given label "
                f"{shown[given]:.0%}"
            ),
            details={  # rounded as report.json shows them
                "given_probability": shown[given],
                "suggested_probability": shown[suggested],
                "top_classes": [{"label": classes[c], "probability": shown[c]} for c in top],
            },
        )
