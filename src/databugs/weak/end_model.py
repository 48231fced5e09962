"""The end model of ``databugs label``: the scan's candidate models, trained on the labelled
rows plus the rules' labels, so that every row gets a label, rows no rule covers included.

The candidates are fitted out of fold (:mod:`databugs.models.oof`) and combined by their
out-of-fold fit, as in a scan; a training row's probabilities come from models that never saw
it (so its own weak label cannot simply be echoed back, and the labelled rows measure the end
model honestly). The other rows are predicted by the candidates fitted on every training row.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from databugs.data.features import FeatureSet
from databugs.models.oof import OutOfFold, out_of_fold_probabilities
from databugs.models.zoo import make_model

UNTRAINED = -1
WEIGHT_FLOOR = 1e-3
"""Candidates with less weight than this in the out-of-fold combination are not refitted."""


@dataclass(frozen=True)
class EndModel:
    probabilities: np.ndarray
    """Rows x classes for every row (out of fold for the training rows)."""
    models: tuple[dict[str, Any], ...]


def fit_end_model(
    features: FeatureSet,
    targets: np.ndarray,
    n_classes: int,
    *,
    model: str = "auto",
    folds: int = 5,
    seed: int = 0,
    jobs: int | None = None,
) -> EndModel:
    """Class probabilities of every row from models trained on the rows whose ``targets`` (class
    indices) are not :data:`UNTRAINED`."""
    rows = np.flatnonzero(targets != UNTRAINED)
    probabilities = np.zeros((len(targets), n_classes))
    oof = out_of_fold_probabilities(
        features.matrix[rows],
        features.kind,
        targets[rows],
        n_classes,
        model=model,
        folds=folds,
        seed=seed,
        jobs=jobs,
    )
    probabilities[rows] = oof.probabilities
    rest = np.flatnonzero(targets == UNTRAINED)
    if len(rest):
        probabilities[rest] = _predict_rest(features, rows, targets[rows], rest, oof, seed)
    return EndModel(probabilities, oof.models)


def _predict_rest(
    features: FeatureSet,
    rows: np.ndarray,
    targets: np.ndarray,
    rest: np.ndarray,
    oof: OutOfFold,
    seed: int,
) -> np.ndarray:
    """The candidates fitted on all training rows, weighted as out of fold."""
    combined = np.zeros((len(rest), oof.probabilities.shape[1]))
    for summary in oof.models:
        if summary["weight"] < WEIGHT_FLOOR:
            continue
        estimator = make_model(summary["name"], features.kind, seed)
        with threadpool_limits(limits=1), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.fit(features.matrix[rows], targets)
            combined[:, estimator.classes_] += summary["weight"] * estimator.predict_proba(
                features.matrix[rest]
            )
    return combined / combined.sum(axis=1, keepdims=True)
