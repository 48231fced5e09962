"""Detection quality on real data with known injected noise (floors well below measured values).

Measured values and the comparison with the cleanlab recipe are in docs/benchmarks.md; these
tests guard against regressions, not against small changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

import databugs
from tests.conftest import EXAMPLES


def _quality_on_example(name: str, **options) -> tuple[float, float, float]:
    """(AP of the ranking, precision of the flags, gain in label accuracy if all accepted)."""
    truth = pd.read_csv(EXAMPLES / f"{name}.truth.csv", dtype=str)
    report = databugs.scan(EXAMPLES / f"{name}.csv", jobs=1, **options)
    rows = report.rows
    is_error = rows["row"].isin(truth["row"].astype(int)).to_numpy()
    ap = average_precision_score(is_error, -rows["label_quality"].to_numpy())
    flagged = rows["is_label_issue"].to_numpy()
    precision = (flagged & is_error).sum() / max(flagged.sum(), 1)
    true_labels = rows["given_label"].to_numpy().copy()
    true_labels[truth["row"].astype(int)] = truth["true_label"].to_numpy()
    before = (rows["given_label"].to_numpy() == true_labels).mean()
    after = (rows["suggested_label"].to_numpy() == true_labels).mean()
    return ap, precision, after - before


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
