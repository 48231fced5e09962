"""The same rows in two splits: leakage that inflates every score measured on the test split.

Three ways a row leaks, each a pair of rows in different splits, whatever their labels:
identical content (as ``conflicting_duplicates`` compares rows), near copies (as
``near_duplicates`` does: text cosine >= 0.95, other columns equal once rounded; text only, as
tables of a few columns share rounded values by chance), and rows equal
but for one word of their text or one cell of their table. The last is found without comparing
all pairs: each row is hashed once per word (or cell) with that word masked, and two rows
sharing such a hash differ in that word alone. A masked hash shared by more than two rows is
a template (``What is the capital of *?``), not a copy, and is left out; so are texts of fewer
than ``min_words`` words (3: with 6, a third of the planted one-word changes of the pool's
short texts were missed; the cost is that two different short sentences one word apart,
"it 's icky ." / "it 's painful .", are paired too) and tables of fewer than ``MIN_CELLS``
used columns, where one changed cell is much of the row.

Each pair is one finding (its two rows share a group), naming both rows, their splits and
files. Leakage is no label error: nothing is suggested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from databugs.data.task import TASKS
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.content import content_hashes, groups_of_equal, normalised_content
from databugs.detectors.empty_cells import empty_rows
from databugs.detectors.registry import register
from databugs.detectors.similarity import (
    ROUND_DIGITS,
    joined_texts,
    near_copy_groups,
    other_columns_hashes,
)

SEVERITY = {"identical": 0.9, "near copy": 0.75, "one word changed": 0.7, "one cell changed": 0.7}
ONE_CHANGED = "one token changed"
"""How a pair one word or cell apart is found, before it is told which (``_what_changed``)."""
SHOWN_CHARACTERS = 40
MIN_WORDS = 3
MIN_CELLS = 5
_MIX = np.uint64(0x9E3779B97F4A7C15)


@register
class SplitLeakage(Detector):
    name = "split_leakage"
    needs = ("splits", "model")
    tasks = TASKS  # they read rows, not classes
    description = (
        "the same row in two splits (identical, near copies, or one word or cell changed): "
        "leakage that inflates test scores"
    )

    def __init__(self, *, min_cosine: float = 0.95, min_words: int = MIN_WORDS) -> None:
        self.min_cosine = min_cosine
        self.min_words = min_words

    def detect(self, context: Context) -> list[Issue]:
        if len(context.splits.present()) < 2:
            return []
        rows = np.flatnonzero(~empty_rows(context))  # blank rows are outliers, not leaks
        exact = content_hashes(context)
        found: dict[tuple[int, int], str] = {}
        ways = [("identical", groups_of_equal(exact, rows))]
        if context.features.text_columns:  # a table's rounded copies: chance in few columns
            ways.append(("near copy", near_copy_groups(context, rows, min_cosine=self.min_cosine)))
        ways.append((ONE_CHANGED, one_token_apart(context, self.min_words)))
        for how, groups in ways:
            for pair in _cross_split_pairs(context.splits.names, groups):
                found.setdefault(pair, how)
        return [
            issue
            for pair, how in sorted(found.items())
            for issue in _pair_issues(context, pair, how)
        ]


def _what_changed(context: Context, pair: tuple[int, int]) -> tuple[str, str, list[str]]:
    """How two rows one token apart differ: a word of their text (``one word changed``) or a
    cell of another column (``one cell changed``, also beside an identical text), which, and
    the two values as written."""
    content = normalised_content(context)
    columns = list(content.columns)
    if context.features.text_columns:
        words = [joined_texts(context).iat[row].split() for row in pair]
        changed = [(a, b) for a, b in zip(*words, strict=False) if a != b]
        if changed:
            texts = context.features.text_columns
            return "one word changed", texts[0] if len(texts) == 1 else "text", list(changed[0])
        columns = [c for c in columns if c not in context.features.text_columns]
    rounded = normalised_content(context, round_numbers=ROUND_DIGITS)
    differing = [
        c
        for cells in (rounded, content)  # a text's other columns are compared rounded
        for c in columns
        if not _same_cell(cells[c].iat[pair[0]], cells[c].iat[pair[1]])
    ]
    column = differing[0] if differing else columns[0]
    return "one cell changed", column, [_written(context.frame[column].iat[row]) for row in pair]


def _same_cell(a: object, b: object) -> bool:
    return bool(pd.isna(a) and pd.isna(b)) or a == b


def _written(value: object) -> str:
    return "" if pd.isna(value) else str(value)[:SHOWN_CHARACTERS]


def _cross_split_pairs(splits: np.ndarray, groups: list[np.ndarray]) -> list[tuple[int, int]]:
    """Within each group, each row of a later split paired with the group's first row of the
    earliest split the group has (train before valid before test)."""
    order = {"train": 0, "valid": 1, "test": 2}
    pairs = []
    for group in groups:
        rank = np.array([order[name] for name in splits[group]])
        if rank.min() == rank.max():
            continue
        first = int(group[np.argmin(rank)])
        pairs.extend((first, int(row)) for row in group[rank > rank.min()])
    return pairs


def one_token_apart(context: Context, min_words: int) -> list[np.ndarray]:
    """Pairs of rows (as groups of two) equal but for one word of their text (other columns
    equal once rounded), or for a table one cell; texts of fewer than ``min_words`` words and
    tables of fewer than ``MIN_CELLS`` columns are not paired, nor the rows of a masked hash
    shared by more than two distinct rows (identical rows count once)."""
    exact = content_hashes(context)
    _, first, content_class = np.unique(exact, return_index=True, return_inverse=True)
    values, owners, positions, counts = _tokens(context)
    keys = _masked_keys(values, owners, positions, counts)
    text = bool(context.features.text_columns)
    long_enough = counts[owners] - 1 >= min_words if text else counts[owners] >= MIN_CELLS
    kept = long_enough & np.isin(owners, first)  # one row per distinct content
    keys, owners = keys[kept], owners[kept]
    _, inverse, sizes = np.unique(keys, return_inverse=True, return_counts=True)
    twice = sizes[inverse] == 2
    order = np.argsort(inverse[twice], kind="stable")
    paired = np.unique(np.sort(owners[twice][order].reshape(-1, 2), axis=1), axis=0)
    members = groups_of_equal(content_class, np.arange(len(exact)))
    by_class = {int(content_class[group[0]]): group for group in members}
    return [
        pair
        for a, b in paired
        for pair in _linked(
            by_class.get(content_class[a], [a]), by_class.get(content_class[b], [b])
        )
    ]


def _linked(first: np.ndarray, second: np.ndarray) -> list[np.ndarray]:
    """Each row of one set of identical rows with the first row of the other, both ways."""
    return [np.array([first[0], row]) for row in second] + [
        np.array([row, second[0]]) for row in first[1:]
    ]


def _tokens(context: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every row's tokens as 64-bit hashes, flattened: value, owning row, position in the row,
    and the tokens per row. Text: its words, then one token for the other columns; a table: its
    cells."""
    rows = len(context.labels)
    if context.features.text_columns:
        words = joined_texts(context).str.split()
        counts = words.str.len().to_numpy(dtype=np.int64) + 1
        flat = words.explode().dropna()
        word_hashes = pd.util.hash_array(flat.to_numpy(dtype=object))
        owners = np.repeat(np.arange(rows), counts - 1)
        values = np.empty(len(owners) + rows, dtype=np.uint64)
        owner_all = np.concatenate([owners, np.arange(rows)])
        order = np.argsort(owner_all, kind="stable")
        values[: len(owners)] = word_hashes
        values[len(owners) :] = other_columns_hashes(context)
        values, owner_all = values[order], owner_all[order]
    else:
        content = normalised_content(context)
        cells = np.column_stack(
            [pd.util.hash_pandas_object(content[c], index=False).to_numpy() for c in content]
        )
        counts = np.full(rows, cells.shape[1], dtype=np.int64)
        values, owner_all = cells.ravel(), np.repeat(np.arange(rows), cells.shape[1])
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    positions = np.arange(len(values)) - starts[owner_all]
    return values, owner_all, positions, counts


