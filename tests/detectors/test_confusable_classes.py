"""Class pairs the labels and the model confuse: a swapped pair is found."""

from __future__ import annotations

import numpy as np

import databugs
from tests.conftest import _kinds, make_blobs_table


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


def test_overlap_never_exceeds_the_rows_of_the_pair() -> None:
    """Most birds relabelled cat: the estimated swap (about the birds' true count) is larger
    than the 5 rows still labelled bird; the finding must not claim 860% of them, nor 43 rows."""
    table = make_blobs_table()
    birds = table.index[table["label"] == "bird"]
    table.loc[birds[5:], "label"] = "cat"
    issues = _kinds(databugs.scan(table, label="label", jobs=1), "confusable_classes")
    assert issues
    for issue in issues:
        assert issue.details["share_of_smaller_class"] <= 1.0
        share = int(issue.message.split("(")[1].split("%")[0])
        assert share <= 100
        told = int(issue.message.split("overlap on about ")[1].split(" rows")[0])
        assert told == issue.details["rows"] <= 5  # nor more rows than the 5 birds
