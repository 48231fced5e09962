"""The baseline: compare two scans, which findings are new, which were fixed, which are open.

A finding is what the summary counts: one issue, or the rows of a group (a set of duplicates,
say) together. Rows are named by their ``--id`` value where the scan had one, else by a hash of
their content, so that inserting or deleting rows does not shift everything; a group is the
same finding in both scans when the two share a row, and a finding about the dataset (no row)
is named by its group. Rows of identical content share a name, so they are matched by count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from databugs.text import one_line, visible

SHOWN = 20


@dataclass
class Finding:
    """One counted finding: its kind, the names it goes by and its issues (ranked first first)."""

    kind: str
    names: frozenset[str]
    issues: list[dict[str, Any]]


def _name(issue: dict[str, Any]) -> str:
    return str(issue.get("key") or issue.get("group") or issue.get("given_label"))


def findings(issues: list[dict[str, Any]]) -> list[Finding]:
    """The findings of a report's issues, in the report's order: a group's rows are one."""
    grouped: dict[tuple[str, str], Finding] = {}
    found: list[Finding] = []
    for issue in issues:
        group = issue.get("group") if issue.get("row") is not None else None
        group = None if group is None else str(group)  # a hand-edited report may hold a list
        finding = grouped.get((issue["kind"], group)) if group is not None else None
        if finding is None:
            finding = Finding(issue["kind"], frozenset(), [])
            found.append(finding)
            if group is not None:
                grouped[issue["kind"], group] = finding
        finding.names |= {_name(issue)}
        finding.issues.append(issue)
    return found


def matched(old: list[Finding], new: list[Finding]) -> tuple[set[int], set[int]]:
    """Positions of the old and the new findings that are the same finding in both scans: of
    one kind and sharing a name, each matched at most once, as many pairs as there can be (a
    greedy pass, then augmenting paths for the new findings left), so that comparing A with B
    and B with A agree."""
    by_name: dict[tuple[str, str], list[int]] = {}
    for position, finding in enumerate(old):
        for name in finding.names:
            by_name.setdefault((finding.kind, name), []).append(position)

    def partners(position: int) -> list[int]:
        finding = new[position]
        found = (by_name.get((finding.kind, name), []) for name in sorted(finding.names))
        return list(dict.fromkeys(candidate for listed in found for candidate in listed))

    old_of: dict[int, int] = {}  # new position -> old position
    new_of: dict[int, int] = {}
    for position in range(len(new)):
        free = next((c for c in partners(position) if c not in new_of), None)
        if free is not None:
            old_of[position], new_of[free] = free, position
    for position in range(len(new)):
        if position not in old_of:
            _augment(position, partners, old_of, new_of)
    return set(new_of), set(old_of)


def _augment(
    start: int,
    partners: Callable[[int], list[int]],
    old_of: dict[int, int],
    new_of: dict[int, int],
) -> None:
    """Match the new finding ``start`` along an alternating path, if there is one (breadth
    first: each old finding reached once)."""
    came_from: dict[int, int] = {}  # old position -> the new position it was reached from
    queue = [start]
    for position in queue:
        for candidate in partners(position):
            if candidate in came_from:
                continue
            came_from[candidate] = position
            if candidate not in new_of:  # free: flip the path back to the start
                while candidate is not None:
                    owner = came_from[candidate]
                    previous = old_of.get(owner)
                    old_of[owner], new_of[candidate] = candidate, owner
                    candidate = previous if owner != start else None
                return
            queue.append(new_of[candidate])


def compare_reports(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """New, fixed and open findings per kind (counted as the summary counts them), examples
    of each, and the figures that moved."""
    before, after = findings(old["issues"]), findings(new["issues"])
    kept_old, kept_new = matched(before, after)
    added = [f for position, f in enumerate(after) if position not in kept_new]
    fixed = [f for position, f in enumerate(before) if position not in kept_old]
    still = [f for position, f in enumerate(after) if position in kept_new]
    kinds = list(new["summary"]["counts"])
    figures = {}
    for name, value in new["summary"].items():
        previous = old["summary"].get(name)
        numbers = isinstance(value, int | float) and isinstance(previous, int | float)
        if numbers and previous != value:
            figures[name] = {"old": previous, "new": value}
    return {
        "baseline": {"path": old["input"]["path"], "sha256": old["input"]["sha256"]},
        "new": _per_kind(added, kinds),
        "fixed": _per_kind(fixed, kinds),
        "open": _per_kind(still, kinds),
        "figures": figures,
        "warnings": _unrelated(old, new),
        "new_issues": [_brief(finding.issues[0]) for finding in added[:SHOWN]],
        "fixed_issues": [_brief(finding.issues[0]) for finding in fixed[:SHOWN]],
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
    tasks = [(report.get("task") or {}).get("kind", "classification") for report in (old, new)]
    if tasks[0] != tasks[1]:
        warnings.append(f"the tasks differ ({tasks[0]}, {tasks[1]}): their kinds of finding do too")
    if bool(old["input"].get("id")) != bool(new["input"].get("id")):
        warnings.append(
            "one scan names rows by --id, the other by their content: rows cannot be matched "
            "(scan both with --id, or both without)"
        )
    if not old_columns & new_columns:
        warnings.append("the two scans share no column besides the label")
    rows = sorted((old["input"]["rows"], new["input"]["rows"]))
    if rows[0] * SIZE_RATIO <= rows[1]:
        warnings.append(f"the row counts differ {rows[1] / max(rows[0], 1):.0f}-fold")
    return warnings


def _per_kind(found: list[Finding], kinds: list[str]) -> dict[str, int]:
    counts = Counter(finding.kind for finding in found)
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
