"""The result of a scan: the content of ``report.json`` plus the per-row table.

A :class:`Report` is plain data; the renderers turn it into JSON, Markdown, CSV and terminal
output, and :func:`Report.to_dict` is exactly what ``report.json`` holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from databugs.detectors.base import Issue, is_correction
from databugs.gate import gate_passed, gate_section

SCHEMA = "databugs.report/1"


@dataclass
class Report:
    """Everything a scan found.

    ``issues`` are ranked worst first; ``rows`` has one line per data row, in input order, with
    the columns of ``corrected_labels.csv``; ``previews`` a short view of each issue row's content.
    """

    input: dict[str, Any]
    options: dict[str, Any]
    summary: dict[str, Any]
    classes: list[dict[str, Any]]
    features: list[dict[str, Any]]
    notes: list[str]
    issues: list[Issue]
    rows: pd.DataFrame
    previews: dict[int, str] = field(default_factory=dict)
    keys: dict[int, str] = field(default_factory=dict)
    comparison: dict[str, Any] | None = None
    gate: list[dict[str, Any]] | None = None
    kinds: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    annotators: list[dict[str, Any]] | None = None
    agreement: dict[str, Any] | None = None
    cluster_of: dict[int, str] = field(default_factory=dict)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    quality_histogram: dict[str, list] = field(default_factory=dict)
    _records: list[dict[str, Any]] | None = field(default=None, repr=False, compare=False)

    def issue_records(self) -> list[dict[str, Any]]:
        """Issues as report.json lists them, with their rank and the row's id (made once: every
        renderer asks for them)."""
        if self._records is None:
            self._records = self._make_records()
        return self._records

    def _make_records(self) -> list[dict[str, Any]]:
        ids = self.rows["id"].to_numpy(dtype=object)
        quality = self.rows["label_quality"].to_numpy()
        lines = self.rows["row"].to_numpy()  # the row's position in the file
        records = []
        for rank, issue in enumerate(self.issues, start=1):
            record = {
                "rank": rank,
                "kind": issue.kind,
                "row": None if issue.row is None else int(lines[issue.row]),
                "id": None if issue.row is None else ids[issue.row],
                "given_label": issue.given_label,
                "suggested_label": issue.suggested_label,
                "score": round(issue.severity, 6),
                "group": issue.group,
                "cluster": self.cluster_of.get(issue.row) if is_correction(issue) else None,
                "key": self.keys.get(issue.row),
                "label_quality": None if issue.row is None else _number(quality[issue.row]),
                "detail": issue.message,
                "content": self.previews.get(issue.row),
                "evidence": issue.details,
            }
            records.append(record)
        return records

    def to_dict(self) -> dict[str, Any]:
        """The content of ``report.json`` (timings are kept out so that it is reproducible)."""
        content = {
            "schema": SCHEMA,
            "input": self.input,
            "options": self.options,
            "summary": self.summary,
            "classes": self.classes,
            "features": self.features,
            "notes": self.notes,
            "kinds": self.kinds,
            "clusters": self.clusters,
            "label_quality_histogram": self.quality_histogram,
        }
        if self.annotators is not None:
            content["annotators"] = self.annotators
            content["agreement"] = self.agreement
        if self.gate is not None:
            content["gate"] = gate_section(self.gate)
        if self.comparison is not None:
            content["comparison"] = self.comparison
        return {**content, "issues": self.issue_records()}

    def gate_passed(self) -> bool:
        """True unless a ``--fail-on`` rule failed."""
        return gate_passed(self.gate)


def _number(value: float) -> float | None:
    """A float for JSON; None for NaN (unlabelled rows have no quality)."""
    return None if value != value else float(value)
