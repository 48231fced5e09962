"""Columns mostly empty, or empty far more often in one class than in the others.

A column empty in most rows tells the model little and often marks a broken export. A column
empty mostly in one class is worse: the model learns "empty => that class", a pattern of how
the data was collected that new data will not share. In a regression the same pattern is a
column whose empty rows hold values far from the others' (a rank-sum test, and medians apart
by at least one robust spread of the values). Empty means what the featuriser treats as
missing: no value, blank or spaces, or a placeholder such as ``n/a``, ``NA``, ``null``, ``-``,
``?``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from databugs.data.features import NESTED_REASON, ColumnUse, missing_words
from databugs.data.task import TASKS
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.content import used_columns
from databugs.detectors.registry import register
from databugs.detectors.robust import median_and_spread

NO_VALUE = "(no value)"
"""How a cell with no value at all (NaN, None) is named among the placeholders found."""
MIN_GAP = 0.1
"""A class's empty share must also exceed the others' by this much: rare emptiness that is a
little less rare in one class is no pattern a model leans on."""
SEVERITY_TIED = 0.8
SEVERITY_EMPTY = 0.6
MAX_PLACEHOLDERS = 5


@dataclass(frozen=True)
class Cells:
    """One column, value by value: ``values`` the distinct values as written and ``stripped``
    without the spaces around them, ``codes`` each row's index into them (-1: no value),
    ``empty`` which distinct values mean missing."""

    values: pd.Series
    stripped: pd.Series
    codes: np.ndarray
    empty: np.ndarray

    def counts(self) -> np.ndarray:
        """Rows holding each distinct value."""
        return np.bincount(self.codes[self.codes >= 0], minlength=len(self.values))

    def empty_rows(self) -> np.ndarray:
        """Boolean per row: the cell is empty."""
        return np.append(self.empty, True)[self.codes]  # code -1 picks the True at the end


def column_cells(context: Context, column: str) -> Cells:
    """A column's distinct values, computed once per scan and looked at with vectorised string
    operations: a million cells often hold a few thousand values, a column of measurements
    nearly one per row."""

    def compute() -> Cells:
        codes, uniques = pd.factorize(context.frame[column], use_na_sentinel=True)
        values = pd.Series(uniques).astype("str")
        stripped = values.str.strip()
        empty = missing_words(values)
        return Cells(values, stripped, codes, empty)

    return context.computed_once(("cells", column), compute)


def checked_columns(context: Context) -> list[ColumnUse]:
    """The feature columns, each with how it was used; not those the user left out, nor
    lists and structs (cells that are not values)."""
    skipped = ("--ignore", NESTED_REASON)
    return [use for use in context.features.columns if use.reason not in skipped]


def empty_rows(context: Context) -> np.ndarray:
    """Per row, whether every column the models use is empty (no value, blank, or a
    placeholder such as ``n/a``): a blank line or a record cut short, which ``outlier``
    reports and the detectors of copies leave out (blank rows are not copies of each other).
    An id or a constant column the scan left out does not make a row hold something."""

    def compute() -> np.ndarray:
        empty = np.ones(len(context.frame), dtype=bool)
        columns = used_columns(context)
        for column in columns:
            empty &= column_cells(context, column).empty_rows()
        return empty if columns else ~empty

    return context.computed_once("empty_rows", compute)


@dataclass(frozen=True)
class ClassTie:
    """Emptiness concentrated in one class: its share of empty cells, the others', the test."""

    name: str
    share: float
    elsewhere: float
    p_value: float


@dataclass(frozen=True)
class ValueTie:
    """Emptiness tied to the number to predict: the empty and filled rows' median values and
    the rank-sum test's p-value."""

    empty_median: float
    filled_median: float
    p_value: float


