"""Rows with the same content and different labels: one group, the majority suggested."""

from __future__ import annotations

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
