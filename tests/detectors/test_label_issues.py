"""The label-issue detector on hand-built posteriors: no model is fit here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from databugs.data.features import FeatureSet
from databugs.detectors import Context
from databugs.detectors.label_issues import LabelIssues
from databugs.models.scoring import label_quality
from tests.conftest import _clean_block


def _context(targets: list[int], posterior: list[list[float]], **kwargs) -> Context:
    targets_array = np.array(targets)
    probs = np.array(posterior, dtype=float)
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
        label_quality=label_quality(probs, targets_array),
        posterior=probs,
        features=FeatureSet(matrix=np.zeros((len(targets), 1)), kind="table"),
        folds=2,
        **kwargs,
    )


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
    probs.append([0.12, 0.86, 0.02])  # dog is likelier, but only 74 points: not safe to accept
    assert LabelIssues().detect(_context(targets, probs)) == []


def test_clean_data_has_no_flags() -> None:
    targets, probs = _clean_block()
    assert LabelIssues().detect(_context(targets, probs)) == []
