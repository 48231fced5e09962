"""Classes far below their share of rows (and the rare-class rows listed with them)."""

from __future__ import annotations

import databugs
from tests.conftest import _kinds, make_blobs_table


def test_class_imbalance_and_rare_class() -> None:
    frame = make_blobs_table(rows=400, seed=5)
    birds = frame.index[frame["label"] == "bird"]
    frame = frame.drop(birds[6:]).reset_index(drop=True)  # 6 birds left
    report = databugs.scan(frame, jobs=1)
    imbalance = _kinds(report, "class_imbalance")
    assert [issue.given_label for issue in imbalance] == ["bird"]
    assert imbalance[0].row is None
    assert imbalance[0].details["count"] == 6 and 0 <= imbalance[0].details["recall"] <= 1
    rare = _kinds(report, "rare_class")
    assert len(rare) == 6 and {issue.group for issue in rare} == {"rare:bird"}


def test_a_class_of_one_row_is_counted_as_one_row() -> None:
    """A totals row labelled ``Total`` under the blobs: every message said "1 rows"."""
    frame = make_blobs_table(rows=300, seed=5)
    frame.loc[300] = [0.5, 0.5, "red", "Total"]
    frame.loc[301] = [0.4, 0.6, "blue", None]  # and a row without a label
    report = databugs.scan(frame, jobs=1)
    [rare] = _kinds(report, "rare_class")
    assert rare.message == "'Total' has only 1 row (fewer than 10)"
    [imbalance] = _kinds(report, "class_imbalance")
    assert imbalance.message.startswith("'Total' has 1 row, ")
    assert "class 'Total' has 1 row, fewer than the 5 folds" in " ".join(report.notes)
    assert "1 row without a label: not scored" in report.notes
