"""Splits that do not look alike: class shares or columns that differ between the training
split and another split beyond chance. A model tuned on one and scored on the other is then
measured on data it was not built for.

Labels: a chi-square test of the classes x splits table (tags: rows carrying each tag x
splits); a regression's values by a two-sample Kolmogorov-Smirnov test. Columns: numbers by
a two-sample Kolmogorov-Smirnov test; categories by a chi-square test of their values (the 20
commonest, the rest pooled); text by both: KS on its length and chi-square on the rows using
each of its 100 commonest words.
Every chi-square pools categories expected fewer than 5 times in some split into one (the
test's approximation needs it), and is skipped with fewer than two left. The columns' tests
are corrected for their number (Bonferroni); with thousands of rows tiny differences are
significant, so a finding also needs an effect: Cramer's V or the KS statistic of at least
``min_effect``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from databugs.data.splits import TRAIN
from databugs.data.task import TASKS
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.content import normalised_content
from databugs.detectors.registry import register
from databugs.text import listed

MIN_EXPECTED = 5
TOP_VALUES = 20
TOP_WORDS = 100
SEVERITY = {"classes": 0.6, "column": 0.4}


@register
class SplitShift(Detector):
    name = "split_shift"
    needs = ("splits",)
    tasks = TASKS
    description = (
        "class shares or column distributions that differ between splits beyond chance "
        "(chi-square, Kolmogorov-Smirnov; columns Bonferroni-corrected)"
    )

    def __init__(self, *, alpha: float = 0.001, min_effect: float = 0.1) -> None:
        self.alpha = alpha
        self.min_effect = min_effect

    def detect(self, context: Context) -> list[Issue]:
        others = [name for name in context.splits.present() if name != TRAIN]
        issues = [issue for other in others for issue in self._classes(context, other)]
        tests = [(other, test) for other in others for test in column_tests(context, other)]
        corrected = self.alpha / max(len(tests), 1)
        for other, (column, test, result) in tests:
            if self._moved(result, corrected):
                result |= {"column": column, "test": test, "splits": [TRAIN, other]}
                message = (
                    f"column {column!r} moved between {TRAIN} and {other} ({test}: "
                    f"p = {result['p_value']:.2g}, effect {result['effect']:.2f})"
                )
                issues.append(Issue(self.name, None, SEVERITY["column"], message, details=result))
        return issues

    def _moved(self, result: dict | None, alpha: float) -> bool:
        """A test's result is a finding: significant at ``alpha`` and with effect enough."""
        return (
            result is not None and result["p_value"] < alpha and result["effect"] >= self.min_effect
        )

    def _classes(self, context: Context, other: str) -> list[Issue]:
        """The finding that the labels differ between the training split and ``other``: class
        or tag shares (chi-square), or, in a regression, the values (Kolmogorov-Smirnov). A
        class found in ``other`` only is always a finding: no model learnt it."""
        names = context.splits.names[context.labelled]
        parts = {split: names == split for split in (TRAIN, other)}
        if not all(part.any() for part in parts.values()):
            return []
        if context.values is not None:
            return self._values(context, other, parts)
        members = context.memberships()
        table = np.column_stack([members[part].sum(axis=0) for part in parts.values()])
        result = _chi_square_table(table[table.sum(axis=1) > 0])
        unseen = (table[:, 0] == 0) & (table[:, 1] > 0)
        if not (unseen.any() or self._moved(result, self.alpha)):
            return []
        shares = {
            split: {
                name: round(float(share), 6)
                for name, share in zip(context.classes, members[part].mean(axis=0), strict=True)
                if share
            }
            for split, part in parts.items()
        }
        what = "class" if context.tags is None else "tag"
        unseen_names = [context.classes[index] for index in np.flatnonzero(unseen)]
        message = _shares_text(what, list(context.classes), shares, other, result) + _unseen_text(
            what, unseen_names, int(table[unseen, 1].sum()), other
        )
        details = {**(result or {}), "shares": shares, "splits": [TRAIN, other]}
        details["only_in_other"] = unseen_names
        return [Issue(self.name, None, SEVERITY["classes"], message, details=details)]

    def _values(self, context: Context, other: str, parts: dict[str, np.ndarray]) -> list[Issue]:
        """The finding that a regression's values moved between the two splits, if they did."""
        values = context.values
        chosen = parts[TRAIN] | parts[other]
        result = ks(values[chosen], parts[other][chosen])
        if not self._moved(result, self.alpha):
            return []
        medians = {split: float(np.median(values[part])) for split, part in parts.items()}
        message = (
            f"the values of {context.label_column!r} moved between {TRAIN} and {other} "
            f"(Kolmogorov-Smirnov: p = {result['p_value']:.2g}, effect {result['effect']:.2f}): "
            f"median {medians[TRAIN]:.4g} -> {medians[other]:.4g}"
        )
        details = {**result, "medians": medians, "splits": [TRAIN, other]}
        return [Issue(self.name, None, SEVERITY["classes"], message, details=details)]


