"""Rows with the same content and different labels: one group, the majority suggested."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import databugs
from tests.conftest import _kinds


def test_conflicting_duplicates_suggest_the_majority() -> None:
    frame = pd.DataFrame(
        {
            "text": ["Win a FREE prize now", "win a free   prize now", "WIN A FREE PRIZE NOW"]
            + [f"meeting moved to {day} afternoon with the team" for day in range(60)]
            + [f"claim your cash reward number {n} today" for n in range(60)],
            "label": ["spam", "spam", "ham"] + ["ham"] * 60 + ["spam"] * 60,
        }
    )
    report = databugs.scan(frame, jobs=1)
    found = _kinds(report, "conflicting_duplicates")
    assert sorted(issue.row for issue in found) == [0, 1, 2]
    assert {issue.suggested_label for issue in found} == {"spam"}
    assert report.rows.loc[2, "suggested_label"] == "spam"


LETTERS = Path(__file__).parents[2] / "examples" / "letters_sample.csv"


def test_equal_rows_of_a_few_coded_columns_are_one_finding_not_copies() -> None:
    """Two columns of the letters sample (16 values each): 2,000 rows in groups of equal
    values spanning many letters, as many as the columns' value shares predict. They are no
    copies (the majority relabelled 1,753 rows of one column: accuracy 0.92 -> 0.13): one
    dataset-level finding says the columns cannot tell them apart, and nothing is relabelled."""
    frame = pd.read_csv(LETTERS)[["label", "x.bar", "y.bar"]]
    report = databugs.scan(
        frame, label="label", detectors=["conflicting_duplicates", "indistinct_rows"]
    )
    assert _kinds(report, "conflicting_duplicates") == []
    [finding] = _kinds(report, "indistinct_rows")
    assert finding.row is None and finding.suggested_label is None
    assert finding.details["rows"] > 0.9 * len(frame)
    assert finding.details["columns"] == ["x.bar", "y.bar"]
    group = finding.details["largest_group"]
    assert len(frame.loc[group, ["x.bar", "y.bar"]].drop_duplicates()) == 1
    assert frame.loc[group, "label"].nunique() > 1


def test_rows_copied_in_a_table_are_copies_beside_chance_equal_ones() -> None:
    """Every column of the letters sample, four rows written over others with another label:
    those four pairs are copies (beside the sample's own four groups of equal rows with two
    letters: 16 columns of 16 values rarely meet by chance), and no rows are indistinct."""
    frame = pd.read_csv(LETTERS)
    targets = [1000, 1200, 1400, 1600]
    for source, target in zip([3, 50, 400, 700], targets, strict=True):
        frame.loc[target] = frame.loc[source]
        frame.loc[target, "label"] = "Z" if frame.loc[source, "label"] != "Z" else "Y"
    report = databugs.scan(
        frame, label="label", detectors=["conflicting_duplicates", "indistinct_rows"]
    )
    found = {issue.row for issue in _kinds(report, "conflicting_duplicates")}
    own = {1102, 1481, 2, 482, 1472, 310, 935, 921, 1143, 1800, 1951}
    assert found == {3, 50, 400, 700, *targets} | own
    assert _kinds(report, "indistinct_rows") == []


def test_a_copy_in_a_table_of_every_combination_once_is_a_copy() -> None:
    """A balance scale: four columns of 1-5, each combination once (625 rows), a row written
    again with another label. Were the columns independent, equal rows would be common; but
    no two rows of this table are equal unless copied, and copies given another label never
    agree: the copy is reported (it was taken for chance)."""
    import itertools

    weights = list(itertools.product(range(1, 6), repeat=4))
    frame = pd.DataFrame(weights, columns=["left_weight", "left_arm", "right_weight", "right_arm"])
    moment = frame["left_weight"] * frame["left_arm"] - frame["right_weight"] * frame["right_arm"]
    frame["label"] = np.select([moment > 0, moment < 0], ["L", "R"], "B")
    copied = frame.iloc[[10, 300]].assign(label=["B", "R"])  # rows 10 and 300: R and L
    frame = pd.concat([frame, copied], ignore_index=True)
    report = databugs.scan(
        frame, label="label", detectors=["conflicting_duplicates", "indistinct_rows"]
    )
    found = {issue.row for issue in _kinds(report, "conflicting_duplicates")}
    assert found == {10, 300, 625, 626}
    assert _kinds(report, "indistinct_rows") == []
