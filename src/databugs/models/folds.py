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
