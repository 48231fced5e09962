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
