"""Detection quality on real data with known injected noise (floors well below measured values)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score

import databugs
from tests.conftest import EXAMPLES, _quality_on_example

# Measured values and the comparison with the cleanlab recipe are in docs/benchmarks.md; these
# tests guard against regressions, not against small changes.


def test_text_example_finds_the_injected_errors() -> None:
    ap, precision, gain = _quality_on_example("sms_sample", id="message_id")
    assert ap > 0.85
    assert precision > 0.7
    assert gain > 0.02


def test_table_example_finds_the_injected_errors() -> None:
    ap, precision, gain = _quality_on_example("letters_sample")
    assert ap > 0.8
    assert precision > 0.6
    assert gain > 0.015


def test_digits_with_uniform_noise(shared_dataset) -> None:
    frame = shared_dataset("digits")
    rng = np.random.default_rng(7)
    rows = rng.choice(len(frame), size=len(frame) // 10, replace=False)
    classes = np.array(sorted(frame["label"].unique()))
    noisy = frame["label"].to_numpy().copy()
    for row in rows:
        noisy[row] = rng.choice(classes[classes != noisy[row]])
    report = databugs.scan(frame.assign(label=noisy), jobs=2)
    is_error = np.zeros(len(frame), dtype=bool)
    is_error[rows] = True
    ap = average_precision_score(is_error, -report.rows["label_quality"].to_numpy())
    assert ap > 0.95
    flagged = report.rows["is_label_issue"].to_numpy()
    assert (flagged & is_error).sum() / flagged.sum() > 0.9


def test_label_health_says_it_measures_nothing_where_the_models_predict_nothing() -> None:
    """300 classes of 2 rows each: 94.7% label health at 0.3% out-of-fold accuracy, which a
    gate on label health passed without a word."""
    import pandas as pd

    letters = pd.read_csv(EXAMPLES / "letters_sample.csv").head(600)
    pairs = letters.assign(label=[f"c{row // 2}" for row in range(600)])
    report = databugs.scan(pairs, label="label", jobs=1, model="logistic")
    assert report.summary["model_accuracy"] < 0.05
    (note,) = [n for n in report.notes if n.startswith("the models barely predict the labels")]
    assert "label health is then the noise estimate's guess" in note
    fitted = databugs.scan(letters, label="label", jobs=1, model="logistic")
    assert not any(n.startswith("the models barely predict") for n in fitted.notes)
