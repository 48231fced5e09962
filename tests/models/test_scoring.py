"""Label quality is the posterior of the given label: contradicted rows rank first."""

from __future__ import annotations

import numpy as np

from databugs.models.scoring import label_quality
from tests.conftest import _clean_block


def test_quality_orders_contradicted_rows_first() -> None:
    targets, probs = _clean_block()
    targets.append(0)
    probs.append([0.02, 0.95, 0.03])
    quality = label_quality(np.array(probs), np.array(targets))
    assert quality.argmin() == 12
