"""Rows as short dense vectors: the space the neighbours are found in and the map is drawn from.

The scan's own features, made comparable: a table's columns standardised (a missing value sits
at its column's mean), text's TF-IDF rows reduced by TruncatedSVD and set to unit length (so
that near means "uses the same words", whatever the length). The SVD is fitted on a seeded
sample of rows, so 100,000 rows cost about what 10,000 do.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

from databugs.data.features import FeatureSet
from databugs.models.engines import on_one_thread

DIMENSIONS = 32
FIT_SAMPLE = 10_000
"""Rows the SVD is fitted on, at most (every row is then transformed). 10,000 instead of 20,000
took 0.12 -> 0.08 s on 60,000 distinct texts of the pool with the same share of neighbours
labelled alike (0.240)."""
FIT_TERMS = 10_000
"""Columns of a sparse matrix the SVD sees: the most used in the fitted rows (the rarer ones
hardly move 32 directions; 49,000 TF-IDF columns of sms_spam made the SVD the map's dearest
step)."""


def row_vectors(features: FeatureSet, seed: int) -> np.ndarray:
    """One float32 vector of at most ``DIMENSIONS`` per row, in the order of the data."""
    matrix = features.matrix
    if sp.issparse(matrix):
        vectors = _reduced(sp.csr_matrix(matrix, dtype=np.float32), seed)
        return normalize(vectors).astype(np.float32)
    dense = np.asarray(matrix, dtype=np.float64)  # cells near 1e38 overflow float32's sums
    if dense.ndim != 2 or dense.shape[1] == 0 or not len(dense):
        return np.zeros((len(dense), 1), dtype=np.float32)
    mean = np.nan_to_num(np.nanmean(dense, axis=0))
    spread = np.nan_to_num(np.nanstd(dense, axis=0))
    if dense is matrix:
        dense = dense.copy()  # the scan's features, not ours to change
    dense -= mean
    dense /= np.where(spread > 0, spread, 1.0)  # in place: one float64 copy of the rows at most
    standard = np.nan_to_num(dense, copy=False).astype(np.float32)
    if standard.shape[1] <= DIMENSIONS:
        return standard
    return _reduced(standard, seed)


def _reduced(matrix: np.ndarray | sp.csr_matrix, seed: int) -> np.ndarray:
    """``matrix`` projected on its leading singular directions (fitted on a sample)."""
    rows, columns = matrix.shape
    components = min(DIMENSIONS, columns - 1, max(rows - 1, 1))
    if components < 1:
        return np.zeros((rows, 1), dtype=np.float32)
    sample = matrix
    if rows > FIT_SAMPLE:
        chosen = np.random.default_rng(seed).choice(rows, FIT_SAMPLE, replace=False)
        sample = matrix[np.sort(chosen)]
    if sp.issparse(matrix) and columns > FIT_TERMS:
        used = np.sort(np.argsort(-sample.getnnz(axis=0), kind="stable")[:FIT_TERMS])
        matrix, sample = matrix[:, used], sample[:, used]
    with on_one_thread():
        svd = TruncatedSVD(n_components=components, n_iter=4, random_state=seed).fit(sample)
        return np.asarray(svd.transform(matrix), dtype=np.float32)
