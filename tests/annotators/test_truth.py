"""Truth inference from answers alone: Dawid-Skene with one-coin shrinkage, majority vote."""

from __future__ import annotations

import numpy as np

from databugs.annotators.agreement import MISSING
from databugs.annotators.truth import infer_truth, majority_vote


def simulated_answers(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """300 items of 3 classes, 7 annotators (accuracy 0.95 down to 0.4), 4 answers per item;
    the worst two answer class 2 for every 0 (a habit, not noise)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, size=300)
    accuracy = np.array([0.95, 0.9, 0.85, 0.8, 0.7, 0.45, 0.4])
    matrix = np.full((300, 7), MISSING)
    for item, true in enumerate(truth):
        for annotator in rng.choice(7, size=4, replace=False):
            right = rng.random() < accuracy[annotator]
            answer = true if right else (true + rng.integers(1, 3)) % 3
            if annotator >= 5 and true == 0:
                answer = 2
            matrix[item, annotator] = answer
    return matrix, truth, accuracy


def test_dawid_skene_beats_majority_vote_and_ranks_annotators() -> None:
    matrix, truth, _ = simulated_answers()
    estimate = infer_truth(matrix, 3)
    consensus = estimate.posterior.argmax(axis=1)
    voted = majority_vote(matrix, 3, seed=0)
    assert (consensus == truth).mean() >= (voted == truth).mean() + 0.03
    true_accuracy = [
        np.mean(matrix[matrix[:, a] >= 0, a] == truth[matrix[:, a] >= 0]) for a in range(7)
    ]
    assert list(np.argsort(estimate.accuracy)[:2]) in ([5, 6], [6, 5])
    assert np.corrcoef(estimate.accuracy, true_accuracy)[0, 1] > 0.95
    # the habit is learnt: annotators 5 and 6 answer 2 for a true 0
    assert (estimate.confusions[5:, 0, 2] > 0.8).all()
    assert estimate.answers.sum() == (matrix != MISSING).sum()


def test_gold_items_keep_their_class_and_the_result_is_order_free() -> None:
    matrix, truth, _ = simulated_answers(1)
    gold = np.full(len(truth), MISSING)
    gold[:30] = (truth[:30] + 1) % 3  # deliberately different from the truth
    estimate = infer_truth(matrix, 3, gold=gold)
    assert (estimate.posterior[:30].argmax(axis=1) == gold[:30]).all()
    order = np.random.default_rng(0).permutation(len(truth))
    shuffled = infer_truth(matrix[order][:, ::-1], 3)
    plain = infer_truth(matrix, 3)
    assert np.allclose(shuffled.posterior, plain.posterior[order], atol=1e-6)
    assert np.allclose(shuffled.accuracy[::-1], plain.accuracy, atol=1e-6)


def test_majority_vote_breaks_ties_at_random_with_a_seed() -> None:
    tied = np.array([[0, 1]] * 200 + [[1, 1], [MISSING, MISSING]])
    first = majority_vote(tied, 2, seed=0)
    assert first[200] == 1 and first[201] == MISSING
    assert 60 < (first[:200] == 0).sum() < 140  # not always the first class
    assert (majority_vote(tied, 2, seed=0) == first).all()
