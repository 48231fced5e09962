"""The baseline: compare two scans, which issues are new, which were fixed, which are open.

Issues are matched by kind and row key: the ``--id`` value where the scan had one, else a hash
of the row's content, so that inserting or deleting rows does not shift everything. A finding
about the dataset (no row) is matched by its group.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from databugs.text import one_line, visible

SHOWN = 20


def _identity(issue: dict[str, Any]) -> tuple[str, str]:
    return issue["kind"], str(issue.get("key") or issue.get("group") or issue.get("given_label"))


def compare_reports(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """New, fixed and open issues per kind, examples of each, and the figures that moved."""
    old_ids = {_identity(issue): issue for issue in old["issues"]}
    new_ids = {_identity(issue): issue for issue in new["issues"]}
    added = [issue for key, issue in new_ids.items() if key not in old_ids]
    fixed = [issue for key, issue in old_ids.items() if key not in new_ids]
    still = [issue for key, issue in new_ids.items() if key in old_ids]
    kinds = list(new["summary"]["counts"])
    figures = {}
    for name, value in new["summary"].items():
        before = old["summary"].get(name)
        if isinstance(value, int | float) and isinstance(before, int | float) and before != value:
            figures[name] = {"old": before, "new": value}
    return {
        "baseline": {"path": old["input"]["path"], "sha256": old["input"]["sha256"]},
        "new": _per_kind(added, kinds),
        "fixed": _per_kind(fixed, kinds),
        "open": _per_kind(still, kinds),
        "figures": figures,
        "warnings": _unrelated(old, new),
        "new_issues": [_brief(issue) for issue in added[:SHOWN]],
        "fixed_issues": [_brief(issue) for issue in fixed[:SHOWN]],
    }


SIZE_RATIO = 10
"""Scans whose row counts differ by this factor or more are hardly of the same dataset."""


def _unrelated(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why the two scans may not be of the same dataset (a comparison would mean nothing)."""
    warnings = []
    old_columns = {f["column"] for f in old["features"]}
    new_columns = {f["column"] for f in new["features"]}
    if old["input"]["label"] != new["input"]["label"]:
        warnings.append(
            f"the label columns differ ({old['input']['label']!r}, {new['input']['label']!r})"
        )
    if not old_columns & new_columns:
        warnings.append("the two scans share no column besides the label")
    rows = sorted((old["input"]["rows"], new["input"]["rows"]))
    if rows[0] * SIZE_RATIO <= rows[1]:
        warnings.append(f"the row counts differ {rows[1] / max(rows[0], 1):.0f}-fold")
    return warnings


def _per_kind(issues: list[dict[str, Any]], kinds: list[str]) -> dict[str, int]:
    counts = Counter(issue["kind"] for issue in issues)
    return {kind: counts.get(kind, 0) for kind in kinds}


def _brief(issue: dict[str, Any]) -> dict[str, Any]:
    fields = ("kind", "row", "id", "given_label", "suggested_label", "detail")
    return {name: issue.get(name) for name in fields}


def render_comparison(comparison: dict[str, Any]) -> str:
    """Plain text for the terminal and CI logs."""
    lines = [f"compared with {visible(comparison['baseline']['path'])}"]
    lines += [
        f"  warning: {one_line(warning)}; are they scans of the same dataset?"
        for warning in comparison.get("warnings", [])
    ]
    for label in ("new", "fixed", "open"):
        counts = {k: v for k, v in comparison[label].items() if v}
        shown = ", ".join(f"{kind} {count}" for kind, count in counts.items()) or "none"
        lines.append(f"  {label}: {shown}")
    for name, change in comparison["figures"].items():
        lines.append(f"  {one_line(name)}: {change['old']} -> {change['new']}")
    for issue in comparison["new_issues"][:5]:
        where = "" if issue["row"] is None else f" row {issue['row']}"
        lines.append(f"  + {issue['kind']}{where}: {one_line(issue['detail'])}")
    return "\n".join(lines) + "\n"
