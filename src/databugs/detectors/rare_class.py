"""Classes with too few rows to learn or to cross-validate; their rows are listed.

The floor is ten rows, or the number of folds if larger: below ten, each fold's model learns a
class from eight examples or fewer and its out-of-fold recall on that class is mostly noise.
"""

from __future__ import annotations

import numpy as np

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register
from databugs.text import count

MIN_ROWS = 10
SEVERITY = 0.6


@register
class RareClass(Detector):
    name = "rare_class"
    description = "classes with fewer than 10 rows (or fewer than the folds): too few to learn"

    def __init__(self, *, min_rows: int = MIN_ROWS) -> None:
        self.min_rows = min_rows

    def detect(self, context: Context) -> list[Issue]:
        counts = context.class_counts()
        floor = max(self.min_rows, context.folds)
        issues = []
        for index in np.flatnonzero(counts < floor):
            name = context.classes[index]
            for row in context.labelled[context.targets == index]:
                issues.append(
                    Issue(
                        kind=self.name,
                        row=int(row),
                        severity=SEVERITY,
                        given_label=context.labels[row],
                        group=f"rare:{name}",
                        classes=(name,),
                        message=f"{name!r} has only {count(int(counts[index]), 'row')} "
                        f"(fewer than {floor})",
                        details={"class": name, "count": int(counts[index]), "floor": floor},
                    )
                )
        return issues
