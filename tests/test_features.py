from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from databugs.data.features import build_features


def _uses(frame: pd.DataFrame, **kwargs) -> dict[str, str]:
    features = build_features(frame, exclude=["label"], **kwargs)
    return {use.column: use.used_as for use in features.columns}


def test_columns_are_classified_without_set_up() -> None:
    rows = 60
    frame = pd.DataFrame(
        {
            "row_id": np.arange(rows),
            "customer_id": [f"C{i:05d}" for i in range(rows)],
            "age": [str(20 + i % 30) if i % 7 else "" for i in range(rows)],
            "country": ["fr", "de", "uk"] * 20,
            "constant": ["same"] * rows,
            "review": [f"this product was fine number {i} really" for i in range(rows)],
            "label": ["a", "b"] * 30,
        }
    )
    assert _uses(frame) == {
        "row_id": "left out",
        "customer_id": "left out",
        "age": "numeric",
        "country": "categorical",
        "constant": "left out",
        "review": "text",
    }


def test_table_features_are_dense_with_missing_values_kept() -> None:
    frame = pd.DataFrame({"x": ["1.5", "", "2"], "c": ["u", "v", "u"], "label": ["a", "b", "a"]})
    features = build_features(frame, exclude=["label"])
    assert features.kind == "table"
    assert features.matrix.shape == (3, 2)
    assert np.isnan(features.matrix[1, 0])


def test_text_makes_sparse_features_and_ignore_is_honoured() -> None:
    frame = pd.DataFrame(
        {
            "text": ["free cash prize now", "see you at lunch today"] * 10,
            "note": ["x", "y"] * 10,
            "label": ["spam", "ham"] * 10,
        }
    )
    features = build_features(frame, exclude=["label"], ignore=["note"])
    assert features.kind == "text"
    assert sp.issparse(features.matrix)
    assert features.text_columns == ["text"]
    assert _uses(frame, ignore=["note"])["note"] == "left out"


def test_forced_text_column() -> None:
    frame = pd.DataFrame({"title": ["ab", "cd", "ab", "ef"], "label": list("abab")})
    assert _uses(frame, text=["title"]) == {"title": "text"}


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
