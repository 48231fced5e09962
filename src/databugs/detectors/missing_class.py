"""Declared classes (``--classes``) with no rows, and labels that were not declared."""

from __future__ import annotations

from collections import Counter

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.label_spelling import NUMBER_KEY, edit_distance, loose_key, spelling_key
from databugs.detectors.registry import register
from databugs.text import count

MISSING_SEVERITY = 0.7
UNDECLARED_SEVERITY = 0.85


def closest_declared(label: str, declared: list[str]) -> str | None:
    """The declared class a stray label most likely meant: same spelling key or one typo away."""
    for same in (spelling_key, loose_key):
        wanted = same(label)
        for name in declared:
            if same(name) == wanted:
                return name
    key = spelling_key(label)
    if key.startswith(NUMBER_KEY):  # 3 is no typo of 5
        return None
    near = [name for name in declared if edit_distance(key, spelling_key(name), 2) <= 2]
    return near[0] if len(near) == 1 and len(key) >= 4 else None


@register
class MissingClass(Detector):
    name = "missing_class"
    description = "declared classes with no rows, and labels that are not among them"

    def detect(self, context: Context) -> list[Issue]:
        declared = context.declared_classes
        if not declared:
            return []
        counts = Counter(label for label in context.canonical if label is not None)
        issues = [
            Issue(
                kind=self.name,
                row=None,
                severity=MISSING_SEVERITY,
                given_label=name,
                group=f"missing:{name}",
                message=f"the declared class {name!r} has no rows",
                details={"class": name, "declared": declared},
            )
            for name in declared
            if counts[name] == 0
        ]
        for row, label in enumerate(context.canonical):
            if label is None or label in declared:
                continue
            issues.append(
                Issue(
                    kind=self.name,
                    row=row,
                    severity=UNDECLARED_SEVERITY,
                    given_label=context.labels[row],
                    suggested_label=closest_declared(label, declared),
                    group=f"undeclared:{label}",
                    message=f"{label!r} is not a declared class ({count(counts[label], 'row')})",
                    details={"class": label, "declared": declared},
                )
            )
        return issues
