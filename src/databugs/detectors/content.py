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
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            columns[use.column] = pd.Series(numbers, index=frame.index)
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


def majority_label(context: Context, group: np.ndarray) -> str:
    """The group's most frequent class; ties go to the class the model favours on the group."""
    position = {row: i for i, row in enumerate(context.labelled)}
    votes = np.zeros(len(context.classes))
    support = np.zeros(len(context.classes))
    for row in group:
        votes[context.targets[position[row]]] += 1
        support += context.probabilities[position[row]]
    best = np.lexsort((-np.arange(len(votes)), support, votes))[-1]
    return context.classes[best]


def group_issues(
    kind: str, context: Context, groups: list[np.ndarray], *, severity: float, what: str
) -> list[Issue]:
    """One issue per row of each group, suggesting the group's majority class.

    Rows that disagree with the majority get ``severity``; the others half of it.
    """
    issues = []
    for group in groups:
        majority = majority_label(context, group)
        group_id = f"{kind}:{int(group[0])}"
        labels = {int(row): context.labels[row] for row in group}
        for row in group:
            disagrees = context.canonical[row] != majority
            issues.append(
                Issue(
                    kind=kind,
                    row=int(row),
                    severity=severity if disagrees else severity / 2,
                    given_label=context.labels[row],
                    suggested_label=majority,
                    group=group_id,
                    message=f"{what} of rows {', '.join(map(str, labels))}, "
                    f"labelled {' / '.join(sorted(set(map(str, labels.values()))))}",
                    details={"rows": labels, "majority": majority},
                )
            )
    return issues
