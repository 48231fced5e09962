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


@dataclass(frozen=True)
class Calibrated:
    """Calibrated probabilities of the true class, the noise matrix, and the posterior."""

    probabilities: np.ndarray
    """Rows x classes: P(true class | row)."""
    noise: np.ndarray
    """Classes x classes: T[true, given] = P(given label | true class)."""
    posterior: np.ndarray
    """Rows x classes: P(true class | row, its given label)."""


def calibrate(
    probabilities: np.ndarray, labels: np.ndarray, fitted_on: np.ndarray | None = None
) -> Calibrated:
    """The three steps of the module doc, for out-of-fold ``probabilities`` of ``labels``.

    Each step is fitted on the ``fitted_on`` rows (boolean; default all) and applied to every
    row. With a test split these are the training rows: the test labels being judged do not
    tune their own judge, and the noise matrix says how the training labels were corrupted,
    not a test split labelled apart, so a held-out row's posterior is its calibrated
    probability (a uniform noise matrix), the given label scored as a test set is.

    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8], [0.85, 0.15]])
    >>> result = calibrate(p, np.array([0, 0, 1, 1, 1]))
    >>> bool(result.posterior[4, 1] < result.posterior[2, 1])
    True
    """
    fit = np.ones(len(labels), dtype=bool) if fitted_on is None else fitted_on
    plain = vector_scaling(probabilities, labels, fitted_on=fit)
    aware = vector_scaling(
        probabilities, labels, noise=noise_matrix(labels[fit], plain[fit]), fitted_on=fit
    )
    noise = noise_matrix(labels[fit], aware[fit])  # estimated again from the sharper probabilities
    judged = posterior(aware, noise, labels)
    judged[~fit] = aware[~fit]
    return Calibrated(aware, noise, judged)


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
    from scipy.optimize import minimize

    logs = np.log(np.clip(probabilities, FLOOR, 1))
    fit = slice(None) if fitted_on is None else fitted_on
    n_classes = probabilities.shape[1]
    fit_result = minimize(
        _loss_and_gradient,
        np.zeros(n_classes + 1),
        args=(logs[fit], labels[fit], noise),
        jac=True,
        method="L-BFGS-B",
    )
    return _scaled(logs, fit_result.x)


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
