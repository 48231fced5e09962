"""Class pairs that the labels and the out-of-fold model confuse most.

Uses cleanlab's overlapping-classes estimate (from the confident joint). A large overlap is
the usual sign of an unclear annotation guideline; the finding gives example rows of each
direction so that a person can write the missing sentence.
"""

from __future__ import annotations

import numpy as np

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register

MIN_ROWS = 5
MIN_SHARE = 0.02
MERGE_SHARE = 0.25
EXAMPLES = 3
MAX_PAIRS = 10


@register
class ConfusableClasses(Detector):
    name = "confusable_classes"
    needs = ("model",)
    description = (
        "class pairs the labels and the model confuse most (at least 5 rows and 2% of the "
        "smaller class): a guideline to clarify, or classes to merge"
    )

    def __init__(self, *, min_rows: int = MIN_ROWS, min_share: float = MIN_SHARE) -> None:
        self.min_rows = min_rows
        self.min_share = min_share

    def detect(self, context: Context) -> list[Issue]:
        if len(context.classes) < 2:
            return []
        from cleanlab.dataset import find_overlapping_classes  # loaded when a scan detects

        overlap = find_overlapping_classes(
            labels=context.targets, pred_probs=context.probabilities, multi_label=False
        )
        counts = context.class_counts()
        issues = []
        for pair in overlap.head(MAX_PAIRS).itertuples(index=False):
            a, b, rows = int(pair[0]), int(pair[1]), int(pair[2])
            if min(counts[a], counts[b]) < context.folds:
                continue  # a class too rare to cross-validate: rare_class says so instead
            # The swap is estimated over the true classes: it may exceed the rows still
            # labelled with the smaller one (most of a class relabelled as the other), so
            # the share and the rows told of are capped at that class.
            smaller = int(min(counts[a], counts[b]))
            share = min(1.0, rows / smaller)
            if rows < self.min_rows or share < self.min_share:
                continue
            issues.append(self._issue(context, a, b, min(rows, smaller), share))
        return issues

    def _issue(self, context: Context, a: int, b: int, rows: int, share: float) -> Issue:
        names = context.classes[a], context.classes[b]
        advice = "consider merging them or" if share >= MERGE_SHARE else ""
        return Issue(
            kind=self.name,
            row=None,
            severity=float(min(1.0, share)),
            given_label=names[0],
            suggested_label=names[1],
            group=f"confusable:{names[0]}|{names[1]}",
            classes=names,
            message=(
                f"{names[0]!r} and {names[1]!r} overlap on about {rows} rows "
                f"({share:.0%} of the smaller class): {advice} clarify the guideline".replace(
                    ":  clarify", ": clarify"
                )
            ),
            details={
                "rows": rows,
                "share_of_smaller_class": round(share, 6),
                f"labelled {names[0]}, looks like {names[1]}": _examples(context, a, b),
                f"labelled {names[1]}, looks like {names[0]}": _examples(context, b, a),
            },
        )


def _examples(context: Context, given: int, looks_like: int) -> list[int]:
    """Rows labelled ``given`` that the model gives most to ``looks_like``."""
    members = np.flatnonzero(context.targets == given)
    order = np.argsort(-context.probabilities[members, looks_like], kind="stable")[:EXAMPLES]
    return [int(context.labelled[members[i]]) for i in order]
