"""Label quality per row: the probability that its given label is right.

It is the calibrated posterior of the given label (see :mod:`databugs.models.calibration`),
so it reads as a probability: 0.1 means "wrong nine times in ten". Severity of a label issue is
``1 - quality``. Probabilities must be out-of-fold.
"""

from __future__ import annotations

import numpy as np


def label_quality(posterior: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Each row's posterior probability of its given class.

    >>> label_quality(np.array([[0.9, 0.1], [0.3, 0.7]]), np.array([0, 0])).tolist()
    [0.9, 0.3]
    """
    return posterior[np.arange(len(targets)), targets]


def severity(quality: float) -> float:
    """Severity of a label issue from its quality: 1 is the worst."""
    return float(1.0 - quality)
