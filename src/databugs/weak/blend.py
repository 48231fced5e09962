"""Which labels to write where rules voted: the rules', the end model's or both combined,
whichever is right more often on the labelled rows (never assumed).

On a labelled row both views are honest: the rules' posterior uses rule accuracies that left
that row out, the end model's comes from a model that never saw it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BLENDS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "rules and end model (product)": lambda rules, model: _normalised(rules * model),
    "rules and end model (mean)": lambda rules, model: (rules + model) / 2,
    "end model": lambda rules, model: model,
    "rules": lambda rules, model: rules,
}
"""In order of preference when they are right equally often."""


def _normalised(probabilities: np.ndarray) -> np.ndarray:
    return probabilities / probabilities.sum(axis=1, keepdims=True)


def choose_blend(
    rules: np.ndarray, model: np.ndarray, gold: np.ndarray, judged: np.ndarray
) -> tuple[str, dict[str, float | None]]:
    """The blend most often right on the ``judged`` rows (labelled, some rule voted), and each
    blend's accuracy there; ties go to the better log loss, then to the order of :data:`BLENDS`."""
    scores: dict[str, float | None] = {}
    ranking = []
    for order, (name, blend) in enumerate(BLENDS.items()):
        if not judged.any():
            scores[name] = None
            ranking.append((0.0, 0.0, order, name))
            continue
        mixed = np.clip(blend(rules[judged], model[judged]), 1e-6, 1.0)
        truth = gold[judged]
        accuracy = float((mixed.argmax(axis=1) == truth).mean())
        loss = float(-np.log(mixed[np.arange(len(truth)), truth]).mean())
        scores[name] = round(accuracy, 6)
        ranking.append((-accuracy, loss, order, name))
    return min(ranking)[3], scores


def blend(name: str, rules: np.ndarray, model: np.ndarray) -> np.ndarray:
    """The probabilities of the blend ``name``."""
    return BLENDS[name](rules, model)


SHIFT_PRIOR_ROWS = 5.0
"""How many labelled rows the overall class balance is worth beside the labelled rows no rule
covers, when estimating the class balance of the rows no rule covers."""
SHIFT_ITERATIONS = 50


def shift_to_uncovered_balance(
    probabilities: np.ndarray, gold: np.ndarray, covered: np.ndarray
) -> np.ndarray:
    """The end model's probabilities on rows no rule covers, moved to those rows' own class
    balance (Saerens et al.'s prior shift, by EM).

    The end model learns mostly from rows the rules cover, whose balance is the rules': on Yelp
    sentences, 61% of the covered rows are positive (praise words are common) but 38% of the
    rest, and the unshifted model called 72% of those positive. The balance of the uncovered
    rows is measured on the labelled ones, shrunk towards all labelled rows'."""
    n_classes = probabilities.shape[1]
    known = gold >= 0
    overall = np.bincount(gold[known], minlength=n_classes) / max(1, known.sum())
    silent = known & ~covered
    counts = np.bincount(gold[silent], minlength=n_classes) + SHIFT_PRIOR_ROWS * overall
    shifted = probabilities.copy()
    rows = ~covered
    if rows.any() and known.any():
        shifted[rows] = _matching_balance(probabilities[rows], counts / counts.sum())
    return shifted


def _matching_balance(probabilities: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``probabilities`` reweighted per class so that they average to ``target``."""
    weights = np.ones(len(target))
    for _ in range(SHIFT_ITERATIONS):
        moved = _normalised(probabilities * weights)
        weights *= target / np.clip(moved.mean(axis=0), 1e-9, None)
    return _normalised(probabilities * weights)
