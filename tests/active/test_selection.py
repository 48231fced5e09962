"""Which rows to label next: spread over the data, unexplored clusters, small and empty pools."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from databugs.active.selection import select_rows, unexplored_regions
from databugs.data.features import build_features
from tests.conftest import EXAMPLES, make_blobs_table


def test_a_first_batch_with_no_labels_is_spread_over_the_data(tmp_path: Path) -> None:
    frame = make_blobs_table(rows=300, seed=3)
    truth = frame["label"].to_numpy()
    features = build_features(frame, exclude=["label"])
    picked = select_rows(features, [None] * len(frame), budget=6).rows
    assert len(set(picked)) == 6
    assert set(truth[picked]) == {"cat", "dog", "bird"}  # three blobs, all found at once


def test_one_class_labelled_so_far(tmp_path: Path) -> None:
    frame = make_blobs_table(rows=300, seed=4)
    labels = [label if label == "cat" else None for label in frame["label"]]
    features = build_features(frame, exclude=["label"])
    picked = select_rows(features, labels, budget=5).rows
    assert all(labels[row] is None for row in picked)
    assert len(set(frame["label"].to_numpy()[picked]) - {"cat"}) == 2


def test_unexplored_regions_pick_typical_rows_of_unlabelled_clusters() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [10, 0], [0, 10], [10, 10]])
    points = np.vstack([c + rng.normal(0, 0.5, (50, 2)) for c in centres])
    labelled = np.array([0])  # one row of the first cluster
    pool = np.arange(1, 200)
    picked = unexplored_regions(points, labelled, pool, 3, seed=0)
    assert sorted(picked // 50) == [1, 2, 3]


def test_no_unlabelled_rows_and_a_budget_larger_than_the_pool(tmp_path: Path) -> None:
    frame = make_blobs_table(rows=100, seed=5)
    features = build_features(frame, exclude=["label"])
    assert len(select_rows(features, frame["label"].tolist(), budget=10).rows) == 0
    labels = [label if i < 40 else None for i, label in enumerate(frame["label"])]
    picked = select_rows(features, labels, budget=500).rows
    assert sorted(picked) == list(range(40, 100))


def test_a_budget_as_large_as_the_unlabelled_rows_lists_each_row_once() -> None:
    """The SMS sample holds copies: once only copies were left every distance was 0 and the
    same row was picked again and again (one message 22 times, 21 rows never)."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv")
    features = build_features(frame, exclude=["label", "message_id"])
    picked = select_rows(features, [None] * len(frame), budget=len(frame) + 5).rows
    assert sorted(picked) == list(range(len(frame)))