@register
class EmptyCells(Detector):
    name = "empty_cells"
    tasks = TASKS  # a class or a tag tie where the data has them; mostly empty in any task
    description = (
        "columns empty in most rows, or empty far more often in one class than in the others "
        "(a model learns 'empty => that class'; for a number, empty in rows of far other values)"
    )

    def __init__(
        self,
        *,
        max_empty_share: float = 0.5,
        min_count: int = 10,
        max_p_value: float = 0.001,
        min_ratio: float = 3.0,
    ) -> None:
        self.max_empty_share = max_empty_share
        self.min_count = min_count
        self.max_p_value = max_p_value
        self.min_ratio = min_ratio

    def detect(self, context: Context) -> list[Issue]:
        issues = []
        for use in checked_columns(context):
            cells = column_cells(context, use.column)
            empty = cells.empty_rows()
            if not empty.any():
                continue
            labelled = empty[context.labelled]
            members = context.memberships()
            counts = members.sum(axis=0), members[labelled].sum(axis=0)
            shares = _class_shares(context, *counts)
            tie = (
                self._value_tie(context.values, labelled)
                if context.values is not None
                else self._class_tie(context, labelled, *counts)
            )
            share = float(empty.mean())
            if tie is not None or share > self.max_empty_share:
                issues.append(_issue(self.name, use, cells, empty, shares, tie))
        return issues

    def _value_tie(self, values: np.ndarray, empty: np.ndarray) -> ValueTie | None:
        """Whether the labelled rows with the cell empty hold values far from the others'."""
        from scipy.stats import mannwhitneyu  # loaded when a column has empty cells

        if min(int(empty.sum()), int((~empty).sum())) < self.min_count:
            return None
        spread = median_and_spread(values)[1]
        medians = float(np.median(values[empty])), float(np.median(values[~empty]))
        if spread == 0 or abs(medians[0] - medians[1]) < spread:
            return None
        p_value = float(mannwhitneyu(values[empty], values[~empty]).pvalue)
        return ValueTie(*medians, p_value) if p_value < self.max_p_value else None

    def _class_tie(
        self, context: Context, empty: np.ndarray, rows: np.ndarray, empties: np.ndarray
    ) -> ClassTie | None:
        """The class (or tag) whose rows are empty far more often than the other rows, if
        one is; none in a regression (no classes). ``rows``: labelled rows per class,
        ``empties``: those with the cell empty."""
        from scipy.stats import chi2_contingency  # loaded when a column has empty cells

        total, total_empty = len(empty), int(empty.sum())
        present = rows > 0
        if total_empty in (0, total) or present.sum() < 2:
            return None
        share = empties / np.maximum(rows, 1)
        elsewhere = (total_empty - empties) / np.maximum(total - rows, 1)
        tied = (
            present
            & (empties >= self.min_count)
            & (share >= self.min_ratio * elsewhere)
            & (share - elsewhere >= MIN_GAP)
        )
        if not tied.any():
            return None
        best = int(np.argmax(np.where(tied, share - elsewhere, -np.inf)))
        if context.tags is None:  # one class per row: the classes x (empty, filled) table
            table = np.vstack([empties[present], (rows - empties)[present]])
        else:  # tags overlap: rows with the tag against rows without it
            table = np.array(
                [
                    [empties[best], rows[best] - empties[best]],
                    [total_empty - empties[best], total - rows[best] - total_empty + empties[best]],
                ]
            )
        p_value = float(chi2_contingency(table).pvalue)
        if p_value >= self.max_p_value:
            return None
        return ClassTie(context.classes[best], float(share[best]), float(elsewhere[best]), p_value)


def _class_shares(context: Context, rows: np.ndarray, empties: np.ndarray) -> dict[str, float]:
    """Share of each class's (or tag's) labelled rows whose cell is empty."""
    return {
        name: round(float(e / n), 6)
        for name, e, n in zip(context.classes, empties, rows, strict=True)
        if n
    }


def _placeholders(cells: Cells) -> dict[str, int]:
    """How the empty cells are written, most frequent first."""
    counts = cells.counts()
    written = np.flatnonzero(cells.empty & (counts > 0))
    found = dict(zip(cells.values.iloc[written], counts[written].tolist(), strict=True))
    missing = int((cells.codes < 0).sum())
    if missing:
        found[NO_VALUE] = missing
    return dict(sorted(found.items(), key=lambda item: -item[1]))


def _issue(
    kind: str,
    use: ColumnUse,
    cells: Cells,
    empty: np.ndarray,
    shares: dict[str, float],
    tie: ClassTie | ValueTie | None,
) -> Issue:
    placeholders = _placeholders(cells)
    shown = list(placeholders)[:MAX_PLACEHOLDERS]
    written = ", ".join(value if value == NO_VALUE else repr(value) for value in shown)
    share = float(empty.mean())
    parts = [f"{use.column!r} is empty in {empty.sum()} of {len(empty)} rows ({share:.0%})"]
    if isinstance(tie, ClassTie):
        parts.append(
            f"in {tie.share:.0%} of the {tie.name!r} rows against {tie.elsewhere:.0%} of the "
            f"others (chi-square p = {tie.p_value:.1e}): a model learns 'empty => {tie.name}'"
        )
    elif tie is not None:
        parts.append(
            f"its empty rows' median value is {tie.empty_median:g} against {tie.filled_median:g}"
            f" (rank-sum p = {tie.p_value:.1e}): a model learns 'empty => "
            f"{'higher' if tie.empty_median > tie.filled_median else 'lower'} values'"
        )
    return Issue(
        kind=kind,
        row=None,
        severity=SEVERITY_TIED if tie is not None else SEVERITY_EMPTY,
        message="; ".join(parts) + f"; written as {written}",
        given_label=tie.name if isinstance(tie, ClassTie) else None,
        details={
            "column": use.column,
            "used_as": use.used_as,
            "rows": len(empty),
            "empty": int(empty.sum()),
            "share": round(share, 6),
            "placeholders": placeholders,
            "class_shares": shares,
            "tied_class": tie.name if isinstance(tie, ClassTie) else None,
            "tied_values": vars(tie) if isinstance(tie, ValueTie) else None,
            "p_value": None if tie is None else tie.p_value,
        },
    )
