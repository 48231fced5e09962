"""A report read back from ``report.json``, with the attributes the renderers use.

Light on purpose (no models, no pandas), so that re-rendering a report, or re-checking a gate on
unchanged data, starts fast.
"""

from __future__ import annotations

from typing import Any

from databugs.gate import gate_passed

ROW_COLUMNS = ["row", "id", "given_label", "suggested_label", "label_quality", "is_label_issue"]
CONSENSUS_COLUMNS = ["consensus_label", "consensus_quality", "annotations", "annotator_agreement"]
"""Columns ``corrected_labels.csv`` gains when the data has several annotators."""
"""The columns of ``corrected_labels.csv``."""


class ReportView:
    """The renderers' view of a report: a ``Report`` or the content of a ``report.json``."""

    def __init__(self, content: dict[str, Any]) -> None:
        self.content = content
        self.input = content["input"]
        self.options = content["options"]
        self.summary = content["summary"]
        self.classes = content["classes"]
        self.features = content["features"]
        self.notes = content["notes"]
        self.kinds = content["kinds"]
        self.comparison = content.get("comparison")
        self.gate = content["gate"]["rules"] if content.get("gate") else None
        self.annotators = content.get("annotators")
        self.agreement = content.get("agreement")
        self.clusters = content.get("clusters", [])
        self.quality_histogram = content.get("label_quality_histogram", {})

    def issue_records(self) -> list[dict[str, Any]]:
        return self.content["issues"]

    def gate_passed(self) -> bool:
        return gate_passed(self.gate)

    def to_dict(self) -> dict[str, Any]:
        return self.content


def worst_label_issues(report: ReportView, count: int) -> list[dict[str, Any]]:
    """The ``count`` worst-ranked label issues of a report (or a ``Report``)."""
    return [r for r in report.issue_records() if r["kind"] == "label_issue"][:count]
