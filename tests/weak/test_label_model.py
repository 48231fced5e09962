"""The label model: it learns which rule to trust and beats a majority vote."""

from __future__ import annotations

import numpy as np

from databugs.weak.label_model import fit_label_model, majority_vote


def test_label_model_learns_which_rule_to_trust() -> None:
    """Two good rules and one that votes at random: the random one gets a low accuracy."""
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 2000)
    good_a = np.where(
        rng.random(2000) < 0.5, np.where(rng.random(2000) < 0.9, truth, 1 - truth), -1
    )
    good_b = np.where(
        rng.random(2000) < 0.5, np.where(rng.random(2000) < 0.9, truth, 1 - truth), -1
    )
    noise = np.where(rng.random(2000) < 0.5, rng.integers(0, 2, 2000), -1)
    votes = np.column_stack([good_a, good_b, noise])
    gold = np.where(rng.random(2000) < 0.02, truth, -1)
    model = fit_label_model(votes, 2, gold)
    assert model.accuracies[0] > 0.8 and model.accuracies[1] > 0.8
    assert model.accuracies[2] < 0.65
    covered = (votes != -1).any(axis=1)
    chosen = model.posteriors.argmax(axis=1)
    majority = majority_vote(votes, 2)
    assert (chosen[covered] == truth[covered]).mean() > (majority[covered] == truth[covered]).mean()
    good = (votes[:, :2] != -1).any(axis=1)
    assert (chosen[good] == truth[good]).mean() > 0.88
