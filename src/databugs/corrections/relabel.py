"""What a reviewer may relabel a row to, in the scan's own task: a class of the data (or a new
one on purpose), a number written like the numeric target's values, or a set of known tags
written in the tag column's own form.

``databugs review`` and the decisions files of report.html check an edited label here, so both
refuse the same slips before anything reaches the ledger or the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from databugs.data.tags import TagSets, edited_cell, scanned_tag_sets
from databugs.data.task import MULTILABEL, REGRESSION, as_column_number
from databugs.data.validate import label_texts
from databugs.errors import DatabugsError, ErrorCode
from databugs.text import shown_label, visible


@dataclass(frozen=True)
class Relabelling:
    """The scan's task and what an edited label is checked against in it."""

    task: str
    classes: list[str]
    """The classes, or (multi-label data) the tags; none for a numeric target."""
    column: str
    numbers: list[str | None] | None = None
    """A numeric target's cells as written (an edited value is written like them)."""
    tag_sets: TagSets | None = None

    @classmethod
    def of_scan(cls, report: dict[str, Any], frame: pd.DataFrame, source: str) -> Relabelling:
        """For the scan report.json describes, whose rows are ``frame`` (read from ``source``)."""
        task = (report.get("task") or {}).get("kind") or "classification"
        label = report["input"]["label"]
        classes = [str(entry["label"]) for entry in report["classes"]]
        if task == REGRESSION:
            return cls(task, classes, label, numbers=label_texts(frame[label]))
        if task == MULTILABEL:
            separator = (report.get("options") or {}).get("label_sep") or ";"
            sets = scanned_tag_sets(frame, label, separator, source=source)
            return cls(task, classes, str(label), tag_sets=sets)
        return cls(task, classes, label)

    @property
    def typed_how(self) -> str:
        """What to type, for a prompt."""
        if self.numbers is not None:
            return "a number"
        if self.tag_sets is not None:
            return f"tags joined by {self.tag_sets.separator!r} (names or numbers, +name: new)"
        return "a class (Tab completes), its number, or +name for a new class"

    def checked(self, typed: str, row: int, *, new: bool = False) -> str:
        """``typed`` as row ``row``'s new label will be written, or a one-line refusal.
        ``new`` (a decisions file's ``new_class``): a label that is not a class, or a tag that
        is not one, is meant to be new and taken as written; else (typed in ``review``) a new
        one is marked ``+name`` and a tag may be given by its number."""
        label = typed.strip()
        if typed in self.classes:  # the data's own class, written again as it is
            label = typed
        elif visible(label) != label:  # a new escape sequence would reach the ledger and data
            raise DatabugsError(
                f"'{shown_label(label)}': a label cannot hold control characters",
                code=ErrorCode.BAD_LABEL,
            )
        if self.numbers is not None:
            return as_column_number(label.removeprefix("+").strip(), self.numbers, self.column)
        if self.tag_sets is not None:
            return edited_cell(self.tag_sets, row, label, known=self.classes, new=new)
        return self._checked_class(label, new)

    def _checked_class(self, label: str, new: bool) -> str:
        if not new and label.startswith("+") and label not in self.classes:
            label, new = label[1:].strip(), True
        if not label:
            raise DatabugsError("an edited label cannot be empty", code=ErrorCode.BAD_LABEL)
        if label not in self.classes and not new:
            raise DatabugsError(
                f"{label!r} is not a class of this data and not marked new",
                code=ErrorCode.BAD_LABEL,
                hint="pick a class, or type +name to add a new one",
            )
        return label
