"""Rows with the same content and different labels: one group, the majority suggested."""

from __future__ import annotations

from pathlib import Path

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


def test_equal_rows_of_one_column_are_found_but_not_relabelled_by_their_majority() -> None:
    """One column of the letters sample: 2,000 rows in a few groups of equal values, each
    spanning many letters. The groups are reported; the majority is no evidence (it relabelled
    1,753 rows, label accuracy 0.92 -> 0.13)."""
    letters = Path(__file__).parents[2] / "examples" / "letters_sample.csv"
    frame = pd.read_csv(letters)[["label", "x.bar"]]
    report = databugs.scan(frame, label="label", detectors=["conflicting_duplicates"])
    found = _kinds(report, "conflicting_duplicates")
    assert len({issue.row for issue in found}) > 0.9 * len(frame)
    changed = [issue for issue in found if issue.suggested_label != issue.given_label]
    assert len(changed) <= 0.01 * len(frame)
