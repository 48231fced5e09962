"""Row content for the duplicate detectors: normalised, hashed, grouped; not a detector itself.

Two rows have the same content when every used feature column is equal, text compared after
folding case and white space.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np
import pandas as pd

from databugs.data.distinct import map_distinct
from databugs.data.features import text_numbers
from databugs.detectors.base import Context, Issue


def used_columns(context: Context) -> list[str]:
    return [use.column for use in context.features.columns if use.used_as != "left out"]


def content_hashes(context: Context, *, round_numbers: int | None = None) -> np.ndarray:
    """One 64-bit hash per row of its normalised content (see :func:`normalised_content`)."""
    return context.computed_once(
        ("content_hashes", round_numbers),
        lambda: pd.util.hash_pandas_object(
            normalised_content(context, round_numbers=round_numbers), index=False
        ).to_numpy(),
    )


def normalised_content(context: Context, *, round_numbers: int | None = None) -> pd.DataFrame:
    """Used feature columns as comparable strings; numbers optionally rounded to significant
    digits (``round_numbers``), text case- and space-folded. Made once per scan."""
    return context.computed_once(
        ("content", round_numbers), lambda: _normalise(context, round_numbers)
    )


def _normalise(context: Context, round_numbers: int | None) -> pd.DataFrame:
    """Strings are folded once per distinct value; with ``round_numbers`` only the numbers are
    redone (the strings come from the unrounded content)."""
    if round_numbers is not None:
        exact = normalised_content(context)
        numeric = [use.column for use in context.features.columns if use.used_as == "numeric"]
        return exact.assign(
            **{c: _significant(exact[c].to_numpy(), round_numbers) for c in numeric}
        )
    frame = context.frame
    text_columns = set(context.features.text_columns)
    columns = {}
    for use in context.features.columns:
        if use.used_as == "left out":
            continue
        values = frame[use.column]
        if use.column in text_columns:
            columns[use.column] = map_distinct(values, _folded_text, None)
        elif use.used_as == "numeric":  # numbers hash as numbers: no string per cell
            columns[use.column] = pd.Series(text_numbers(values), index=frame.index)
        else:
            columns[use.column] = map_distinct(values, lambda value: str(value).strip(), None)
    return pd.DataFrame(columns, index=frame.index)


def _folded_text(value: object) -> str:
    """Text compared without case and runs of white space."""
    return " ".join(str(value).casefold().split())


def _significant(values: np.ndarray, digits: int) -> np.ndarray:
    """Round to ``digits`` significant digits (NaN stays NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(values)))
    magnitude = np.where(np.isfinite(magnitude), magnitude, 0)
    scale = 10.0 ** (digits - 1 - magnitude)
    return np.round(values * scale) / scale


