"""``indistinct_rows``: equal rows with different labels that are no copies, said once.

In a table of a few coded columns many rows are equal by chance (titanic's three columns hold
14 distinct rows among 2,201): two passengers of the same class, sex and age are two people,
not a record entered twice. ``conflicting_duplicates`` reports only the groups of equal rows
that chance does not explain (:func:`content.by_chance`); the others are this one finding,
because what they say is about the columns: they cannot tell these rows apart, and the labels
differ among them.
"""

from __future__ import annotations

from databugs.data.task import CLASSIFICATION, MULTILABEL
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.conflicting_duplicates import equal_rows_with_two_labels
from databugs.detectors.content import MAX_LISTED, used_columns
from databugs.detectors.registry import register
from databugs.text import count

SEVERITY = 0.4


@register
class IndistinctRows(Detector):
    name = "indistinct_rows"
    needs = ("model",)
    tasks = (CLASSIFICATION, MULTILABEL)
    description = (
        "rows equal in every column but labelled differently, as often as the columns' own "
        "values predict: the columns cannot tell them apart (no copies)"
    )

    def detect(self, context: Context) -> list[Issue]:
        groups = sorted(equal_rows_with_two_labels(context).by_chance, key=len, reverse=True)
        if not groups:
            return []
        rows = sum(len(group) for group in groups)
        columns = used_columns(context)
        largest = groups[0]
        return [
            Issue(
                kind=self.name,
                row=None,
                severity=SEVERITY,
                message=f"{count(rows, 'row')} in {count(len(groups), 'group')} share every "
                f"value with rows of "
                f"another label, as often as the columns' own values predict: {_named(columns)} "
                f"cannot tell them apart (a column the data lacks may decide their labels); "
                f"not reported as copies",
                details={
                    "rows": rows,
                    "groups": len(groups),
                    "columns": columns[:MAX_LISTED],
                    "largest_group": [int(row) for row in largest[:MAX_LISTED]],
                    "largest_group_size": len(largest),
                },
                columns=tuple(columns[:MAX_LISTED]),
            )
        ]


def _named(columns: list[str]) -> str:
    """The columns in a sentence: one by name, more by count."""
    return f"the column {columns[0]!r}" if len(columns) == 1 else f"the {len(columns)} columns"
