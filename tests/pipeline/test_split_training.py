"""A scan with a test split trains on the training rows only, for numbers and tag sets as for
classes: a test row's value changes no other row's prediction, and the folds never hold a
test row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import databugs
from databugs.models.engines import LocalEngine
from databugs.models.multilabel import tag_probabilities
from databugs.models.regression import out_of_fold_predictions
from tests.conftest import LETTER_TAGS, tagged_letters
from tests.pipeline.test_regression import deliveries


def _predicted(report: databugs.Report) -> pd.Series:
    points = report.regression["points"]
    return pd.Series(points["predicted"], index=points["row"])


def _regression_scan(frame: pd.DataFrame) -> databugs.Report:
    train, test = frame.iloc[:280], frame.iloc[280:]
    return databugs.scan(
        train, test=test, label="minutes", task="regression", model="ridge", jobs=1
    )


def test_a_test_rows_value_moves_no_other_rows_prediction_in_a_regression() -> None:
    frame, _ = deliveries()
    before = _regression_scan(frame)
    changed = frame.copy()
    changed.loc[300, "minutes"] += 500.0  # a test row's value, far off
    after = _regression_scan(changed)
    assert before.input["splits"] == {"train": 280, "test": 80}
    others = [row for row in range(len(frame)) if row != 300]
    pd.testing.assert_series_equal(_predicted(before)[others], _predicted(after)[others])
    flagged = after.rows[after.rows["is_label_issue"]]
    assert 300 in flagged["row"].tolist()  # the held-out row is still scored
    assert set(flagged["split"]) <= {"train", "test"} and "file_row" in flagged


def test_a_regression_scans_summary_has_each_splits_figures() -> None:
    """Class and multi-label scans had ``summary.splits``; a regression scan had none."""
    frame, _ = deliveries()
    frame.loc[[10, 300], "minutes"] += 500.0  # one training value and one test value far off
    report = _regression_scan(frame)
    splits = report.summary["splits"]
    assert set(splits) == {"train", "test"}
    assert splits["test"]["rows"] == splits["test"]["labelled"] == 80
    flagged = report.rows[report.rows["is_label_issue"]]
    for name, figures in splits.items():
        issues = int((flagged["split"] == name).sum())
        assert figures["label_issues"] == issues >= 1
        assert figures["label_health"] == pytest.approx(1 - issues / figures["labelled"])


def _tag_scan(frame: pd.DataFrame) -> databugs.Report:
    return databugs.scan(
        frame.assign(part=["train"] * 300 + ["test"] * 100),
        label="tags",
        split_col="part",
        model="logistic",
        folds=3,
        jobs=1,
    )


def test_a_test_rows_tags_move_no_other_rows_quality_in_a_multilabel_scan() -> None:
    frame, _ = tagged_letters(rows=400)
    before = _tag_scan(frame)
    changed = frame.copy()
    changed.loc[350, "tags"] = "vowel;curved;symmetric;straight"  # a test row's tags, all wrong
    after = _tag_scan(changed)
    assert before.input["splits"] == {"train": 300, "test": 100}
    assert "part" not in {f["column"] for f in before.features if f["used_as"] != "left out"}
    quality = [r.drop(index=350)["label_quality"] for r in (before.rows, after.rows)]
    pd.testing.assert_series_equal(*quality)
    assert after.rows.loc[350, "split"] == "test"


def test_no_fold_of_a_regression_or_multilabel_fit_trains_on_a_held_out_row(monkeypatch) -> None:
    trained_on: list[np.ndarray] = []
    run_folds = LocalEngine.run_folds

    def recording(self, function, shared, folds):  # every fit's training rows, then the fits
        trained_on.extend(fold[-2] for fold in folds)
        return run_folds(self, function, shared, folds)

    monkeypatch.setattr(LocalEngine, "run_folds", recording)
    frame, _ = tagged_letters(rows=300)
    held_out = np.arange(300) >= 240
    tags = np.array([[t in cell.split(";") for t in LETTER_TAGS] for cell in frame["tags"]])
    letters = frame.drop(columns="tags")
    features = letters.drop(columns="width").to_numpy(dtype=float)
    fits = (
        (out_of_fold_predictions, "ridge", letters["width"].to_numpy(dtype=float)),
        (tag_probabilities, "logistic", tags.astype(int)),
    )
    for fit, model, targets in fits:
        trained_on.clear()
        fitted = fit(features, "table", targets, model=model, held_out=held_out)
        assert len(trained_on) == 6  # five folds and the held-out rows' fit
        assert not any(held_out[rows].any() for rows in trained_on)
        assert fitted.folds == 5
