"""The folds every task's models are fitted in, with a test split kept out of them.

A scan with ``--test`` or ``--split-col`` scores its test rows as a test set is scored: by
models trained on the training rows only. So the out-of-fold folds are made of the training
rows alone, and one more fit on all of them predicts the held-out rows. Classes, numbers and
tag sets make their folds differently (stratified on the class, plain, or on the rarest tag);
this is where they all keep the held-out rows out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

Split = tuple[np.ndarray, np.ndarray]
"""A fit's training rows and the rows it predicts."""


def splits_around(
    make_folds: Callable[[np.ndarray], list[Split]], rows: int, held_out: np.ndarray | None
) -> list[Split]:
    """Folds of the ``rows`` not ``held_out``, then (if any are held out) every one of those
    rows to train on and the held-out rows to predict. ``make_folds(kept)`` makes folds of the
    kept rows, as positions in ``kept``."""
    if held_out is None or not held_out.any():
        return [(np.asarray(a), np.asarray(b)) for a, b in make_folds(np.arange(rows))]
    kept = np.flatnonzero(~held_out)
    folds = [(kept[a], kept[b]) for a, b in make_folds(kept)]
    return [*folds, (kept, np.flatnonzero(held_out))]


def cross_folds(splits: list[Split], held_out: np.ndarray | None) -> int:
    """How many out-of-fold folds ``splits`` holds (the held-out rows' fit is not one)."""
    return len(splits) - int(held_out is not None and bool(held_out.any()))


def identical_rows(
    matrix: np.ndarray | sp.spmatrix, labels: np.ndarray, seed: int = 0
) -> np.ndarray:
    """A key per row shared by the rows whose features and label are identical (two seeded
    random projections of the features, and the label). Missing values count as one value."""
    rng = np.random.default_rng(seed)
    projections = rng.random((matrix.shape[1], 3))
    if sp.issparse(matrix):
        projected = np.asarray(matrix @ projections[:, :2])
    else:  # the values and where they are missing, projected apart
        dense = np.asarray(matrix, dtype=np.float64)
        missing = np.isnan(dense)
        projected = np.c_[
            np.where(missing, 0.0, dense) @ projections[:, :2], missing @ projections[:, 2]
        ]
    labelled = np.column_stack([projected, np.asarray(labels, dtype=np.float64)])
    return np.unique(labelled, axis=0, return_inverse=True)[1].ravel()


MAX_COPIES = 5
"""Sets of identical rows up to this size are kept in one fold: a re-import or a join makes a
few copies of a row; a value combination held by dozens of rows (a table of a few categorical
columns) is the data's own grain, and holding it out of every fold would hide it from the
model."""


def kept_together(splits: list[Split], keys: np.ndarray, labels: np.ndarray) -> list[Split]:
    """The folds with every set of rows sharing a key in the fold of its first row: copies of
    a row with one label in different folds teach the model that label for each other, and a
    wrong label held by three copies confirmed itself (0 of 50 such rows found, 22 of 22 with
    one copy each). Copies whose labels differ stay where they are: each is told by the other.
    A set is moved only where it holds at most ``MAX_COPIES`` rows and its class keeps a row
    per fold outside it (else the class is that one row, which no fold could learn), and
    nothing where a fold would be empty."""
    fold_of = np.empty(len(keys), dtype=int)
    for fold, (_, predicted) in enumerate(splits):
        fold_of[predicted] = fold
    sizes = np.bincount(keys)
    others = np.bincount(labels)[labels] - sizes[keys]
    moved = (sizes[keys] > 1) & (sizes[keys] <= MAX_COPIES) & (others >= len(splits))
    if not moved.any():
        return splits
    first = np.full(len(sizes), len(keys))
    np.minimum.at(first, keys[moved], np.flatnonzero(moved))
    fold_of[moved] = fold_of[first[keys[moved]]]
    together = [
        (np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold))
        for fold in range(len(splits))
    ]
    return together if all(len(a) and len(b) for a, b in together) else splits
