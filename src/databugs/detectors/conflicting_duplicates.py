"""Rows with identical content (text compared after folding case and space) but different labels.

Each group is one finding listing all its rows, with the group's majority label as suggestion for
other labels (in a table without text, only where the scan's posterior agrees: ``TABLE_GAIN``).
"""

from __future__ import annotations

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.content import (
    conflicting_groups,
    content_hashes,
    group_issues,
    groups_of_equal,
)
from databugs.detectors.empty_cells import empty_rows
from databugs.detectors.registry import register

SEVERITY = 0.85
TABLE_GAIN = 0.8
"""In a table without text, a copy is relabelled to its group's majority only where the
posterior of the majority beats its own label's by this much (the label_issue rule). Equal rows
of a few categorical columns are no evidence that their labels should agree: one column of the
letters sample put 1,994 of 2,000 rows into 14 groups and relabelled 1,753 of them (label
accuracy 0.92 -> 0.13); flare with 5% planted noise, 159 changes, 121 of them on right labels.
The same message written twice with two labels is an annotation conflict: there the majority
is suggested (the folds keep copies together, so the models never see the other copies)."""


@register
class ConflictingDuplicates(Detector):
    name = "conflicting_duplicates"
    needs = ("model",)
    description = (
        "identical rows with different labels; the majority label is suggested (in tables "
        "without text, where the models agree)"
    )

    def detect(self, context: Context) -> list[Issue]:
        hashes = content_hashes(context)
        rows = context.labelled[~empty_rows(context)[context.labelled]]  # blank rows: outliers
        groups = conflicting_groups(context, groups_of_equal(hashes, rows))
        return group_issues(
            self.name,
            context,
            groups,
            severity=SEVERITY,
            what="copies",
            clear_by=None if context.features.text_columns else TABLE_GAIN,
        )
