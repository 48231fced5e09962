"""The label model: it learns which rule to trust and beats a majority vote."""

from __future__ import annotations

import warnings

import numpy as np

from databugs.weak.combine import combine_votes
from databugs.weak.label_model import fit_label_model, gold_weighted_votes, majority_vote


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


def _keyword_votes(seed: int, rows: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """Three classes; each has a rule right 90% of the time, and one rule that looks like the
    others to the unsupervised model but is right only 30% of the time."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, rows)
    columns = []
    for label in range(3):
        fires = (truth == label) & (rng.random(rows) < 0.5) | (rng.random(rows) < 0.05)
        columns.append(np.where(fires, label, -1))
    misleading = (rng.random(rows) < 0.3) & ((truth == 1) | (rng.random(rows) < 0.6))
    columns.append(np.where(misleading, 0, -1))  # votes 0, mostly on rows of class 1
    return np.column_stack(columns), truth


def test_gold_rows_correct_a_rule_the_unsupervised_model_trusts_and_fall_back_when_thin() -> None:
    votes, truth = _keyword_votes(3)
    unsupervised = fit_label_model(votes, 3, np.full(len(truth), -1))
    rng = np.random.default_rng(4)
    gold = np.where(rng.random(len(truth)) < 0.05, truth, -1)
    weighted = gold_weighted_votes(votes, 3, gold, unsupervised)
    checked = (votes[:, 3] != -1) & (gold != -1)
    on_gold = (votes[checked, 3] == gold[checked]).mean()
    assert abs(weighted.accuracies[3] - on_gold) < abs(unsupervised.accuracies[3] - on_gold)
    assert weighted.accuracies[3] < 0.5 < weighted.accuracies[0]
    hidden = (gold == -1) & (votes != -1).any(axis=1)
    right = (weighted.posteriors.argmax(axis=1) == truth)[hidden].mean()
    assert right > (unsupervised.posteriors.argmax(axis=1) == truth)[hidden].mean() + 0.01
    one = np.full(len(truth), -1)
    one[np.flatnonzero(votes[:, 3] == 0)[0]] = 1  # a single labelled row: mostly the model's say
    thin = gold_weighted_votes(votes, 3, one, unsupervised)
    assert abs(thin.accuracies[3] - unsupervised.accuracies[3]) < 0.2


def test_a_labelled_rows_posterior_never_uses_its_own_label() -> None:
    votes = np.array([[0], [0], [0], [1], [-1]])
    unsupervised = fit_label_model(votes, 2, np.full(5, -1))
    honest = gold_weighted_votes(votes, 2, np.array([1, -1, -1, -1, -1]), unsupervised)
    alone = gold_weighted_votes(votes, 2, np.full(5, -1), unsupervised)
    # row 0's own label (1, against its rule) lowers the rule's accuracy for rows 1 and 2 only
    assert honest.posteriors[1, 0] < alone.posteriors[1, 0]
    np.testing.assert_allclose(honest.posteriors[0, 0], alone.posteriors[0, 0], atol=0.05)


def test_no_labelled_row_under_a_rule_chooses_the_label_model_without_a_warning() -> None:
    votes, truth = _keyword_votes(4, rows=600)
    gold = np.where(votes.max(axis=1) == -1, truth, -1)  # labels only where no rule votes
    assert (gold != -1).any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Mean of empty slice" reached the terminal
        combined = combine_votes(votes, gold, 3)
    assert combined.combiner == "label model"
    assert combined.scores["checked_on_labelled_rows"] == 0
    assert set(combined.scores["combiner_accuracy_on_labelled_rows"].values()) == {None}
