"""Data bugs in a number to predict: values far from what the other rows predict, identical
rows with different values, and impossible or extreme values.

Plain functions over the out-of-fold predictions (the classification detectors read classes
and probabilities, which a regression has not); the issues are the same ``Issue`` type, so
ranking, reports and ``fix`` treat them alike. ``label_issue`` keeps its kind: its flags are
the likely wrong values, as for classes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from databugs.detectors.base import Issue

FLAG_SCORE = 8.0
"""A value is flagged when its residual is this many times the model's usual error on rows with
similar predictions (about 5 standard deviations of normal residuals: ``median |r| = 0.67 sd``).
On the reg_* pool (3,000-row samples), 6 flagged more wrong values but made the data worse on 4
of 30 cases once every flag was accepted (real values in a heavy tail); 8 on 2
(docs/benchmarks.md)."""
OUTLIER_SCORE = 12.0
"""A value this many robust spreads (MAD) from the column's median is extreme."""
NEGATIVE_SHARE = 0.99
"""A negative value in a column at least this share non-negative is impossible."""

KINDS = {
    "label_issue": "likely wrong values: far from what the other rows predict (out of fold)",
    "conflicting_duplicates": "rows with the same features but values further apart than the "
    "model's usual error",
    "target_outlier": "impossible or extreme values of the number to predict",
}
"""The kinds a regression scan reports, in report order."""


@dataclass(frozen=True)
class NumberStyle:
    """How a column writes its numbers: decimals shown and whether all are whole."""

    decimals: int
    whole: bool

    @classmethod
    def of(cls, texts: Sequence[str | None]) -> NumberStyle:
        """The most decimals written in the column (``1.50`` has two, capped at six); whole
        numbers if no value has a fraction (``3.0`` counts as whole)."""
        written = [text.strip() for text in texts if text is not None]
        fractions = [t.split(".", 1)[1] for t in written if "." in t and "e" not in t.lower()]
        whole = all(set(fraction) <= {"0"} for fraction in fractions)
        return cls(decimals=min(max(map(len, fractions), default=0), 6), whole=whole)

    def write(self, value: float) -> str:
        """``value`` written like the column's numbers."""
        if self.whole:
            return str(round(float(value)))
        return f"{value:.{self.decimals}f}"


def value_issues(
    labels: Sequence[str | None],
    labelled: np.ndarray,
    predictions: np.ndarray,
    scores: np.ndarray,
    style: NumberStyle,
    *,
    flag_score: float = FLAG_SCORE,
) -> list[Issue]:
    """A ``label_issue`` for each value whose residual is beyond ``flag_score`` times the
    model's usual error near it; the suggestion is the prediction, written like the column."""
    issues = []
    for position in np.flatnonzero(scores > flag_score):
        row = int(labelled[position])
        suggested = style.write(predictions[position])
        if suggested == labels[row].strip():
            continue
        issues.append(
            Issue(
                kind="label_issue",
                row=row,
                severity=float(1.0 - 1.0 / (1.0 + scores[position] ** 2)),
                message=f"value {labels[row].strip()} is far from the {suggested} predicted "
                f"from the other rows ({scores[position]:.1f} times the usual error there)",
                given_label=labels[row],
                suggested_label=suggested,
                details={"residual_score": round(float(scores[position]), 3)},
            )
        )
    return issues


def conflicting_values(
    matrix: np.ndarray,
    labels: Sequence[str | None],
    labelled: np.ndarray,
    targets: np.ndarray,
    tolerance: float,
) -> list[Issue]:
    """Labelled rows with identical features whose values differ by more than ``tolerance``."""
    if not isinstance(matrix, np.ndarray) or len(labelled) == 0:
        return []
    keys = pd.DataFrame(matrix[labelled]).fillna(np.inf)
    groups = keys.groupby(list(keys.columns), sort=False, dropna=False).indices
    issues = []
    for members in groups.values():
        values = targets[members]
        if len(members) < 2 or values.max() - values.min() <= tolerance:
            continue
        rows = sorted(int(labelled[m]) for m in members)
        group = f"rows {', '.join(map(str, rows[:5]))}" + (" ..." if len(rows) > 5 else "")
        spread = float(values.max() - values.min())
        for member in members:
            row = int(labelled[member])
            issues.append(
                Issue(
                    kind="conflicting_duplicates",
                    row=row,
                    severity=float(min(1.0, spread / (spread + tolerance))),
                    message=f"{len(rows)} rows with the same features have values "
                    f"{values.min():g} to {values.max():g} (apart by more than {tolerance:.3g})",
                    given_label=labels[row],
                    group=group,
                    details={"rows": rows},
                )
            )
    return issues


def target_outliers(
    labels: Sequence[str | None], labelled: np.ndarray, targets: np.ndarray
) -> list[Issue]:
    """Negative values in a column that is otherwise never negative (a duration, a price), and
    values far outside the column's robust spread."""
    median = float(np.median(targets))
    spread = float(np.median(np.abs(targets - median))) * 1.4826
    never_negative = np.mean(targets >= 0) >= NEGATIVE_SHARE
    issues = []
    for position, value in enumerate(targets):
        row = int(labelled[position])
        if never_negative and value < 0:
            why, severity = "negative in a column that is otherwise never negative", 1.0
        elif spread > 0 and abs(value - median) > OUTLIER_SCORE * spread:
            distance = abs(value - median) / spread
            why = f"{distance:.0f} robust spreads from the column's median {median:g}"
            severity = float(1.0 - math.exp(-distance / OUTLIER_SCORE))
        else:
            continue
        issues.append(
            Issue(
                kind="target_outlier",
                row=row,
                severity=severity,
                message=f"value {labels[row].strip()} is {why}",
                given_label=labels[row],
            )
        )
    return issues
