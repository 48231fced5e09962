"""One tag written several ways (multi-label data): case, spaces, Unicode forms, punctuation.

The spellings of one tag are found as :mod:`label_spelling` finds those of a class, over every
tag of every cell, and merged into the most frequent spelling before any model is trained.
Each row that writes a tag another way is reported with its cell in the kept spellings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from databugs.data.tags import respelled
from databugs.data.task import MULTILABEL
from databugs.detectors.base import Context, Issue
from databugs.detectors.label_spelling import SEVERITY, LabelSpelling
from databugs.detectors.registry import register


@register
class TagSpelling(LabelSpelling):
    name = "tag_spelling"
    description = "tags written several ways (case, spaces, punctuation), merged before training"
    tasks = (MULTILABEL,)
    renames_classes = False  # spellings are merged before training: no tag is renamed

    def merge_labels(self, labels: Sequence[str | None]) -> dict[str, str]:
        """Classes are not tags: nothing to merge in a classification scan."""
        return {}

    def merge_tags(self, tags: Sequence[str]) -> dict[str, str]:
        """Tag spelling -> the kept spelling (the most frequent of its spelling key)."""
        return LabelSpelling.merge_labels(self, tags)

    def detect(self, context: Context) -> list[Issue]:
        sets = context.tags.sets
        written = Counter(tag for row in sets.written for tag in row)
        issues = []
        for position in range(len(sets.labelled)):
            variants = sorted({t for t in sets.written[position] if t in sets.merges})
            if not variants:
                continue
            row = int(sets.labelled[position])
            kept = {variant: sets.merges[variant] for variant in variants}
            message = "; ".join(
                f"{v!r} is a spelling of {k!r} ({written[k]} tags are written so)"
                for v, k in kept.items()
            )
            issues.append(
                Issue(
                    kind=self.name,
                    row=row,
                    severity=SEVERITY,
                    message=message,
                    given_label=context.labels[row],
                    suggested_label=respelled(sets, position),
                    group=f"tag_spelling:{next(iter(kept.values()))}",
                    details={"variants": kept},
                )
            )
        return issues
