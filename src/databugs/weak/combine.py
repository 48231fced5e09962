"""The rules' votes combined into one posterior per row, by whichever combiner is right most
often on the labelled rows some rule covers: majority vote, the unsupervised label model
(:func:`~databugs.weak.label_model.fit_label_model`) or the votes weighed by each rule's
accuracy on the labelled rows (:func:`~databugs.weak.label_model.gold_weighted_votes`).

Where nothing is labelled the label model is used. The labelled rows' posteriors never use their
own labels, so they can judge the combiners here and the end model later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from databugs.weak.label_model import ABSTAIN, fit_label_model, gold_weighted_votes, vote_shares

COMBINERS = ("rule accuracies on labelled rows", "label model", "majority vote")
"""In order of preference when they are right equally often."""


@dataclass(frozen=True)
class CombinedVotes:
    combiner: str
    posteriors: np.ndarray
    """Rows x classes; a labelled row's from estimates that left its label out."""
    accuracies: np.ndarray
    """Per rule: its accuracy on the labelled rows, shrunk towards the label model's estimate."""
    scores: dict[str, Any]


def combine_votes(votes: np.ndarray, gold: np.ndarray, n_classes: int) -> CombinedVotes:
    """The best combiner's posteriors, chosen on the labelled rows the rules cover."""
    unsupervised = fit_label_model(votes, n_classes, np.full(len(gold), ABSTAIN))
    weighted = gold_weighted_votes(votes, n_classes, gold, unsupervised)
    options = {
        COMBINERS[0]: weighted.posteriors,
        COMBINERS[1]: unsupervised.posteriors,
        COMBINERS[2]: vote_shares(votes, n_classes),
    }
    judged = (gold != ABSTAIN) & (votes != ABSTAIN).any(axis=1)
    accuracy: dict[str, float | None] = dict.fromkeys(options)  # no labelled row a rule covers
    chosen = COMBINERS[1]
    if judged.any():
        accuracy = {
            name: float((posteriors[judged].argmax(axis=1) == gold[judged]).mean())
            for name, posteriors in options.items()
        }
        chosen = max(COMBINERS, key=lambda name: (accuracy[name], -COMBINERS.index(name)))
    scores = {
        "combiner": chosen,
        "combiner_accuracy_on_labelled_rows": {
            name: None if value is None else round(value, 6) for name, value in accuracy.items()
        },
        "checked_on_labelled_rows": int(judged.sum()),
    }
    return CombinedVotes(chosen, options[chosen], weighted.accuracies, scores)
