"""Which rows are near copies of each other: the shared part of ``near_duplicates`` (copies with
different labels) and ``split_leakage`` (copies across splits); not a detector itself.

Text: cosine similarity of hashed vectors of the words present (each once), pairs found by
random-hyperplane hashing (see ``near_duplicates`` for why these choices); the other columns
must be equal once numbers are rounded to 2 significant digits (a table: the rounded columns
alone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from databugs.detectors.base import Context
from databugs.detectors.content import groups_of_equal, normalised_content

if TYPE_CHECKING:
    import scipy.sparse as sp

BANDS, BITS = 16, 12
ROUND_DIGITS = 2
HASHED_FEATURES = 2**16
# Of 192 bits, a pair at cosine 0.95 differs in 19 on average (sd 4): 40 keeps nearly all of
# them and drops unrelated pairs (cosine 0.3 differs in 78) before the exact check.
MAX_DIFFERING_BITS = 40


def word_vectors(texts: pd.Series) -> sp.csr_matrix:
    """Unit-length vectors of the words present, hashed: no vocabulary to fit, no word
    dropped. Each word counts once: counted, a repeated token (a tweet opening with 50
    ``@user``) outweighs the rest, and unrelated tweets with such openings were near copies."""
    from sklearn.feature_extraction.text import HashingVectorizer

    vectorizer = HashingVectorizer(
        n_features=HASHED_FEATURES,
        alternate_sign=False,
        binary=True,
        norm="l2",
        dtype=np.float32,
    )
    return vectorizer.transform(texts)


def similar_pairs(unit: sp.csr_matrix, *, min_cosine: float, seed: int) -> np.ndarray:
    """Pairs ``(i, j)`` of unit-length rows whose cosine similarity is at least ``min_cosine``.

    Not every similar pair is returned, but enough to connect every group of similar rows.
    """
    used = np.unique(unit.indices)  # random planes only for the features that occur
    rng = np.random.default_rng(seed)
    planes = rng.standard_normal((len(used), BANDS * BITS), dtype=np.float32)
    bits = np.asarray(unit[:, used] @ planes) > 0
    weights = 1 << np.arange(BITS)
    candidates = [
        _bucket_links(bits[:, band * BITS : (band + 1) * BITS] @ weights) for band in range(BANDS)
    ]
    linked = np.sort(np.concatenate(candidates), axis=1).astype(np.int64)
    codes = np.unique(linked[:, 0] * unit.shape[0] + linked[:, 1])  # 1-D unique is fast
    pairs = np.column_stack([codes // unit.shape[0], codes % unit.shape[0]])
    packed = np.packbits(bits, axis=1)
    differing = np.unpackbits(packed[pairs[:, 0]] ^ packed[pairs[:, 1]], axis=1).sum(axis=1)
    pairs = pairs[differing <= MAX_DIFFERING_BITS]  # cheap pre-check before the exact one
    if len(pairs) == 0:
        return pairs
    cosine = np.asarray(unit[pairs[:, 0]].multiply(unit[pairs[:, 1]]).sum(axis=1)).ravel()
    return pairs[cosine >= min_cosine]


def _bucket_links(keys: np.ndarray) -> np.ndarray:
    """Within each bucket of equal keys: each row to the bucket's first row and to the next row.

    Linear in the number of rows, however crowded a bucket is.
    """
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    first = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
    to_first = np.column_stack([first, order])[~starts]
    same_next = np.flatnonzero(~starts[1:])
    to_next = np.column_stack([order[same_next], order[same_next + 1]])
    return np.concatenate([to_first, to_next])


def components(pairs: np.ndarray, size: int) -> np.ndarray:
    """Component number of each of ``size`` nodes joined by ``pairs``."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    graph = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(size, size))
    return connected_components(graph, directed=False)[1]


def joined_texts(context: Context) -> pd.Series:
    """Each row's text columns, folded, as one string (made once per scan: near copies and
    leaked pairs read it, the latter once per pair)."""
    return context.computed_once("joined_texts", lambda: _joined(context))


def _joined(context: Context) -> pd.Series:
    content = normalised_content(context)
    columns = [content[c].astype(str) for c in context.features.text_columns]
    texts = columns[0]
    for column in columns[1:]:
        texts = texts + " | " + column
    return texts


def other_columns_hashes(context: Context) -> np.ndarray:
    """One hash per row of its used columns other than text, numbers rounded: rows whose texts
    are near copies are near copies only if these are equal too (the same stock comment on
    different measurements is no copy)."""
    rounded = normalised_content(context, round_numbers=ROUND_DIGITS)
    others = rounded.drop(columns=context.features.text_columns)
    if others.columns.empty:
        return np.zeros(len(rounded), dtype=np.uint64)
    return pd.util.hash_pandas_object(others, index=False).to_numpy()


def near_copy_groups(context: Context, rows: np.ndarray, *, min_cosine: float) -> list[np.ndarray]:
    """Groups of ``rows`` that are near copies: texts at cosine ``min_cosine`` or more and the
    other columns equal once rounded (a table: the rounded columns alone). Made once per scan
    for the same rows: ``near_duplicates`` and ``split_leakage`` both ask for every row when
    every row is labelled."""
    key = ("near_copy_groups", min_cosine, rows.astype(np.int64).tobytes())
    return context.computed_once(key, lambda: _near_copy_groups(context, rows, min_cosine))


def _near_copy_groups(context: Context, rows: np.ndarray, min_cosine: float) -> list[np.ndarray]:
    others = other_columns_hashes(context)
    if not context.features.text_columns:
        return groups_of_equal(others, rows)
    return [
        same
        for group in text_groups(joined_texts(context), rows, min_cosine, context.seed)
        for same in groups_of_equal(others, group)
    ]


def text_groups(
    texts: pd.Series, rows: np.ndarray, min_cosine: float, seed: int
) -> list[np.ndarray]:
    """Groups of ``rows`` whose texts are near copies (identical texts hashed once)."""
    position, distinct = pd.factorize(texts.iloc[rows])
    unit = word_vectors(pd.Series(distinct))
    pairs = similar_pairs(unit, min_cosine=min_cosine, seed=seed)
    if len(pairs) == 0:
        return []
    component = components(pairs, len(distinct))[position]
    linked = np.isin(position, np.unique(pairs))
    return [rows[group] for group in groups_of_equal(component, np.flatnonzero(linked))]
