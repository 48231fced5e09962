"""``report.json``: the whole report, machine-readable and byte-identical for the same input."""

from __future__ import annotations

import json
from typing import Any

from databugs.gate import gate_section
from databugs.report_view import ReportView as Report


def _plain(value: Any) -> Any:
    """numpy scalars and NaN become JSON values."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=_plain) + "\n"


def render_summary(report: Report, outputs: dict[str, str]) -> str:
    """What ``--format json`` prints on stdout: the summary and where the files are."""
    payload = {
        "summary": report.summary,
        "gate": gate_section(report.gate),
        "comparison": report.comparison,
        "notes": report.notes,
        "outputs": outputs,
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, default=_plain) + "\n"
