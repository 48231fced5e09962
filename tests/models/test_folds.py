"""Folds keep copies of a row with one label together: copies in different folds confirmed a
wrong label for each other."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

import databugs
from databugs.models.folds import identical_rows, kept_together
from tests.conftest import yes_no_table


def test_copies_with_one_label_share_a_fold_and_copies_with_two_do_not_move() -> None:
    rows = [[1.0, 2.0]] * 3 + [[3.0, np.nan]] * 2 + [[5.0, 6.0 + row] for row in range(7)]
    matrix = np.array(rows)
    labels = np.array([0, 0, 1, 1, 1] + [0, 1] * 3 + [1])
    keys = identical_rows(matrix, labels)
    assert keys[0] == keys[1] != keys[2] and keys[3] == keys[4] != keys[5]
    sparse = identical_rows(sp.csr_matrix(np.nan_to_num(matrix)), labels)
    assert sparse[0] == sparse[1] != sparse[2]
    first = np.array([0, 4, 5, 6, 7, 8])
    splits = [
        (np.setdiff1d(np.arange(12), first), first),
        (first, np.setdiff1d(np.arange(12), first)),
    ]
    fold_of = {
        int(row): fold
        for fold, (_, test) in enumerate(kept_together(splits, keys, labels))
        for row in test
    }
    assert fold_of[1] == fold_of[0] == 0 and fold_of[4] == fold_of[3] == 1  # with their first
    assert fold_of[2] == 1 and fold_of[5] == 0  # another label, or no copy: unmoved


def test_copies_that_are_their_whole_class_or_would_empty_a_fold_stay() -> None:
    """A class made of one row's copies would be absent from its fold's training part: every
    one of its rows flagged as another class."""
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    keys = np.array([0, 0, 0, 1, 2, 3, 4, 5])  # class 0 is one row, three times
    splits = [
        (np.array([1, 2, 5, 6, 7]), np.array([0, 3, 4])),
        (np.array([0, 3, 4]), np.array([1, 2, 5, 6, 7])),
    ]
    assert kept_together(splits, keys, labels) is splits


def test_a_wrong_label_on_three_copies_is_found() -> None:
    """A first-use pass: each of 50 wrong rows present three times, 0 found (3 flags, all
    false); with one copy each, 22 of 22 flags right."""
    frame, wrong = yes_no_table(1000, 50)
    frame[list("abcd")] = frame[list("abcd")].round(3)
    copies = pd.concat(
        [frame, frame.iloc[np.sort(wrong)], frame.iloc[np.sort(wrong)]], ignore_index=True
    )
    report = databugs.scan(copies, label="label", jobs=1)
    flagged = set(report.rows.loc[report.rows.is_label_issue, "row"])
    truly = set(wrong) | set(range(1000, 1100))
    assert len(flagged & set(wrong)) >= 20 and len(flagged - truly) <= 2


def test_rows_missing_the_same_cell_are_not_copies_for_that() -> None:
    """Missing cells were filled with -1e30 before the projection, which swamped the other
    values: every row missing the same cell had one key (235 "copies" of 1,000 rows)."""
    nan = np.nan
    matrix = np.array([[nan, 1, 2], [nan, 50, -3], [nan, 7, 8], [1, 2, 3], [nan, 1, 2]])
    keys = identical_rows(matrix, np.zeros(5, dtype=int))
    assert keys[0] == keys[4] and len({*keys[:4]}) == 4
