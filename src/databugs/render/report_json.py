"""``report.json``: the whole report, machine-readable and byte-identical for the same input."""

from __future__ import annotations

import json
from typing import Any

from databugs.gate.rules import gate_section
from databugs.report.report import Report


def _plain(value: Any) -> Any:
    """numpy scalars and NaN become JSON values."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


COMPACT_PARTS = ("neighbours", "map")
"""Parts written on one line each: lists of thousands of numbers, unreadable one a line."""


def render(report: Report) -> str:
    """Indented JSON, except that each issue is one compact line (and the map and neighbours
    one line each): Python's fast encoder only works without indentation, and 74,000 issues
    took 12 s indented."""
    content = report.to_dict()
    issues = content.pop("issues")
    compact = {name: content.pop(name) for name in COMPACT_PARTS if name in content}
    head = json.dumps(content, indent=2, ensure_ascii=False, default=_plain)
    parts = [
        f"{json.dumps(name)}: {json.dumps(value, ensure_ascii=False, default=_plain)}"
        for name, value in compact.items()
    ]
    lines = [json.dumps(issue, ensure_ascii=False, default=_plain) for issue in issues]
    body = ",\n    ".join(lines)
    parts.append(f'"issues": [\n    {body}\n  ]' if lines else '"issues": []')
    return head[:-2] + "".join(f",\n  {part}" for part in parts) + "\n}\n"


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
