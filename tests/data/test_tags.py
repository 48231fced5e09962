"""Tag sets read from a joined column or 0/1 columns, and corrections written back alike."""

from __future__ import annotations

import pandas as pd
import pytest

from databugs.data.tags import column_tag_sets, joined_tag_sets, written_correction
from databugs.errors import DatabugsError, ErrorCode


def test_joined_cells_are_split_stripped_and_indexed():
    cells = pd.Series(["billing; refund", None, "refund", " shipping "])
    sets = joined_tag_sets(cells, ";", source="d.csv", column="tags")
    assert sets.tags == ["billing", "refund", "shipping"]
    assert sets.labelled.tolist() == [0, 2, 3]  # the empty cell is an unlabelled row
    assert sets.matrix.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert sets.joiner == "; "


def test_an_empty_tag_between_separators_names_the_row():
    cells = pd.Series(["a;b", "a;;b"])
    with pytest.raises(DatabugsError) as caught:
        joined_tag_sets(cells, ";", source="d.csv", column="tags")
    assert caught.value.code == ErrorCode.BAD_LABEL
    assert "d.csv: row 1 of column 'tags'" in str(caught.value)


def test_a_correction_keeps_the_cells_order_spelling_and_spacing():
    cells = pd.Series(["Refund | billing", "billing | refund", "billing"])
    merges = {"Refund": "refund"}
    sets = joined_tag_sets(cells, "|", source="d.csv", column="t", merges=merges)
    assert sets.tags == ["billing", "refund"]
    assert written_correction(sets, 0, ["refund"]) == "Refund"
    assert written_correction(sets, 2, ["billing", "shipping"]) == "billing | shipping"
    assert not sets.sorted_cells  # the first cell is not sorted: added tags go last


def test_a_sorted_column_gets_added_tags_in_their_sorted_place():
    sets = joined_tag_sets(pd.Series(["a;c", "b;c"]), ";", source="d", column="t")
    assert written_correction(sets, 0, ["a", "b", "c"]) == "a;b;c"


def test_tag_columns_hold_0_1_and_refuse_anything_else():
    frame = pd.DataFrame({"x": [1, 2, 3], "spam": ["1", "0", None], "ham": ["true", "0", "1"]})
    sets = column_tag_sets(frame, ["spam", "ham"], source="d.csv")
    assert sets.labelled.tolist() == [0, 1]
    assert sets.matrix.tolist() == [[1, 1], [0, 0]]
    frame.loc[1, "ham"] = "maybe"
    with pytest.raises(DatabugsError, match="row 1 of column 'ham' is 'maybe'"):
        column_tag_sets(frame, ["spam", "ham"], source="d.csv")
