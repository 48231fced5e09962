"""Features with no set-up: how columns are classified and what the matrix looks like."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

import databugs
from databugs.data.features import build_features
from tests.conftest import make_blobs_table, run


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


def test_list_and_struct_columns_are_left_out_and_the_rest_scanned(tmp_path: Path) -> None:
    """Parquet list and struct cells (arrays and dicts) are no values to count or hash."""
    frame = make_blobs_table(rows=200, seed=4)
    frame["tags"] = [["fluffy", "small"][: row % 3] for row in range(200)]
    frame["measured"] = [{"by": f"vet {row % 4}", "day": row % 7} for row in range(200)]
    path = tmp_path / "animals.parquet"
    frame.to_parquet(path)
    report = databugs.scan(path, jobs=1)
    uses = {use["column"]: (use["used_as"], use["reason"]) for use in report.features}
    assert uses["tags"] == ("left out", "lists or structs: not used as features")
    assert uses["measured"] == ("left out", "lists or structs: not used as features")
    assert uses["weight"][0] == "numeric" and uses["colour"][0] == "categorical"
    assert report.summary["counts"]["label_issue"] == 0  # clean blobs: nothing to flag


def test_numbers_beyond_float32_are_scanned_not_crashed(tmp_path: Path) -> None:
    """1e300 became infinity in float32 and then NaN, which every model refuses (exit 1); one
    column per kind of huge number (beyond float32, beyond float64, and negative)."""
    frame = make_blobs_table(200)
    for number, huge in enumerate(["1e300", "1e400", "-1e400"]):
        frame[f"size_{number}"] = "1.5"
        frame.loc[[3 + number, 50 + number], f"size_{number}"] = huge
    frame["note"] = [f"seen near the {c} gate at dusk" for c in frame["colour"]]  # free text
    for name, table in (("numbers", frame.drop(columns=["colour", "note"])), ("text", frame)):
        data = tmp_path / f"{name}.csv"
        table.to_csv(data, index=False)
        result = run("scan", data, "--out", tmp_path / name, "-q", "--jobs", "1")
        assert result.exit_code == 0, result.output
        report = json.loads((tmp_path / name / "report.json").read_text())
        reasons = {use["column"]: use["reason"] for use in report["features"]}
        for number in range(3):  # said, not silent: the file holds other values
            assert reasons[f"size_{number}"].endswith(
                "2 infinite or huge values held at the largest number"
            )
