"""Nearly identical rows with different labels, in text and in tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

import databugs
from databugs.detectors.near_duplicates import similar_pairs, word_vectors
from tests.conftest import _kinds, make_blobs_table


def test_near_duplicate_texts_are_found_without_all_pairs() -> None:
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(3000)])
    texts = [" ".join(rng.choice(words, 30)) for _ in range(2000)]
    texts[1500] = texts[10] + " extra"  # a near copy
    pairs = similar_pairs(word_vectors(pd.Series(texts)), min_cosine=0.9, seed=0)
    assert [tuple(pair) for pair in pairs] == [(10, 1500)]


def test_near_duplicates_in_a_table() -> None:
    frame = make_blobs_table(rows=300, seed=8)
    frame.loc[200, ["weight", "height", "colour"]] = frame.loc[20, ["weight", "height", "colour"]]
    frame.loc[200, "weight"] += 0.001
    frame.loc[200, "label"] = "bird" if frame.loc[20, "label"] != "bird" else "cat"
    report = databugs.scan(frame, jobs=1)
    found = _kinds(report, "near_duplicates")
    assert sorted(issue.row for issue in found) == [20, 200]
