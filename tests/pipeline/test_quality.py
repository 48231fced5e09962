"""Detection quality on real data with known injected noise (floors well below measured values)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score

import databugs
from tests.conftest import _quality_on_example

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
