"""Merge the detectors' issues into one ranking, worst first, the same way every run."""

from __future__ import annotations

from collections.abc import Iterable

from databugs.detectors.base import Issue


def rank_issues(issues: Iterable[Issue]) -> list[Issue]:
    """Order by severity (worst first), then kind, group and row, so ties break reproducibly.

    >>> a = Issue("label_issue", 4, 0.5, "")
    >>> b = Issue("label_issue", 2, 0.9, "")
    >>> [issue.row for issue in rank_issues([a, b])]
    [2, 4]
    """
    return sorted(
        issues,
        key=lambda issue: (
            -round(issue.severity, 9),
            issue.kind,
            issue.group or "",
            -1 if issue.row is None else issue.row,
        ),
    )
