"""Tags too rare to learn or check, and tags out of balance (multi-label data).

A tag on fewer rows than there are folds leaves folds whose model never saw it: its rows are
scored as if it could not occur. A tag on nearly every row, or on almost none, says more about
how the data was collected than about the rows: each is one dataset-level finding.
"""

from __future__ import annotations

from databugs.data.task import MULTILABEL
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register
from databugs.text import count


@register
class RareTags(Detector):
    name = "rare_tag"
    description = "tags on fewer rows than the folds: too rare for the model to check"
    tasks = (MULTILABEL,)

    def detect(self, context: Context) -> list[Issue]:
        counts = context.tags.sets.counts()
        return [
            Issue(
                kind=self.name,
                row=None,
                severity=0.5,
                message=f"tag {tag!r} is on {count(int(carrying), 'row')}, fewer than the "
                f"{context.folds} folds: its rows are scored by models that never saw it",
                details={"tag": tag, "rows": int(carrying)},
            )
            for tag, carrying in zip(context.tags.sets.tags, counts, strict=True)
            if carrying < context.folds
        ]


@register
class TagImbalance(Detector):
    name = "tag_imbalance"
    description = "tags on nearly every row or on very few: out of balance with the rest"
    tasks = (MULTILABEL,)

    def __init__(self, *, min_share: float = 0.01, max_share: float = 0.95) -> None:
        self.min_share = min_share
        self.max_share = max_share

    def detect(self, context: Context) -> list[Issue]:
        counts = context.tags.sets.counts()
        rows = max(len(context.tags.sets.labelled), 1)
        issues = []
        for tag, carrying in zip(context.tags.sets.tags, counts, strict=True):
            share = carrying / rows
            if context.folds <= carrying and share < self.min_share:
                what = f"is on only {share:.1%} of the labelled rows ({int(carrying)})"
            elif share > self.max_share:
                what = f"is on {share:.1%} of the labelled rows: it tells the rows hardly apart"
            else:
                continue
            issues.append(
                Issue(
                    kind=self.name,
                    row=None,
                    severity=0.3,
                    message=f"tag {tag!r} {what}",
                    details={"tag": tag, "rows": int(carrying), "share": round(float(share), 6)},
                )
            )
        return issues
