"""Rows with identical content (text compared after folding case and space) but different labels.

Each group is one finding listing all its rows, with the group's majority label as suggestion.
"""

from __future__ import annotations

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.content import (
    conflicting_groups,
    content_hashes,
    group_issues,
    groups_of_equal,
)
from databugs.detectors.registry import register

SEVERITY = 0.85


@register
class ConflictingDuplicates(Detector):
    name = "conflicting_duplicates"
    description = "identical rows with different labels; the majority label is suggested"

    def detect(self, context: Context) -> list[Issue]:
        hashes = content_hashes(context)
        groups = conflicting_groups(context, groups_of_equal(hashes, context.labelled))
        return group_issues(self.name, context, groups, severity=SEVERITY, what="copies")
