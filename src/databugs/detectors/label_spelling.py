"""One class written several ways: case, spaces, Unicode forms, punctuation, small typos.

Variants are merged into their most frequent spelling before any model is trained (so they do
not split a class), and each row written another way is reported with that canonical spelling
as its suggested label.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register

NOT_LETTERS = re.compile(r"[\W_]+")
TYPO_MIN_LENGTH = 4
TYPO_MAX_SHARE = 0.2
SEVERITY = 0.9


NUMBER_KEY = "#"
"""Keys of labels that are numbers start with this: they are their value, not their letters."""


def spelling_key(label: str) -> str:
    """What is left of a label once case, spaces, Unicode form and punctuation are ignored; a
    number is its value (``-1`` and ``1`` are two classes, ``1`` and ``1.0`` one).

    >>> spelling_key(" Very-Positive "), spelling_key("very positive")
    ('verypositive', 'verypositive')
    >>> spelling_key("-1.0") != spelling_key("1.0"), spelling_key("1") == spelling_key(" 1.0")
    (True, True)
    """
    try:
        value = float(label)
    except ValueError:
        return NOT_LETTERS.sub("", unicodedata.normalize("NFKC", label).casefold())
    return NUMBER_KEY + repr(value + 0.0)  # + 0.0: -0.0 is 0.0


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it exceeds ``limit``.

    >>> edit_distance("postive", "positive", 2)
    1
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _typo_limit(key: str) -> int:
    """Letters a typo may change; none in a short key or a number (``3`` is no typo of ``5``)."""
    if key.startswith(NUMBER_KEY) or len(key) < TYPO_MIN_LENGTH:
        return 0
    return 1 if len(key) < 8 else 2


@register
class LabelSpelling(Detector):
    name = "label_spelling"
    description = "label values that are one class written several ways"

    def merge_labels(self, labels: Sequence[str | None]) -> dict[str, str]:
        """Variant spelling -> canonical spelling (the most frequent one of its group).

        A typo group needs the rarer key to be at most a fifth as frequent as the common one and
        at least four letters long, so that classes such as ``B`` and ``D`` never merge.
        """
        counts = Counter(label for label in labels if label is not None)
        by_key: dict[str, Counter] = {}
        for label, count in counts.items():
            by_key.setdefault(spelling_key(label), Counter())[label] = count
        key_counts = {key: sum(group.values()) for key, group in by_key.items()}
        parent = {key: key for key in by_key}
        for rare in sorted(by_key, key=lambda k: (key_counts[k], k)):
            limit = _typo_limit(rare)
            candidates = [
                key
                for key in by_key
                if key != rare
                and key_counts[rare] <= TYPO_MAX_SHARE * key_counts[key]
                and edit_distance(rare, key, limit) <= limit
            ]
            if candidates:
                parent[rare] = max(candidates, key=lambda k: (key_counts[k], k))
        groups: dict[str, Counter] = {}
        for key, spellings in by_key.items():
            root = key
            while parent[root] != root:
                root = parent[root]
            groups.setdefault(root, Counter()).update(spellings)
        merges = {}
        for spellings in groups.values():
            canonical = min(spellings, key=lambda label: (-spellings[label], label))
            merges.update({label: canonical for label in spellings if label != canonical})
        return merges

    def detect(self, context: Context) -> list[Issue]:
        merges = self.merge_labels(context.labels)
        counts = Counter(label for label in context.labels if label is not None)
        issues = []
        for row, label in enumerate(context.labels):
            if label not in merges:
                continue
            canonical = merges[label]
            variants = {v: counts[v] for v in sorted(counts) if merges.get(v, v) == canonical}
            issues.append(
                Issue(
                    kind=self.name,
                    row=row,
                    severity=SEVERITY,
                    given_label=label,
                    suggested_label=canonical,
                    group=f"spelling:{canonical}",
                    message=f"{label!r} is written {canonical!r} in {counts[canonical]} rows",
                    details={"canonical": canonical, "variants": variants},
                )
            )
        return issues
