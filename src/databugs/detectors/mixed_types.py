"""Columns mixing numbers and text (``12``, ``12,5``, ``unknown``).

Up to 5% of text cells among numbers, the featuriser reads the column as numbers and those
cells as missing (what the model sees of them is a gap); beyond, the column becomes categories
(``12`` as unlike ``13`` as ``abc``), free text, or is left out. Empty cells and placeholders
(``n/a``, ``?``) do not count: they are read as missing. Numbers with a decimal comma (``12,5``)
are read as numbers too, and named: beside numbers written with a point they are the usual
cause.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from databugs.data.features import ColumnUse
from databugs.data.numbers import DECIMAL_COMMA, read_numbers
from databugs.data.task import TASKS
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.empty_cells import Cells, checked_columns, column_cells
from databugs.detectors.registry import register

NUMBER_LIKE = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity)"
"""Every value ``pd.to_numeric`` reads as a number matches this (a quick filter: on free text
parsing every value is ten times slower)."""
MAX_EXAMPLES = 5
SEVERITY = 0.6


@register
class MixedTypes(Detector):
    name = "mixed_types"
    tasks = TASKS  # they read rows, not classes
    description = (
        "columns mixing numbers and text, which databugs then cannot use as numbers "
        "(decimal commas named)"
    )

    def __init__(self, *, min_cells: int = 3, min_share: float = 0.05) -> None:
        self.min_cells = min_cells
        self.min_share = min_share

    def detect(self, context: Context) -> list[Issue]:
        issues = []
        for use in checked_columns(context):
            if pd.api.types.is_numeric_dtype(context.frame[use.column]):
                continue  # typed numbers: no text among them
            cells = column_cells(context, use.column)
            kinds = _kinds(cells)
            counts = cells.counts()
            numbers = int(counts[kinds == NUMBER].sum())
            other = int(counts[(kinds == TEXT) | (kinds == DECIMAL)].sum())
            if self._mixed(numbers, other):
                issues.append(_issue(self.name, use, cells, kinds, counts))
        return issues

    def _mixed(self, numbers: int, text: int) -> bool:
        """Both kinds present in ``min_cells`` cells or more; numbers the minority must also be
        ``min_share`` of the filled cells (a few numbers among words are ordinary), whereas a
        few words among numbers are what stops the column being read as numbers."""
        if min(numbers, text) < self.min_cells:
            return False
        return numbers > text or numbers >= self.min_share * (numbers + text)


NUMBER, DECIMAL, TEXT, EMPTY = range(4)
"""What a distinct value is: a number (``12``, and in a column written so ``1,250`` or
``$12``), a number written with a decimal comma (``12,5``), text, or a way of writing none."""


def _kinds(cells: Cells) -> np.ndarray:
    """Each distinct value's kind, read as the featuriser reads the column."""
    candidates = np.flatnonzero(
        cells.stripped.str.fullmatch(NUMBER_LIKE, case=False).to_numpy(dtype=bool)
    )
    plain = np.zeros(len(cells.values), dtype=bool)
    plain[candidates] = pd.to_numeric(cells.stripped.iloc[candidates], errors="coerce").notna()
    reading = read_numbers(cells.stripped, cells.empty)
    read = ~np.isnan(reading.values)
    commas = cells.stripped.str.fullmatch(DECIMAL_COMMA).to_numpy(dtype=bool)
    decimal = read & ~plain & commas & (reading.decimal == ",")
    kinds = np.where(read | plain, NUMBER, TEXT)
    kinds[decimal] = DECIMAL
    kinds[cells.empty] = EMPTY
    return kinds


def _examples(cells: Cells, chosen: np.ndarray, counts: np.ndarray) -> list[str]:
    """The most frequent distinct values among ``chosen``."""
    order = np.flatnonzero(chosen & (counts > 0))
    order = order[np.argsort(-counts[order], kind="stable")]
    return cells.values.iloc[order[:MAX_EXAMPLES]].tolist()


def what_databugs_did(use: ColumnUse) -> str:
    """The use of a column holding text among numbers, in words."""
    if use.used_as == "numeric":
        return f"databugs read it as {use.reason}"
    if use.used_as == "categorical":
        return f"databugs used it as categories ({use.reason}): its numbers are names, not amounts"
    if use.used_as == "text":
        return f"databugs read it as text ({use.reason}): its numbers are words, not amounts"
    return f"databugs left it out ({use.reason})"


def _issue(kind: str, use: ColumnUse, cells: Cells, kinds: np.ndarray, counts: np.ndarray) -> Issue:
    is_number, commas = kinds == NUMBER, kinds == DECIMAL
    is_text = commas | (kinds == TEXT)
    numbers, text = int(counts[is_number].sum()), int(counts[is_text].sum())
    decimal_commas = int(counts[commas].sum())
    number_examples = _examples(cells, is_number, counts)
    text_examples = _examples(cells, is_text, counts)
    shown, other = (
        ", ".join(map(repr, examples[:3])) for examples in (number_examples, text_examples)
    )
    if decimal_commas == text:
        message = (
            f"{use.column!r} writes {numbers} numbers with a decimal point ({shown}) and "
            f"{text} with a decimal comma ({other})"
        )
    else:
        message = (
            f"{use.column!r} mixes {numbers} numbers ({shown}) with {text} text cells ({other})"
        )
        if decimal_commas:
            comma = _examples(cells, commas & is_text, counts)[0]
            message += (
                f", {decimal_commas} of them numbers written with a decimal comma ({comma!r})"
            )
    return Issue(
        kind=kind,
        row=None,
        severity=SEVERITY,
        message=f"{message}; {what_databugs_did(use)}",
        details={
            "column": use.column,
            "used_as": use.used_as,
            "numbers": numbers,
            "text": text,
            "empty": int(counts[cells.empty].sum() + (cells.codes < 0).sum()),
            "decimal_commas": decimal_commas,
            "number_examples": number_examples,
            "text_examples": text_examples,
        },
    )
