"""Detector tests on hand-built arrays: no model is fit here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from databugs.detectors import Context
from databugs.detectors.label_issues import LabelIssues
from databugs.data.features import FeatureSet
from databugs.models.scoring import label_quality


def _context(targets: list[int], probabilities: list[list[float]], **kwargs) -> Context:
    targets_array = np.array(targets)
    probs = np.array(probabilities, dtype=float)
    classes = ["cat", "dog", "bird"][: probs.shape[1]]
    labels = [classes[t] for t in targets]
    return Context(
        frame=pd.DataFrame({"label": labels}),
        label_column="label",
        labels=labels,
        classes=classes,
        labelled=np.arange(len(targets)),
        targets=targets_array,
        probabilities=probs,
        label_quality=label_quality(targets_array, probs),
        features=FeatureSet(matrix=np.zeros((len(targets), 1)), kind="table"),
        folds=2,
        **kwargs,
    )


CONFIDENT = [0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]


def _clean_block() -> tuple[list[int], list[list[float]]]:
    targets = [0, 1, 2] * 4
    return targets, [list(CONFIDENT[t]) for t in targets]


def test_flags_the_row_the_model_contradicts() -> None:
    targets, probs = _clean_block()
    targets.append(0)
    probs.append([0.02, 0.95, 0.03])  # labelled cat, clearly a dog
    issues = LabelIssues().detect(_context(targets, probs))
    assert [(i.row, i.given_label, i.suggested_label) for i in issues] == [(12, "cat", "dog")]
    assert issues[0].details["top_classes"][0] == {"label": "dog", "probability": 0.95}
    assert 0.9 < issues[0].severity <= 1


def test_no_flag_when_the_suggestion_is_not_clearly_better() -> None:
    targets, probs = _clean_block()
    targets.append(0)
    probs.append([0.42, 0.50, 0.08])  # a coin toss between cat and dog: not safe to accept
    assert LabelIssues().detect(_context(targets, probs)) == []


def test_clean_data_has_no_flags() -> None:
    targets, probs = _clean_block()
    assert LabelIssues().detect(_context(targets, probs)) == []


def test_quality_orders_contradicted_rows_first() -> None:
    targets, probs = _clean_block()
    targets.append(0)
    probs.append([0.02, 0.95, 0.03])
    quality = label_quality(np.array(targets), np.array(probs))
    assert quality.argmin() == 12


def test_a_class_with_one_row_does_not_break_the_scan(tmp_path) -> None:
    """Folds whose training part lacks the single spam row fit one class; no bogus overlap."""
    import databugs

    lines = ["text,label"] + [f"hello friend number {n} how are you,ham" for n in range(29)]
    path = tmp_path / "rare.csv"
    path.write_text("\n".join([*lines, "win a free prize now call,spam"]) + "\n")
    report = databugs.scan(path, jobs=1)
    assert report.summary["counts"]["rare_class"] == 1
    assert report.summary["counts"]["confusable_classes"] == 0
