"""Combine noisy rule votes into one label per row, learning how far to trust each rule.

A latent-class model fitted by EM (Dawid and Skene's idea, in the form that suits rules that
only ever vote one label): the true class ``y`` of a row is hidden; each (rule, label) pair
fires with its own probability in each class, ``P(fires | y)``, independently of the others
given ``y``. Silence is evidence too: when a ham rule fires and no spam rule does, ham becomes
likelier still. The model is fitted on the rows some rule voted on (and the labelled rows):
rows no rule covers would otherwise pull a class towards "its rules never fire"; they get the
class balance and are left to the end model. Labelled rows anchor the estimates (their
posterior is their label), so the classes cannot swap. A rule's accuracy is then
``P(y = its label | it fires)``. Snorkel's label model works in the same spirit but pulls in a
deep-learning stack.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from databugs.annotators.agreement import MISSING as ABSTAIN
from databugs.annotators.agreement import vote_counts

ITERATIONS = 200
TOLERANCE = 1e-6
SMOOTHING = 0.5
"""Beta(0.5, 0.5) pseudo-counts on each firing probability: no rule is ever certain."""


@dataclass(frozen=True)
class LabelModel:
    posteriors: np.ndarray
    """Rows x classes."""
    accuracies: np.ndarray
    """Per rule: the probability that a row it votes on has the class it votes."""
    priors: np.ndarray
    iterations: int


def majority_vote(votes: np.ndarray, n_classes: int) -> np.ndarray:
    """Each row's most voted class (ties: lowest class index), -1 where no rule voted."""
    counts = vote_counts(votes, n_classes)
    return np.where(counts.sum(axis=1) > 0, counts.argmax(axis=1), ABSTAIN)


SHARE_SMOOTHING = 0.05


def vote_shares(votes: np.ndarray, n_classes: int) -> np.ndarray:
    """Majority vote as probabilities: each row's vote shares, lightly smoothed (one vote among
    six classes gives 0.81); rows with no vote get equal shares."""
    counts = vote_counts(votes, n_classes) + SHARE_SMOOTHING
    return counts / counts.sum(axis=1, keepdims=True)


def fit_label_model(votes: np.ndarray, n_classes: int, gold: np.ndarray) -> LabelModel:
    """EM over ``votes`` (rows x rules of class indices, -1 abstain); ``gold`` is each row's
    known class or -1."""
    fires = _indicators(votes)
    known = gold != ABSTAIN
    used = known | (votes != ABSTAIN).any(axis=1)
    fires, anchor = fires[used], np.eye(n_classes)[gold[known & used]]
    anchored = known[used]
    posteriors = _initial(votes[used], n_classes)
    posteriors[anchored] = anchor
    iterations, change = 0, np.inf
    while iterations < ITERATIONS and change >= TOLERANCE:
        rates, priors = _m_step(fires, posteriors)
        updated = _e_step(fires, rates, priors)
        updated[anchored] = anchor
        change = np.abs(updated - posteriors).max()
        posteriors, iterations = updated, iterations + 1
    every = np.tile(priors, (len(votes), 1))  # no vote, no label: only the class balance
    every[used] = posteriors
    return LabelModel(every, _accuracies(votes, every), priors, iterations)


def _indicators(votes: np.ndarray) -> np.ndarray:
    """Binary rows x (rule, label) matrix: which rule fired with which label."""
    columns = [
        column == label for column in votes.T for label in np.unique(column[column != ABSTAIN])
    ]
    return np.column_stack(columns).astype(float)


def _initial(votes: np.ndarray, n_classes: int) -> np.ndarray:
    """Vote shares where rules voted, uniform elsewhere."""
    counts = vote_counts(votes, n_classes) + 1e-2
    return counts / counts.sum(axis=1, keepdims=True)


