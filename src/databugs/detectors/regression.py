"""Data bugs in a number to predict: values far from what the other rows predict, identical
rows with different values, and impossible or extreme values.

Plain functions over the out-of-fold predictions (the classification detectors read classes
and probabilities, which a regression has not); the issues are the same ``Issue`` type, so
ranking, reports and ``fix`` treat them alike. ``label_issue`` keeps its kind: its flags are
the likely wrong values, as for classes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from databugs.data.task import NumberStyle
from databugs.detectors.base import Issue
from databugs.detectors.content import chance_groups, expected_equal_rows
from databugs.detectors.robust import median_and_spread

FALSE_SHARE = 0.3
"""Values are flagged from the largest residual score down while at most this share of the
flags are expected to be right values (the tail of the scores right values have, extrapolated
from the bulk: :func:`flag_limit`). Accepting a wrong flag costs about what accepting a right
one gains, so below a half the flags lower the error; on the reg_* pool, with a limit per side
(:func:`flag_limits`), 0.3 lowered it on 24 of 30 cases, 2 worse (0.25: 22, 3 worse; 0.4: 25,
2 worse, but flag precision 0.81 instead of 0.87; docs/benchmarks.md)."""
MIN_FLAG_SCORE = 4.0
"""A value closer to its prediction than this many times the usual error there is never
flagged (about 3 standard deviations of normal residuals: ``median |r| = 0.67 sd``)."""
MIN_SIDE_ROWS = 200
"""Values above and below their predictions get a limit each (:func:`flag_limits`) when each
side has at least this many values to fit its tail on; fewer, one limit for both (reg_* pool:
a tail fitted on 28 values, half a 60-row table, flagged a right value; 100 to 400 alike)."""
CLEAN_QUANTILES = np.linspace(0.3, 0.9, 13)
"""The part of the scores the right values' tail is fitted on: above the exact fits, below
where the wrong values are (5% of rows in the benchmark)."""
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


def flag_limits(scores: np.ndarray, above: np.ndarray) -> tuple[float, float]:
    """The smallest residual score flagged among the values above their prediction
    (``above``) and among those below (:func:`flag_limit` on each side's scores). A skewed
    number, such as a price, an age or a count, misses far more upward than its bulk shows
    and its right values' upper tail is heavier than one tail fitted on both sides extrapolates
    (reg_* pool: house prices 62 flags, 19 wrong values, MAE 2166 -> 3965 when accepted;
    a limit per side: 5 flags, 4 wrong, 2166 -> 2116; docs/benchmarks.md)."""
    if min(int(above.sum()), int((~above).sum())) < MIN_SIDE_ROWS:
        return (flag_limit(scores),) * 2
    return flag_limit(scores[above]), flag_limit(scores[~above])


def flag_limit(scores: np.ndarray) -> float:
    """The smallest residual score flagged (``inf``: none). Right values' scores are taken to
    have a Weibull tail, ``P(score > t) = exp(-(t / scale) ** shape)``, fitted on the bulk of
    the scores (``CLEAN_QUANTILES``); the limit is the lowest score at which the flags at or
    above it hold at most ``FALSE_SHARE`` expected right values. A data set whose residuals
    have a heavy tail so gets a higher limit than one whose errors are normal, and a few
    values far out are flagged even in a small table."""
    ordered = np.sort(scores)[::-1]
    expected = len(scores) * _right_values_tail(scores)(ordered)
    allowed = (expected <= FALSE_SHARE * np.arange(1, len(ordered) + 1)) & (
        ordered >= MIN_FLAG_SCORE
    )
    return float(ordered[np.flatnonzero(allowed).max()]) if allowed.any() else math.inf


def _right_values_tail(scores: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """``P(score > t)`` for right values: a Weibull tail fitted by least squares on
    ``log(-log P)`` against ``log t`` (a Laplace tail, ``2 ** -t``, when the bulk is too
    uniform to fit, e.g. every value predicted exactly)."""
    points = np.quantile(scores, CLEAN_QUANTILES)
    survival = np.array([np.mean(scores > point) for point in points])
    usable = (points > 0) & (survival > 0) & (survival < 1)
    if np.unique(points[usable]).size < 3:
        return lambda t: np.exp2(-t)
    shape, offset = np.polyfit(np.log(points[usable]), np.log(-np.log(survival[usable])), 1)
    if shape <= 0:
        return lambda t: np.exp2(-t)
    return lambda t: np.exp(-np.exp(offset) * np.power(np.maximum(t, 1e-12), shape))


def value_issues(
    labels: Sequence[str | None],
    labelled: np.ndarray,
    predictions: np.ndarray,
    scores: np.ndarray,
    style: NumberStyle,
    limits: np.ndarray,
) -> list[Issue]:
    """A ``label_issue`` for each value whose residual is at least its limit (``limits``, one
    per value: :func:`flag_limits`) times the model's usual error near it; the suggestion is
    the prediction, written like the column."""
    issues = []
    for position in np.flatnonzero(scores >= limits):
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
                f"from the other rows ({scores[position]:.1f} times the model's usual error)",
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
    """Labelled rows with identical features whose values differ by more than ``tolerance``,
    where chance does not explain that many equal rows (``content.by_chance``: an age of 34
    twice is two people of 34)."""
    if not isinstance(matrix, np.ndarray) or len(labelled) == 0:
        return []
    keys = pd.DataFrame(matrix[labelled]).fillna(np.inf)
    groups = list(keys.groupby(list(keys.columns), sort=False, dropna=False).indices.values())
    apart = [m for m in groups if len(m) > 1 and np.ptp(targets[m]) > tolerance]
    held = np.array([len(members) for members in groups])
    chance = chance_groups(expected_equal_rows(keys), held, apart)
    return [
        issue
        for members, explained in zip(apart, chance, strict=True)
        if not explained
        for issue in _conflict_issues(labelled[members], targets[members], labels, tolerance)
    ]


def _conflict_issues(
    rows: np.ndarray, values: np.ndarray, labels: Sequence[str | None], tolerance: float
) -> list[Issue]:
    """One issue per row of a group of equal rows whose ``values`` lie far apart."""
    listed = sorted(int(row) for row in rows)
    group = f"rows {', '.join(map(str, listed[:5]))}" + (" ..." if len(listed) > 5 else "")
    spread = float(values.max() - values.min())
    return [
        Issue(
            kind="conflicting_duplicates",
            row=int(row),
            severity=float(min(1.0, spread / (spread + tolerance))),
            message=f"{len(listed)} rows with the same features have values "
            f"{values.min():g} to {values.max():g} (apart by more than {tolerance:.3g})",
            given_label=labels[int(row)],
            group=group,
            details={"rows": listed},
        )
        for row in rows
    ]


def target_outliers(
    labels: Sequence[str | None], labelled: np.ndarray, targets: np.ndarray
) -> list[Issue]:
    """Negative values in a column that is otherwise never negative (a duration, a price), and
    values far outside the column's robust spread."""
    median, spread = median_and_spread(targets)
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
