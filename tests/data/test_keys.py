"""Row keys: the same row gets the same key across scans, even when a column changes type."""

from __future__ import annotations

import numpy as np
import pandas as pd


def test_row_keys_survive_a_whole_number_column_gaining_an_empty_cell() -> None:
    from databugs.data.keys import row_keys

    before = pd.DataFrame(
        {"count": [3, 7, 9], "colour": ["red", "blue", "red"], "label": list("abc")}
    )
    after = pd.concat(
        [before, pd.DataFrame({"count": [np.nan], "colour": ["red"], "label": ["a"]})],
        ignore_index=True,
    )
    assert after["count"].dtype == "float64"  # the column changed type
    keys = row_keys(before, [0, 1, 2], id_column=None, label="label")
    assert row_keys(after, [0, 1, 2], id_column=None, label="label") == keys
    assert len(set(keys.values())) == 3
    huge = pd.DataFrame({"n": [2**60, 2**60 + 1], "label": ["a", "b"]})
    assert len(set(row_keys(huge, [0, 1], id_column=None, label="label").values())) == 2
