"""Which labels to write where rules voted: the rules', the end model's or both combined,
whichever is right more often on the labelled rows (never assumed).

On a labelled row both views are honest: the rules' posterior uses rule accuracies that left
that row out, the end model's comes from a model that never saw it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from databugs.weak.label_model import ABSTAIN

BLENDS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "rules": lambda rules, model: rules,
    "rules and end model (product)": lambda rules, model: _normalised(rules * model),
    "rules and end model (mean)": lambda rules, model: (rules + model) / 2,
    "end model": lambda rules, model: model,
}
"""In order of preference when they are right equally often: the rules, unless the labelled
rows show that the end model helps. With few labelled rows every blend is often right on all
of them; on Yelp sentences (6 such rows) the rules were then right on 94% of the hidden rows
they cover, their product with the end model on 86%."""


def _normalised(probabilities: np.ndarray) -> np.ndarray:
    return probabilities / probabilities.sum(axis=1, keepdims=True)


def choose_blend(
    rules: np.ndarray, model: np.ndarray, gold: np.ndarray, judged: np.ndarray
) -> tuple[str, dict[str, float | None]]:
    """The blend most often right on the ``judged`` rows (labelled, some rule voted), and each
    blend's accuracy there; ties go to the order of :data:`BLENDS`."""
    if not judged.any():
        return next(iter(BLENDS)), dict.fromkeys(BLENDS)
    truth = gold[judged]
    scores = {
        name: round(float((mix(rules[judged], model[judged]).argmax(axis=1) == truth).mean()), 6)
        for name, mix in BLENDS.items()
    }
    return max(BLENDS, key=lambda name: (scores[name], -list(BLENDS).index(name))), scores


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
    balance (Saerens et al.'s prior shift, solved for a known balance).

    The end model learns mostly from rows the rules cover, whose balance is the rules': on Yelp
    sentences, 61% of the covered rows are positive (praise words are common) but 38% of the
    rest, and the unshifted model called 72% of those positive. The balance of the uncovered
    rows is measured on the labelled ones, shrunk towards all labelled rows'."""
    shifted = probabilities.copy()
    rows = ~covered
    if rows.any() and (gold != ABSTAIN).any():
        counts = _uncovered_counts(gold, covered, probabilities.shape[1])
        shifted[rows] = _matching_balance(probabilities[rows], counts / counts.sum())
    return shifted


def _uncovered_counts(gold: np.ndarray, covered: np.ndarray, n_classes: int) -> np.ndarray:
    """Class counts of the labelled rows no rule covers, plus the overall balance as
    :data:`SHIFT_PRIOR_ROWS` pseudo-rows."""
    known = gold != ABSTAIN
    overall = np.bincount(gold[known], minlength=n_classes) / max(1, known.sum())
    silent = known & ~covered
    return np.bincount(gold[silent], minlength=n_classes) + SHIFT_PRIOR_ROWS * overall


BALANCE = "class balance"


def uncovered_view(
    models: dict[str, np.ndarray], gold: np.ndarray, covered: np.ndarray
) -> tuple[np.ndarray, str, dict[str, float | None]]:
    """For the rows no rule covers: one of the end ``models`` (by what each was trained on;
    shifted to those rows' class balance) or that balance alone, whichever is right most often
    on the labelled rows no rule covers (out of fold; the balance leaves each row out). Ties go
    to the first model. Trained on what the rules matched, the end model can know little about
    the rest: on TweetEval emotions it was right on 42% of them, the commonest class on 43%."""
    shifted = {name: shift_to_uncovered_balance(p, gold, covered) for name, p in models.items()}
    silent = np.flatnonzero((gold != ABSTAIN) & ~covered)
    first = next(iter(shifted))
    if not len(silent):
        return shifted[first], first, dict.fromkeys([*shifted, BALANCE])
    n_classes = shifted[first].shape[1]
    counts = _uncovered_counts(gold, covered, n_classes)
    balance = shifted[first].copy()
    balance[~covered] = counts / counts.sum()
    left_out = counts - np.eye(n_classes)[gold[silent]]
    scores = {
        name: round(float((p[silent].argmax(axis=1) == gold[silent]).mean()), 6)
        for name, p in shifted.items()
    }
    scores[BALANCE] = round(float((left_out.argmax(axis=1) == gold[silent]).mean()), 6)
    options = [*shifted, BALANCE]
    best = max(options, key=lambda name: (scores[name], -options.index(name)))
    return (balance if best == BALANCE else shifted[best]), best, scores


def _matching_balance(probabilities: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``probabilities`` reweighted per class so that they average to ``target``."""
    weights = np.ones(len(target))
    for _ in range(SHIFT_ITERATIONS):
        moved = _normalised(probabilities * weights)
        weights *= target / np.clip(moved.mean(axis=0), 1e-9, None)
    return _normalised(probabilities * weights)