def _shares_text(
    what: str,
    classes: list[str],
    shares: dict[str, dict[str, float]],
    other: str,
    result: dict | None,
) -> str:
    """The three classes whose shares moved most, with the test's figures."""
    moved = sorted(
        classes, key=lambda c: -abs(shares[TRAIN].get(c, 0.0) - shares[other].get(c, 0.0))
    )[:3]
    figures = ", ".join(
        f"{c} {shares[TRAIN].get(c, 0.0):.1%} -> {shares[other].get(c, 0.0):.1%}" for c in moved
    )
    test = f" (chi-square {result['statistic']:.1f}, p = {result['p_value']:.2g})" if result else ""
    return f"{what} shares differ between {TRAIN} and {other}{test}: {figures}"


def _unseen_text(what: str, unseen: list[str], rows: int, other: str) -> str:
    """What a class found only in the held-out split means for its rows' flags."""
    if not unseen:
        return ""
    others = "classes" if what == "class" else "tags"
    return (
        f"; {what} {listed(unseen, 3)} only in {other} ({rows} rows): the models, trained on "
        f"{TRAIN}, never saw it, so those rows are flagged as other {others} (a new {what}, or "
        "another spelling of one)"
    )


def column_tests(context: Context, other: str) -> list[tuple[str, str, dict]]:
    """Each used column's tests between the training split and ``other``: (column, test,
    result), results without a test (too few values) left out."""
    content = normalised_content(context)
    names = context.splits.names
    chosen = (names == TRAIN) | (names == other)
    in_other = names[chosen] == other
    text_columns = set(context.features.text_columns)
    tests: list[tuple[str, str, Callable[[], dict | None]]] = []
    for use in context.features.columns:
        values = content[use.column][chosen] if use.used_as != "left out" else None
        if values is None:
            continue
        if use.column in text_columns:
            lengths = values.str.len().to_numpy(dtype=float)
            tests.append((use.column, "KS on text length", lambda v=lengths: ks(v, in_other)))
            tests.append((use.column, "chi-square on words", lambda v=values: words(v, in_other)))
        elif use.used_as == "numeric":
            numbers = values.to_numpy(dtype=float)
            tests.append((use.column, "Kolmogorov-Smirnov", lambda v=numbers: ks(v, in_other)))
        else:
            tests.append((use.column, "chi-square", lambda v=values: chi_square(v, in_other)))
    return [(column, test, result) for column, test, run in tests if (result := run())]


def ks(values: np.ndarray, in_other: np.ndarray) -> dict | None:
    """Two-sample Kolmogorov-Smirnov on the values present in both parts."""
    from scipy.stats import ks_2samp

    first, second = values[~in_other], values[in_other]
    first, second = first[~np.isnan(first)], second[~np.isnan(second)]
    if len(first) < 2 or len(second) < 2:
        return None
    result = ks_2samp(first, second)
    statistic = float(result.statistic)
    return {"statistic": round(statistic, 6), "p_value": float(result.pvalue), "effect": statistic}


def chi_square(values: pd.Series, in_other: np.ndarray) -> dict | None:
    """Chi-square test of values x parts: the ``TOP_VALUES`` commonest values, the rest
    pooled, and values expected fewer than ``MIN_EXPECTED`` times in a part pooled too."""
    values = pd.Series(values.to_numpy(dtype=object)).fillna("<empty>").astype(str)
    common = values.value_counts().index[:TOP_VALUES]
    values = values.where(values.isin(common), "<other>")
    table = pd.crosstab(values.to_numpy(), in_other).to_numpy(dtype=float)
    return _chi_square_table(table)


def words(texts: pd.Series, in_other: np.ndarray) -> dict | None:
    """Chi-square test of the commonest words x parts, a word counted once per row: counted
    per use, one long broken record (a page of repeated words) moved a random split."""
    pairs = texts.reset_index(drop=True).str.split().explode().dropna().reset_index()
    pairs = pairs.drop_duplicates()
    rows, tokens = pairs.iloc[:, 0].to_numpy(), pairs.iloc[:, 1]
    common = tokens.value_counts().index[:TOP_WORDS]
    kept = tokens.isin(common).to_numpy()
    if not kept.any():
        return None
    table = pd.crosstab(tokens.to_numpy()[kept], in_other[rows[kept]]).to_numpy(dtype=float)
    return _chi_square_table(table)


def _chi_square_table(table: np.ndarray) -> dict | None:
    """Chi-square on a values x parts table after pooling the rows with small expected counts."""
    from scipy.stats import chi2_contingency

    if table.ndim != 2 or table.shape[1] < 2:
        return None
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / max(table.sum(), 1)
    small = (expected < MIN_EXPECTED).any(axis=1)
    if small.any():
        table = np.vstack([table[~small], table[small].sum(axis=0, keepdims=True)])
    table = table[table.sum(axis=1) > 0]
    if len(table) < 2:
        return None
    statistic, p_value, dof, _ = chi2_contingency(table, correction=False)
    effect = float(np.sqrt(statistic / (table.sum() * (min(table.shape) - 1))))
    return {
        "statistic": round(float(statistic), 6),
        "p_value": float(p_value),
        "dof": int(dof),
        "effect": round(effect, 6),
    }