def _m_step(fires: np.ndarray, posteriors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Firing probability of each (rule, label) in each class, and the class priors."""
    weight = posteriors.sum(axis=0)
    rates = (fires.T @ posteriors + SMOOTHING) / (weight + 2 * SMOOTHING)
    priors = (weight + 1.0) / (weight.sum() + len(weight))
    return rates, priors


def _e_step(fires: np.ndarray, rates: np.ndarray, priors: np.ndarray) -> np.ndarray:
    log = np.log(priors) + fires @ np.log(rates) + (1 - fires) @ np.log1p(-rates)
    log -= log.max(axis=1, keepdims=True)
    posteriors = np.exp(log)
    return posteriors / posteriors.sum(axis=1, keepdims=True)


def _accuracies(votes: np.ndarray, posteriors: np.ndarray) -> np.ndarray:
    accuracies = np.zeros(votes.shape[1])
    for rule, column in enumerate(votes.T):
        voted = np.flatnonzero(column != ABSTAIN)
        if len(voted):
            accuracies[rule] = posteriors[voted, column[voted]].mean()
    return accuracies


GOLD_PRIOR_ROWS = 5.0
"""How many labelled rows the unsupervised estimate of a rule's accuracy is worth: a rule seen
on 2 labelled rows keeps mostly the label model's estimate, one seen on 50 keeps mostly its own
record."""
ACCURACY_BOUNDS = (0.02, 0.98)


@dataclass(frozen=True)
class GoldVotes:
    """Rule votes combined with each rule's accuracy measured on the labelled rows."""

    posteriors: np.ndarray
    """Rows x classes, every labelled row's from rule accuracies that left that row out."""
    accuracies: np.ndarray
    priors: np.ndarray


def gold_weighted_votes(
    votes: np.ndarray, n_classes: int, gold: np.ndarray, unsupervised: LabelModel
) -> GoldVotes:
    """Each rule's vote weighed by its accuracy on the labelled rows it fires on, shrunk towards
    the unsupervised label model's estimate by :data:`GOLD_PRIOR_ROWS` (where gold is thin the
    label model speaks). The class balance is the labelled rows', smoothed by the label model's.

    A labelled row's own label is left out of the accuracies its posterior uses, so the
    posteriors of labelled rows are honest estimates of how good this combination is."""
    known = gold != ABSTAIN
    fired = votes != ABSTAIN
    checked = (fired & known[:, None]).sum(axis=0).astype(float)
    right = ((votes == gold[:, None]) & fired & known[:, None]).sum(axis=0).astype(float)
    prior_counts = np.bincount(gold[known], minlength=n_classes) + GOLD_PRIOR_ROWS * (
        unsupervised.priors
    )
    priors = prior_counts / prior_counts.sum()
    base = GOLD_PRIOR_ROWS * unsupervised.accuracies

    def accuracy(right: np.ndarray, checked: np.ndarray) -> np.ndarray:
        return np.clip((right + base) / (checked + GOLD_PRIOR_ROWS), *ACCURACY_BOUNDS)

    accuracies = accuracy(right, checked)
    posteriors = _accuracy_posteriors(votes, np.tile(accuracies, (len(votes), 1)), priors)
    rows = np.flatnonzero(known)
    own = fired[rows]  # leave each labelled row out of the rules it fires on
    left_out = accuracy(right - (own & (votes[rows] == gold[rows, None])), checked - own)
    posteriors[rows] = _accuracy_posteriors(votes[rows], left_out, priors)
    return GoldVotes(posteriors, accuracies, priors)


def _accuracy_posteriors(
    votes: np.ndarray, accuracies: np.ndarray, priors: np.ndarray
) -> np.ndarray:
    """``P(y | votes)`` when a rule voting ``l`` is right with its accuracy and, when wrong,
    points at the other classes in proportion to the class balance; rules are independent
    given ``y``. ``accuracies`` is rows x rules (a row may use its own estimates)."""
    n_classes = len(priors)
    log = np.tile(np.log(priors), (len(votes), 1))
    for rule, column in enumerate(votes.T):
        rows = np.flatnonzero(column != ABSTAIN)
        if not len(rows):
            continue
        voted = column[rows]
        hit = accuracies[rows, rule]
        miss = (1 - hit) / (1 - priors[voted])  # per unit of class balance
        # P(y=c | fired) / P(y=c): hit / prior for the voted class, miss for the others
        ratio = np.tile(miss[:, None], (1, n_classes))
        ratio[np.arange(len(rows)), voted] = hit / priors[voted]
        log[rows] += np.log(ratio)
    log -= log.max(axis=1, keepdims=True)
    posteriors = np.exp(log)
    return posteriors / posteriors.sum(axis=1, keepdims=True)
