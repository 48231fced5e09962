"""Class pairs the labels and the model confuse: a swapped pair is found."""

from __future__ import annotations

import numpy as np

import databugs
from tests.conftest import _kinds


def test_confusable_classes_on_swapped_pair(shared_dataset) -> None:
    frame = shared_dataset("digits")
    rng = np.random.default_rng(0)
    ones = frame.index[frame["label"] == "1"]
    sevens = frame.index[frame["label"] == "7"]
    frame.loc[rng.choice(ones, 40, replace=False), "label"] = "7"
    frame.loc[rng.choice(sevens, 40, replace=False), "label"] = "1"
    report = databugs.scan(frame, jobs=2)
    pairs = [
        set(issue.group.split(":")[1].split("|")) for issue in _kinds(report, "confusable_classes")
    ]
    assert pairs and pairs[0] == {"1", "7"}
