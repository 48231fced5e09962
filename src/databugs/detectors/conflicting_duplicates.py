"""Rows with identical content (text compared after folding case and space) but different labels.

Each group is one finding listing all its rows, with the group's majority label as suggestion for
other labels (in a table without text, only where the scan's posterior agrees: ``TABLE_GAIN``).
In a table without text, equal rows are copies only where chance does not explain them
(:func:`content.by_chance`); ``indistinct_rows`` reports the others once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.content import (
    by_chance,
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
        return group_issues(
            self.name,
            context,
            equal_rows_with_two_labels(context).copies,
            severity=SEVERITY,
            what="copies",
            clear_by=None if context.features.text_columns else TABLE_GAIN,
        )


@dataclass(frozen=True)
class EqualRows:
    """Groups of equal labelled rows with more than one label: ``copies``, and those whose
    size the columns' value frequencies explain (``by_chance``, :func:`content.by_chance`)."""

    copies: list[np.ndarray]
    by_chance: list[np.ndarray]


def equal_rows_with_two_labels(context: Context) -> EqualRows:
    """The scan's groups of equal rows with more than one label, made once (blank rows are
    left out: ``outlier`` reports them)."""

    def compute() -> EqualRows:
        rows = context.labelled[~empty_rows(context)[context.labelled]]
        groups = conflicting_groups(context, groups_of_equal(content_hashes(context), rows))
        chance = by_chance(context, groups)
        return EqualRows(
            [g for g, c in zip(groups, chance, strict=True) if not c],
            [g for g, c in zip(groups, chance, strict=True) if c],
        )

    return context.computed_once("equal_rows_with_two_labels", compute)
