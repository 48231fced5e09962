"""Declared classes with no rows, and labels that were not declared."""

from __future__ import annotations

import databugs
from tests.conftest import _kinds, make_blobs_table


def test_missing_and_undeclared_classes() -> None:
    frame = make_blobs_table(rows=300, seed=6)
    frame.loc[[3, 9], "label"] = "brid"  # a stray typo that is not a class
    report = databugs.scan(frame, classes=["cat", "dog", "bird", "fish"], jobs=1)
    found = _kinds(report, "missing_class")
    missing = [issue for issue in found if issue.row is None]
    assert [issue.given_label for issue in missing] == ["fish"]
    undeclared = sorted((i.row, i.suggested_label) for i in found if i.row is not None)
    assert undeclared == [(3, "bird"), (9, "bird")]
