"""From out-of-fold probabilities of the given labels to probabilities that mean what they say.

A model trained on noisy labels predicts the *given* label; to decide whether a label is wrong
we need P(true class | row) and how labels get corrupted. Three steps, each fitted on the
scan's own out-of-fold probabilities and given labels (no constant tuned on a benchmark):

1. Vector scaling (a temperature and a bias per class, fitted by log loss): out-of-fold
   probabilities are over- or under-confident, and more so for small classes.
2. The noise matrix ``T[true, given]`` from cleanlab's calibrated confident joint.
3. Vector scaling again, now fitted so that the probabilities, passed through ``T``, explain
   the given labels: the noise explains the rows the model "misses", so the probabilities are
   no longer softened by them; then ``T`` once more, from these probabilities.

Step 3 is skipped where step 1 explains under a tenth of the labels' entropy
(``explained_share``) or where step 3 predicts held-out given labels worse than step 1 by two
standard errors (``noise_model_fails_held_out``). Where the models cannot predict the labels
well, the noise matrix of step 2 holds the models' own mistakes as much as the labels', and
fitting through it makes every row certain of the model's guess: one feature of the letters
sample (10% accuracy) had 1,798 of 2,000 rows flagged, 14 of them rightly; 2,000 tweets of
tweeteval_emoji, 723 flags, 13 right. There the probabilities of step 1 and its noise matrix
are used.

The posterior ``P(true = j | row, given label) ∝ P(true = j | row) * T[j, given]`` then says,
per row, how likely its given label is right: flipping a label to a class it is rarely confused
with needs much stronger evidence than flipping it to one it is often confused with, which is
what keeps small classes from being eroded into large ones.

Measured on the pool of ../shared/datasets (docs/benchmarks.md, "Flags on unseen data").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLOOR = 1e-6
BIAS_PENALTY = 1e-3
"""A light ridge on the per-class biases, so that a class of a few rows cannot run away."""
STANDARD_ERRORS = 2.0
"""How clearly step 3 must lose to step 1 on held-out rows to be skipped (one-sided, about 2%
by chance)."""
ROWS_PER_CLASS = 20
"""Rows per class each half of the held-out comparison needs (fewer: the half's noise matrix
is too rough for the comparison to be fair to step 3; 450 letters in 26 classes)."""
MIN_EXPLAINED = 0.1
"""Below this share of the labels' entropy explained, step 3 is not taken whatever the test
says: the held-out difference is then too noisy to trust (one feature of the letters sample:
0.04 explained, step 3 1.9 standard errors *better* on held-out rows)."""
CHECK_ROWS, CHECK_CELLS = 20_000, 1_000_000
"""Rows, and rows x classes, the held-out comparison reads at most (a seeded sample: it costs
about 1 s whatever the data; 151 classes: 6,622 rows)."""


@dataclass(frozen=True)
class Calibrated:
    """Calibrated probabilities of the true class, the noise matrix, and the posterior."""

    probabilities: np.ndarray
    """Rows x classes: P(true class | row)."""
    noise: np.ndarray
    """Classes x classes: T[true, given] = P(given label | true class)."""
    posterior: np.ndarray
    """Rows x classes: P(true class | row, its given label)."""
    noise_aware: bool
    """Whether step 3 was taken (see the module doc)."""
    health: np.ndarray
    """Rows x classes: the posterior a label's health is read from; ``posterior`` itself but
    for held-out rows (see :func:`calibrate`)."""


def calibrate(
    probabilities: np.ndarray, labels: np.ndarray, fitted_on: np.ndarray | None = None
) -> Calibrated:
    """The three steps of the module doc, for out-of-fold ``probabilities`` of ``labels``.

    Each step is fitted on the ``fitted_on`` rows (boolean; default all) and applied to every
    row. With a test split these are the training rows: the test labels being judged do not
    tune their own judge. The training rows' noise matrix says how those labels were
    corrupted, not how a test split labelled apart was, so a held-out row's posterior (what
    ranks and flags it) is its calibrated probability, the given label scored as a test set
    is. Those probabilities are sharpened to be read through the training rows' noise
    matrix, so read alone they make a right test row look less likely than a right training
    row: the health of a held-out row (``health``) is read from a posterior of its step-1
    probabilities with a noise matrix that cleanlab estimates from every row, the split's
    labels beside the training rows. On 59 sets with 5% noise in the test split only, a
    right test row's mean health is then within 0.001 of a right training row's (it was
    0.109 below, worst 0.31; with the split's own matrix alone 0.005, worst 0.08). On a few
    hundred test rows the split's own matrix reads too little noise: a multi-label tag's
    test rows (emotions, a random quarter) read 0.14 healthier than its training rows, 0.085
    pooled.

    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8], [0.85, 0.15]])
    >>> result = calibrate(p, np.array([0, 0, 1, 1, 1]))
    >>> bool(result.posterior[4, 1] < result.posterior[2, 1])
    True
    """
    fit = np.ones(len(labels), dtype=bool) if fitted_on is None else fitted_on
    plain = scaled = vector_scaling(probabilities, labels, fitted_on=fit)
    noise = noise_matrix(labels[fit], scaled[fit])
    aware = explained_share(scaled[fit], labels[fit]) >= MIN_EXPLAINED and not (
        noise_model_fails_held_out(probabilities[fit], labels[fit])
    )
    if aware:
        scaled = vector_scaling(probabilities, labels, noise=noise, fitted_on=fit)
        noise = noise_matrix(labels[fit], scaled[fit])  # again, from the sharper probabilities
    judged = posterior(scaled, noise, labels)
    health, held = judged, ~fit
    if held.any():
        health = judged.copy()
        pooled = noise_matrix(labels, plain)  # the split's labels beside the training rows
        health[held] = posterior(plain[held], pooled, labels[held])
        judged[held] = scaled[held]
    return Calibrated(scaled, noise, judged, noise_aware=aware, health=health)


def noise_model_fails_held_out(probabilities: np.ndarray, labels: np.ndarray) -> bool:
    """Whether step 3 predicts given labels it was not fitted on worse than step 1, by
    ``STANDARD_ERRORS`` standard errors of the per-row difference in log loss (two halves of
    a seeded sample, each fitted on one and judged on the other)."""
    rows = min(len(labels), CHECK_ROWS, CHECK_CELLS // probabilities.shape[1])
    if rows < 2 * ROWS_PER_CLASS * probabilities.shape[1]:
        return False  # too few rows to estimate a noise matrix from half of them
    rows = np.random.default_rng(0).permutation(len(labels))[:rows]
    logs = np.log(np.clip(probabilities[rows], FLOOR, 1))
    labels = labels[rows]
    halves = np.arange(len(rows)) % 2 == 0
    differences = np.zeros(len(rows))
    for fitted in (halves, ~halves):
        judged = ~fitted
        plain = _fitted_weights(logs[fitted], labels[fitted], None)
        noise = noise_matrix(labels[fitted], _scaled(logs[fitted], plain))
        aware = _fitted_weights(logs[fitted], labels[fitted], noise)
        plain_fit = _scaled(logs[judged], plain)
        aware_fit = _scaled(logs[judged], aware) @ noise
        differences[judged] = _losses(plain_fit, labels[judged]) - _losses(
            aware_fit, labels[judged]
        )
    spread = differences.std(ddof=1) / np.sqrt(len(rows))
    return bool(differences.mean() < -STANDARD_ERRORS * spread)


def explained_share(scaled: np.ndarray, labels: np.ndarray) -> float:
    """The share of the given labels' entropy (by their class shares) that the probabilities
    of step 1 explain: 1 - their log loss / that entropy (McFadden's R²). Rows of a class of
    one row are left out: no model can predict them out of fold (30 such rows among 600 made
    the models look blind at 84% accuracy, and nothing was flagged)."""
    learnable = np.bincount(labels, minlength=scaled.shape[1])[labels] >= 2
    scaled, labels = scaled[learnable], labels[learnable]
    if not len(labels):
        return 0.0
    shares = np.bincount(labels, minlength=scaled.shape[1]) / len(labels)
    entropy = -np.sum(shares[shares > 0] * np.log(shares[shares > 0]))
    if entropy <= 0:
        return 0.0
    return float(1 - _losses(scaled, labels).mean() / entropy)


def _losses(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each row's negative log probability of its label."""
    return -np.log(np.clip(probabilities[np.arange(len(labels)), labels], FLOOR, None))


def vector_scaling(
    probabilities: np.ndarray,
    labels: np.ndarray,
    *,
    noise: np.ndarray | None = None,
    fitted_on: np.ndarray | None = None,
) -> np.ndarray:
    """Probabilities rescaled as ``softmax(log p * exp(a) + b)``, with ``a`` and ``b`` (one
    bias per class) chosen by log loss of the given labels of the ``fitted_on`` rows (boolean;
    default all), through ``noise`` if given."""
    logs = np.log(np.clip(probabilities, FLOOR, 1))
    fit = slice(None) if fitted_on is None else fitted_on
    return _scaled(logs, _fitted_weights(logs[fit], labels[fit], noise))


def _fitted_weights(logs: np.ndarray, labels: np.ndarray, noise: np.ndarray | None) -> np.ndarray:
    """The temperature and biases of vector scaling that fit ``labels`` best (by log loss,
    through ``noise`` if given)."""
    from scipy.optimize import minimize

    fit_result = minimize(
        _loss_and_gradient,
        np.zeros(logs.shape[1] + 1),
        args=(logs, labels, noise),
        jac=True,
        method="L-BFGS-B",
    )
    return fit_result.x


def _loss_and_gradient(
    weights: np.ndarray, logs: np.ndarray, labels: np.ndarray, noise: np.ndarray | None
) -> tuple[float, np.ndarray]:
    """Mean negative log likelihood of the given labels (through ``noise``) and its gradient."""
    rows = np.arange(len(labels))
    scaled = _scaled(logs, weights)
    if noise is None:
        explained = scaled[rows, labels]
        by_class = np.zeros_like(scaled)
        by_class[rows, labels] = -1.0 / np.clip(explained, FLOOR, None)
    else:
        columns = noise[:, labels].T  # rows x classes: T[j, given]
        explained = (scaled * columns).sum(axis=1)
        by_class = -columns / np.clip(explained, FLOOR, None)[:, None]
    # through the softmax: d/dz = q * (g - sum(q * g))
    by_score = scaled * (by_class - (scaled * by_class).sum(axis=1, keepdims=True))
    by_score /= len(labels)
    loss = -np.log(np.clip(explained, FLOOR, None)).mean() + BIAS_PENALTY * np.sum(weights[1:] ** 2)
    gradient = np.concatenate(
        [
            [np.sum(by_score * logs) * np.exp(weights[0])],
            by_score.sum(axis=0) + 2 * BIAS_PENALTY * weights[1:],
        ]
    )
    return float(loss), gradient


def _scaled(logs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    scores = logs * np.exp(weights[0]) + weights[1:]
    scores -= scores.max(axis=1, keepdims=True)
    exponents = np.exp(scores)
    return exponents / exponents.sum(axis=1, keepdims=True)


def noise_matrix(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """``T[true, given] = P(given | true)`` from cleanlab's calibrated confident joint; no
    entry below a tenth of one row, so that no confusion is ever ruled out."""
    from cleanlab.count import estimate_joint

    joint = estimate_joint(labels, probabilities)  # [given, true]
    per_true = joint.sum(axis=0, keepdims=True)
    transition = np.divide(joint, per_true, out=np.zeros_like(joint), where=per_true > 0).T
    return np.clip(transition, 1.0 / (10 * len(labels)), None)


def posterior(probabilities: np.ndarray, noise: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``P(true = j | row, given) ∝ P(true = j | row) * T[j, given]``."""
    joint = probabilities * noise[:, labels].T
    return joint / joint.sum(axis=1, keepdims=True)