def groups_of_equal(keys: np.ndarray, rows: np.ndarray) -> list[np.ndarray]:
    """Groups (of ``rows``) sharing a key, for keys seen more than once."""
    order = np.argsort(keys[rows], kind="stable")
    sorted_rows, sorted_keys = rows[order], keys[rows][order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    bounds = np.r_[starts, len(sorted_rows)]
    return [np.sort(sorted_rows[a:b]) for a, b in itertools.pairwise(bounds) if b - a > 1]


def conflicting_groups(context: Context, groups: Iterable[np.ndarray]) -> list[np.ndarray]:
    """The groups whose rows do not all carry the same class."""
    return [group for group in groups if len({context.canonical[row] for row in group}) > 1]


CORRELATION_ALLOWANCE = 30.0
"""How many times more often than independent columns correlated columns may make rows equal
by chance, whatever the data's own count of equal pairs says (correlation within a few
values, letters' 13 rows of one x.bar and y.bar, does not show in it; nor, in it, can a big
group of copies be told from chance)."""
CHANCE_LEVEL = 0.01
"""A group of equal rows is chance while at least this probable: :func:`by_chance`."""


def by_chance(
    context: Context, groups: list[np.ndarray], *, round_numbers: int | None = None
) -> list[bool]:
    """Per group of equal rows (equal once numbers are rounded to ``round_numbers``
    significant digits), whether chance explains it (:func:`chance_groups`, over the labelled
    rows). A coded or whole-number column's repeated values are chance (an age of 34 twice is
    two people of 34); rows equal in three columns of distinct measurements are not, nor is
    equal text: a sentence written twice is a copy however common its words
    (docs/benchmarks.md)."""
    if context.features.text_columns or not groups:
        return [False] * len(groups)
    expected = context.computed_once(
        ("expected_equal_rows", round_numbers),
        lambda: expected_equal_rows(normalised_content(context, round_numbers=round_numbers)),
    )
    rows = context.labelled
    keys = content_hashes(context, round_numbers=round_numbers)[rows]
    held = np.unique(keys, return_counts=True)[1]
    positions = labelled_position(context)
    return list(chance_groups(expected[rows], held, [positions[group] for group in groups]))


def chance_groups(expected: np.ndarray, held: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """Per group of equal rows (positions into ``expected``), whether chance explains it: as
    many equal rows or more are at least :data:`CHANCE_LEVEL` likely (Poisson, the level
    shared among the groups) where the rows expected to hold its values are those were the
    columns independent (``expected``, :func:`expected_equal_rows`) scaled by
    :func:`_equal_pairs_scale` (``held``: rows per distinct content of all the rows)."""
    scale = _equal_pairs_scale(held, expected)
    sizes = np.array([len(group) for group in groups])
    return _chance_explains(sizes, scale * expected[[group[0] for group in groups]])


def _equal_pairs_scale(group_sizes: np.ndarray, expected: np.ndarray) -> float:
    """How many times the rows expected to be equal by chance to take: the pairs of equal rows
    the data holds (``group_sizes``: rows per distinct content) against the pairs expected
    were the columns independent (half the sum of each row's ``expected`` equal rows) where
    it holds fewer (a table of every combination of its values once holds none but copies),
    else :data:`CORRELATION_ALLOWANCE`."""
    held = float((group_sizes * (group_sizes - 1)).sum()) / 2
    ratio = held / max(float(expected.sum()) / 2, 1e-300)
    return ratio if ratio < 1 else CORRELATION_ALLOWANCE


def _chance_explains(sizes: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Whether groups of ``sizes`` equal rows, ``expected`` by chance, are chance:
    :data:`CHANCE_LEVEL` is shared among the groups asked about, since among thousands of
    values repeated by chance some repeat four times (5,000 prices of two decimals: 95 rows
    in such groups at 1% each)."""
    from scipy.stats import poisson

    return poisson.sf(sizes - 1, expected) >= CHANCE_LEVEL / max(len(sizes), 1)


def expected_equal_rows(content: pd.DataFrame) -> np.ndarray:
    """Per row, the rows expected to hold its values were the columns independent."""
    logs = np.full(len(content), np.log(max(len(content), 1)))
    for column in content.columns:
        logs += np.log(np.maximum(_value_shares(content[column]), 1e-300))
    return np.exp(logs)


MAX_DECIMALS = 6


def _value_shares(values: pd.Series) -> np.ndarray:
    """Per row, the share of rows expected to hold its value: the value's own share where
    values repeat; in a column of measurements, most of them written once, the share one step
    of the column's writing (0.01 where it writes two decimals) takes near the value. There a
    value's own share would call any repeat chance: two of 120 amounts of five decimals both
    ``999.0`` are no coincidence, two people aged 34 of 600 are."""
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    counts = np.bincount(codes)[codes]
    shares = counts / max(len(values), 1)
    if not pd.api.types.is_numeric_dtype(values):
        return shares
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    finite = np.isfinite(numbers)
    if not finite.any() or (counts[finite] == 1).mean() <= 0.5:
        return shares
    precision = np.finfo(values.dtype if values.dtype.kind == "f" else float).eps
    step = _written_step(numbers[finite], precision)
    low, high = np.quantile(numbers[finite], [0.25, 0.75])
    reach = max(step, (high - low) / 10)
    ordered = np.sort(numbers[finite])
    near = np.searchsorted(ordered, numbers + reach, "right")
    near -= np.searchsorted(ordered, numbers - reach, "left")
    steps_near = 2 * max(1, int(reach / step))
    shares[finite] = ((near - counts) / len(values) / steps_near)[finite]
    return shares


def _written_step(numbers: np.ndarray, precision: float) -> float:
    """The smallest step the numbers are written in: 1 for whole numbers, 0.01 for two
    decimals (at most ``MAX_DECIMALS``), allowing for the rounding of numbers stored with
    ``precision`` (float32 holds 1234.56 as 1234.5601)."""
    slack = max(1e-6, 4 * precision * float(np.abs(numbers).max()))
    for decimals in range(MAX_DECIMALS + 1):
        scaled = numbers * 10.0**decimals
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=slack * 10.0**decimals):
            return 10.0**-decimals
    return 10.0**-MAX_DECIMALS


def labelled_position(context: Context) -> np.ndarray:
    """Each row's position in ``context.labelled`` (-1 if unlabelled), made once."""

    def positions() -> np.ndarray:
        position = np.full(len(context.labels), -1)
        position[context.labelled] = np.arange(len(context.labelled))
        return position

    return context.computed_once("labelled_position", positions)


def majority_label(context: Context, group: np.ndarray) -> str:
    """The group's most frequent class; ties go to the class the model favours on the group."""
    positions = labelled_position(context)[group]
    votes = np.bincount(context.targets[positions], minlength=len(context.classes))
    support = context.probabilities[positions].sum(axis=0)
    best = np.lexsort((-np.arange(len(votes)), support, votes))[-1]
    return context.classes[best]


def relabelled(
    context: Context, group: np.ndarray, majority: str, *, clear_by: float | None
) -> np.ndarray:
    """Which rows of the group the majority should relabel: those of another class, and with
    ``clear_by`` only those whose own label the scan's posterior finds less likely than the
    majority's by more than that (membership of a group of near copies is no evidence against
    a label the model supports: a stock comment shared by unrelated rows made such groups)."""
    positions = labelled_position(context)[group]
    wanted = context.classes.index(majority)
    other = context.targets[positions] != wanted
    if clear_by is None:
        return other
    belief = context.probabilities if context.posterior is None else context.posterior
    own = belief[positions, context.targets[positions]]
    return other & (belief[positions, wanted] - own > clear_by)


def group_issues(
    kind: str,
    context: Context,
    groups: list[np.ndarray],
    *,
    severity: float,
    what: str,
    clear_by: float | None = None,
    drop_unchanged: bool = False,
) -> list[Issue]:
    """One issue per row of each group; the rows the majority relabels (:func:`relabelled`)
    get ``severity`` and the majority as suggestion, the others half of it and their own label.
    With ``drop_unchanged`` (near copies, which may be unrelated rows) groups with no row to
    relabel are left out.

    Each issue describes its group within bounds (a few rows, the commonest labels), so that a
    group of thousands costs thousands of short issues, not thousands of long ones.
    """
    issues = []
    for group in groups:
        majority = majority_label(context, group)
        corrected = relabelled(context, group, majority, clear_by=clear_by)
        if drop_unchanged and not corrected.any():
            continue
        group_id = f"{kind}:{int(group[0])}"
        message, details = describe_group(context, group, what)
        for row, relabel in zip(group, corrected, strict=True):
            agrees = context.canonical[row] == majority
            issues.append(
                Issue(
                    kind=kind,
                    row=int(row),
                    severity=severity if relabel else severity / 2,
                    given_label=context.labels[row],
                    suggested_label=majority if relabel or agrees else context.labels[row],
                    group=group_id,
                    message=message,
                    details={**details, "majority": majority},
                )
            )
    return issues


MAX_LISTED = 10
"""Rows, and labels, a group's description names; the rest are counted."""


def describe_group(context: Context, group: np.ndarray, what: str) -> tuple[str, dict]:
    """A group's message and evidence: its size, its first rows and its commonest labels."""
    listed = {int(row): context.labels[row] for row in group[:MAX_LISTED]}
    counts = pd.Series([str(context.labels[row]) for row in group]).value_counts(sort=False)
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    labels = " / ".join(sorted(counts.index[:MAX_LISTED]))
    if len(counts) > MAX_LISTED:
        labels += f" and {len(counts) - MAX_LISTED} more"
    names = ", ".join(map(str, listed))
    rows = f"rows {names}"
    if len(group) > MAX_LISTED:
        rows = f"{len(group)} rows ({names} and {len(group) - MAX_LISTED} more)"
    details = {
        "group_size": len(group),
        "rows": listed,
        "labels": {label: int(n) for label, n in counts.iloc[:MAX_LISTED].items()},
    }
    return f"{what} of {rows}, labelled {labels}", details
