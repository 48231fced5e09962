"""Which part of report.json's ``agreement.class_agreement`` a page shows: the annotators with
most answers and the classes most answered (a crowd set has hundreds of annotators), the same
cells in report.html's heatmap and report.md's table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AgreementCells:
    """The shown rows (annotators, most answers first) and columns (classes, in class order)."""

    names: list[str]
    classes: list[Any]
    answers: list[list[int]]
    agreed: list[list[int]]
    min_answers: int
    hidden_annotators: int
    hidden_classes: int

    def share(self, row: int, column: int) -> float | None:
        """The cell's agreement; None when it rests on too few answers to judge."""
        answers = self.answers[row][column]
        if answers < self.min_answers:
            return None
        return self.agreed[row][column] / answers


def agreement_cells(table: dict[str, Any], annotators: int, classes: int) -> AgreementCells:
    """The ``annotators`` busiest annotators and the ``classes`` classes most answered."""
    entries = [entry for entry in table["annotators"] if sum(entry["answers"])]
    entries.sort(key=lambda entry: (-sum(entry["answers"]), str(entry["name"])))
    totals = [sum(entry["answers"][k] for entry in entries) for k in range(len(table["classes"]))]
    busiest = sorted(range(len(totals)), key=lambda k: -totals[k])[:classes]
    columns = sorted(k for k in busiest if totals[k])
    shown = entries[:annotators]
    return AgreementCells(
        names=[entry["name"] for entry in shown],
        classes=[table["classes"][k] for k in columns],
        answers=[[entry["answers"][k] for k in columns] for entry in shown],
        agreed=[[entry["agreed"][k] for k in columns] for entry in shown],
        min_answers=table["min_answers"],
        hidden_annotators=len(table["annotators"]) - len(shown),
        hidden_classes=len(table["classes"]) - len(columns),
    )
