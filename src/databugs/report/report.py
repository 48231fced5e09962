"""The result of a scan: one type, made by a scan or read back from ``report.json``.

A :class:`Report` is plain data; the renderers turn it into JSON, Markdown, HTML, CSV and
terminal output, and :meth:`Report.to_dict` is exactly what ``report.json`` holds. Read back
(:meth:`Report.from_dict`) it lacks what report.json does not keep: the per-row table
(``rows``), the detectors' ``Issue`` objects and the timings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from databugs.detectors.registry import label_flag_kinds
from databugs.gate.rules import gate_passed, gate_section
from databugs.report.schema import SCHEMA

if TYPE_CHECKING:
    import pandas as pd

    from databugs.detectors.base import Issue


@dataclass
class Report:
    """Everything a scan found.

    ``records`` are the issues as report.json lists them, ranked worst first; ``rows`` has one
    line per data row, in input order, with the columns of ``corrected_labels.csv``.
    """

    input: dict[str, Any]
    options: dict[str, Any]
    summary: dict[str, Any]
    classes: list[dict[str, Any]]
    features: list[dict[str, Any]]
    notes: list[str]
    kinds: dict[str, str]
    records: list[dict[str, Any]]
    models: list[dict[str, Any]] = field(default_factory=list)
    """The models the probabilities come from: name, weight, out-of-fold accuracy, log loss."""
    clusters: list[dict[str, Any]] = field(default_factory=list)
    quality_histogram: dict[str, list] = field(default_factory=dict)
    annotators: list[dict[str, Any]] | None = None
    agreement: dict[str, Any] | None = None
    gate: list[dict[str, Any]] | None = None
    comparison: dict[str, Any] | None = None
    rows: pd.DataFrame | None = field(default=None, repr=False)
    issues: list[Issue] = field(default_factory=list, repr=False)
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, content: dict[str, Any]) -> Report:
        """A report read back from the content of a ``report.json``."""
        return cls(
            input=content["input"],
            options=content["options"],
            summary=content["summary"],
            classes=content["classes"],
            features=content["features"],
            notes=content["notes"],
            kinds=content["kinds"],
            records=content["issues"],
            models=content.get("models", []),
            clusters=content.get("clusters", []),
            quality_histogram=content.get("label_quality_histogram", {}),
            annotators=content.get("annotators"),
            agreement=content.get("agreement"),
            gate=content["gate"]["rules"] if content.get("gate") else None,
            comparison=content.get("comparison"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The content of ``report.json`` (timings are kept out so that it is reproducible)."""
        content = {
            "schema": SCHEMA,
            "input": self.input,
            "options": self.options,
            "summary": self.summary,
            "classes": self.classes,
            "features": self.features,
            "models": self.models,
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
        return {**content, "issues": self.records}

    def issue_records(self) -> list[dict[str, Any]]:
        """The issues as report.json lists them, worst first."""
        return self.records

    def worst_labels(self, count: int) -> list[dict[str, Any]]:
        """The ``count`` worst-ranked likely misannotations (see ``Detector.flags_labels``)."""
        kinds = label_flag_kinds()
        return [record for record in self.records if record["kind"] in kinds][:count]

    def model_mix(self, *, accuracy: bool = True) -> str:
        """The models as a phrase: "extra-trees 71% (out-of-fold accuracy 93.2%), ..." (weights,
        largest first); the model option when the report does not list them."""
        if not self.models:
            return str(self.options["model"])
        shown = [m for m in self.models if m["weight"] >= 0.005] or self.models
        return ", ".join(
            f"{m['name']} {m['weight']:.0%}"
            + (f" (out-of-fold accuracy {m['accuracy']:.1%})" if accuracy else "")
            for m in sorted(shown, key=lambda m: -m["weight"])
        )

    def gate_passed(self) -> bool:
        """True unless a ``--fail-on`` rule failed."""
        return gate_passed(self.gate)
