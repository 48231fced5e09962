"""Rows with identical content but different tag sets (multi-label data).

The copies are found as :mod:`conflicting_duplicates` finds them (blank rows left out, and in
a table without text the equal rows chance explains: ``indistinct_rows``); the group's most frequent
tag set (ties: the one the model finds likeliest over the group) is the suggestion for the
others, written in each row's own form.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from databugs.data.tags import written_correction
from databugs.data.task import MULTILABEL
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.conflicting_duplicates import SEVERITY, equal_rows_with_two_labels
from databugs.detectors.content import describe_group, labelled_position
from databugs.detectors.registry import register


@register
class ConflictingTagDuplicates(Detector):
    name = "conflicting_tag_duplicates"
    description = "identical rows with different tag sets; the majority tag set is suggested"
    tasks = (MULTILABEL,)

    def detect(self, context: Context) -> list[Issue]:
        issues = []
        for group in equal_rows_with_two_labels(context).copies:
            majority = _majority_set(context, group)
            message, details = describe_group(context, group, "copies")
            for row in group:
                position = int(labelled_position(context)[row])
                differs = context.canonical[row] != majority
                wanted = majority.split("\n") if majority else []
                suggestion = written_correction(context.tags.sets, position, wanted)
                issues.append(
                    Issue(
                        kind=self.name,
                        row=int(row),
                        severity=SEVERITY if differs else SEVERITY / 2,
                        message=message,
                        given_label=context.labels[row],
                        suggested_label=suggestion if differs else context.labels[row],
                        group=f"{self.name}:{int(group[0])}",
                        details={**details, "majority": wanted},
                    )
                )
        return issues


def _majority_set(context: Context, group: np.ndarray) -> str:
    """The group's most frequent tag set (a canonical key); ties to the likeliest one."""
    votes = Counter(context.canonical[row] for row in group)
    sets = context.tags.sets
    probabilities = context.tags.oof.probabilities[labelled_position(context)[group]]
    logs = np.log(np.clip(probabilities, 1e-6, 1)).sum(axis=0)
    absent = np.log(np.clip(1 - probabilities, 1e-6, 1)).sum(axis=0)

    def support(key: str) -> float:
        on = np.isin(sets.tags, key.split("\n") if key else [])
        return float(np.where(on, logs, absent).sum())

    return max(sorted(votes), key=lambda key: (votes[key], support(key)))
