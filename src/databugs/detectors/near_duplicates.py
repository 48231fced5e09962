"""Nearly identical rows with different labels.

Text: cosine similarity of the rows' TF-IDF vectors of at least 0.9, found without an all-pairs
loop by random-hyperplane hashing (16 bands of 12 bits find a pair at 0.9 with probability
0.93, at 0.95 with 0.995), each candidate pair then checked exactly. Tables: rows equal once
numbers are rounded to 2 significant digits. Groups that are exact copies are left to
``conflicting_duplicates``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.preprocessing import normalize

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.content import (
    conflicting_groups,
    content_hashes,
    group_issues,
    groups_of_equal,
    normalised_content,
)
from databugs.detectors.registry import register

SEVERITY = 0.7
MIN_COSINE = 0.9
BANDS, BITS = 16, 12
MAX_BUCKET = 500
ROUND_DIGITS = 2


def similar_pairs(matrix: sp.csr_matrix, *, min_cosine: float, seed: int) -> np.ndarray:
    """Pairs ``(i, j)``, i < j, of rows whose cosine similarity is at least ``min_cosine``."""
    unit = normalize(sp.csr_matrix(matrix, dtype=np.float32))
    rng = np.random.default_rng(seed)
    planes = rng.standard_normal((unit.shape[1], BANDS * BITS)).astype(np.float32)
    bits = (unit @ planes) > 0
    weights = 1 << np.arange(BITS)
    candidates = [
        _same_bucket_pairs(bits[:, band * BITS : (band + 1) * BITS] @ weights)
        for band in range(BANDS)
    ]
    if not candidates:
        return np.empty((0, 2), dtype=int)
    pairs = np.unique(np.sort(np.concatenate(candidates), axis=1), axis=0)
    cosine = np.asarray(unit[pairs[:, 0]].multiply(unit[pairs[:, 1]]).sum(axis=1)).ravel()
    return pairs[cosine >= min_cosine]


def _same_bucket_pairs(keys: np.ndarray) -> np.ndarray:
    """All pairs of rows sharing a key, skipping buckets of more than MAX_BUCKET rows.

    Rows sorted by key; a pair at distance d in that order shares the key. Looping over d (not
    over buckets) keeps the work in numpy; it stops at the largest bucket's size.
    """
    order = np.argsort(keys, kind="stable")
    ordered = keys[order].astype(np.int64)
    _, inverse, sizes = np.unique(ordered, return_inverse=True, return_counts=True)
    crowded = sizes[inverse] > MAX_BUCKET
    ordered[crowded] = -1 - np.flatnonzero(crowded)  # a key of their own: no pairs
    pairs = []
    for distance in range(1, len(ordered)):
        same = np.flatnonzero(ordered[distance:] == ordered[:-distance])
        if len(same) == 0:
            break
        pairs.append(np.column_stack([order[same], order[same + distance]]))
    return np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=int)


def components(pairs: np.ndarray, size: int) -> list[np.ndarray]:
    """Connected groups of rows joined by ``pairs``."""
    if len(pairs) == 0:
        return []
    graph = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    linked = np.unique(pairs)
    return groups_of_equal(labels, linked)


@register
class NearDuplicates(Detector):
    name = "near_duplicates"
    description = (
        "nearly identical rows (text cosine >= 0.9; tables equal after rounding) with "
        "different labels"
    )

    def __init__(self, *, min_cosine: float = MIN_COSINE, seed: int = 0) -> None:
        self.min_cosine = min_cosine
        self.seed = seed

    def detect(self, context: Context) -> list[Issue]:
        labelled = context.labelled
        exact = content_hashes(normalised_content(context))
        if context.features.kind == "text":
            matrix = context.features.matrix[labelled]
            pairs = labelled[similar_pairs(matrix, min_cosine=self.min_cosine, seed=self.seed)]
            groups = components(pairs, len(context.labels))
        else:
            rounded = content_hashes(normalised_content(context, round_numbers=ROUND_DIGITS))
            groups = groups_of_equal(rounded, labelled)
        near = [group for group in groups if len(set(exact[group])) > 1]
        conflicting = conflicting_groups(context, near)
        return group_issues(self.name, context, conflicting, severity=SEVERITY, what="near copies")
