"""Label quality per row from out-of-fold probabilities; the one place cleanlab scores are made.

Quality is in [0, 1], low meaning likely mislabelled; severity of a label issue is ``1 - quality``.
Probabilities must be out-of-fold.
"""

from __future__ import annotations

import numpy as np

RANKING_METHOD = "normalized_margin"


def label_quality(targets: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Cleanlab's label quality score of each row's given label.

    >>> import numpy as np
    >>> quality = label_quality(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]]))
    >>> bool(quality[0] > quality[1])
    True
    """
    from cleanlab.rank import get_label_quality_scores  # cleanlab loads when a scan scores

    return get_label_quality_scores(targets, probabilities, method=RANKING_METHOD)


def severity(quality: float) -> float:
    """Severity of a label issue from its quality: 1 is the worst."""
    return float(1.0 - quality)