def _masked_keys(
    values: np.ndarray, owners: np.ndarray, positions: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """For each token, a hash of its row with that token masked (the row's length mixed in):
    rows sharing one differ in that position alone."""
    with np.errstate(over="ignore"):
        weights = _MIX ** (positions.astype(np.uint64) + np.uint64(1))
        weighted = values * weights
        starts = np.r_[0, np.cumsum(counts)[:-1]]  # tokens come row by row, none empty
        totals = np.add.reduceat(weighted, starts)
        masked = totals[owners] - weighted + weights * np.uint64(7)
        return masked ^ (counts[owners].astype(np.uint64) * _MIX)


def _pair_issues(context: Context, pair: tuple[int, int], how: str) -> list[Issue]:
    """The two issues of a leaked pair: one per row, both naming both rows."""
    splits = context.splits
    places = [splits.where(row) for row in pair]
    named = " and ".join(f"row {p['file_row']} of {p['split']} ({p['file']})" for p in places)
    details = {"how": how, "rows": list(pair), "places": places}
    message = f"{how}: {named}"
    if how == ONE_CHANGED:
        how, where, values = _what_changed(context, pair)
        details |= {"how": how, "changed": {"where": where, "values": values}}
        message = f"{how} ({where}: {values[0]!r} / {values[1]!r}): {named}"
    return [
        Issue(
            kind=SplitLeakage.name,
            row=row,
            severity=SEVERITY[details["how"]],
            message=message,
            given_label=context.labels[row],
            group=f"split_leakage:{pair[0]}-{pair[1]}",
            details=details,
        )
        for row in pair
    ]
