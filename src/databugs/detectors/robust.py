"""The median and robust spread of numbers, the scale several detectors measure "far" in: a
few wild values (the ones looked for) barely move it, where they would inflate an sd."""

from __future__ import annotations

import numpy as np

MAD_TO_SD = 1.4826
"""The median absolute deviation of normal data times this is its standard deviation."""


def median_and_spread(values: np.ndarray) -> tuple[float, float]:
    """The median and the robust sd (``MAD_TO_SD`` x the median absolute deviation; 0 where
    most values tie)."""
    centre = float(np.median(values))
    return centre, MAD_TO_SD * float(np.median(np.abs(values - centre)))
