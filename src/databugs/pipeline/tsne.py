"""t-SNE (van der Maaten and Hinton, 2008) for the map's few hundred landmarks, exact.

At 500 points the exact gradient costs one 500 x 500 kernel a step; written as two matrix
products and three passes over it, 500 steps take a third of the time of scikit-learn's
Barnes-Hut (0.28 s vs 0.61 s a map, one thread), with the same neighbour preservation on the
pool (trustworthiness 0.878 both, benchmarks/map_projection.py). scikit-learn's schedule, 100
steps shorter: PCA start, affinities among the 3 x perplexity nearest points, early
exaggeration 12 for 250 steps at momentum 0.5, then momentum 0.8, per-coordinate gains,
learning rate max(n / 48, 50). 400 steps instead of 500 lose 0.002 of trustworthiness on the
8 sets of map_projection.py at worst and on average, for a fifth of the map's t-SNE.
"""

from __future__ import annotations

import numpy as np

STEPS = 400
EXAGGERATED_STEPS = 250
EXAGGERATION = 12.0
SEARCH_STEPS = 100
"""Bisection steps for each point's kernel width (it stops once every entropy is met)."""


def embed(vectors: np.ndarray, perplexity: float, steps: int = STEPS) -> np.ndarray:
    """2-D positions of ``vectors`` (at least 3 rows); deterministic: no random start."""
    vectors = np.asarray(vectors, dtype=np.float64)
    affinity = _affinities(vectors, perplexity).astype(np.float32)
    return _descend(affinity, _start(vectors), steps).astype(np.float64)


def _affinities(vectors: np.ndarray, perplexity: float) -> np.ndarray:
    """Symmetric joint probabilities from each point's ``3 * perplexity`` nearest points."""
    count = len(vectors)
    lengths = np.einsum("ij,ij->i", vectors, vectors)
    squared = np.maximum(lengths[:, None] + lengths[None, :] - 2 * vectors @ vectors.T, 0.0)
    np.fill_diagonal(squared, np.inf)
    width = min(count - 1, int(3 * perplexity + 1))
    near = np.argpartition(squared, width - 1, axis=1)[:, :width]
    gaps = np.take_along_axis(squared, near, 1)
    joint = np.zeros((count, count))
    np.put_along_axis(
        joint, near, _conditional(gaps - gaps.min(axis=1, keepdims=True), perplexity), 1
    )
    joint += joint.T
    return np.maximum(joint / joint.sum(), 1e-12)


def _conditional(gaps: np.ndarray, perplexity: float) -> np.ndarray:
    """Per row, Gaussian weights over its gaps whose entropy is log(perplexity) (bisection on
    the precision, all rows at once; gaps shifted so each row's smallest is 0: no underflow)."""
    wanted = np.log(perplexity)
    precision = np.ones(len(gaps))
    low, high = np.zeros(len(gaps)), np.full(len(gaps), np.inf)
    for _ in range(SEARCH_STEPS):
        weights = np.exp(-gaps * precision[:, None])
        total = weights.sum(axis=1)
        entropy = np.log(total) + precision * (gaps * weights).sum(axis=1) / total
        if np.abs(entropy - wanted).max() < 1e-5:
            break
        wide = entropy > wanted
        low, high = np.where(wide, precision, low), np.where(wide, high, precision)
        precision = np.where(np.isinf(high), precision * 2, (low + high) / 2)
    return weights / total[:, None]


def _start(vectors: np.ndarray) -> np.ndarray:
    """The first two principal components, scaled to a spread of 1e-4 (scikit-learn's)."""
    centred = vectors - vectors.mean(axis=0)
    _, _, directions = np.linalg.svd(centred, full_matrices=False)
    start = centred @ directions[:2].T
    if start.shape[1] < 2:
        start = np.hstack([start, np.zeros((len(start), 2 - start.shape[1]))])
    spread = np.std(start[:, 0])
    return (start / (spread if spread > 0 else 1.0) * 1e-4).astype(np.float32)


def _descend(affinity: np.ndarray, points: np.ndarray, steps: int) -> np.ndarray:
    """Gradient descent on the KL divergence. The kernel 1 / (1 + squared distance) is one
    product of [-2y, |y|^2 + 1, 1] by [y, 1, |y|^2]; its diagonal (1) cancels in the gradient,
    so only the normaliser leaves it out."""
    count = len(points)
    exaggerated = affinity * np.float32(EXAGGERATION)
    rate = max(count / EXAGGERATION / 4.0, 50.0)
    update, gains = np.zeros_like(points), np.ones_like(points)
    left, right = np.ones((count, 4), np.float32), np.ones((count, 4), np.float32)
    with_ones = np.ones((count, 3), np.float32)
    kernel = np.empty((count, count), np.float32)
    for step in range(steps):
        early = step < EXAGGERATED_STEPS
        target, momentum = (exaggerated, 0.5) if early else (affinity, 0.8)
        lengths = np.einsum("ij,ij->i", points, points)
        left[:, :2], left[:, 2] = -2 * points, lengths + 1
        right[:, :2], right[:, 3] = points, lengths
        np.reciprocal(np.matmul(left, right.T, out=kernel), out=kernel)
        pull = kernel * np.float32(-1.0 / (kernel.sum() - count))
        pull += target
        pull *= kernel
        with_ones[:, :2] = points
        sums = pull @ with_ones
        gradient = 4 * (sums[:, 2:] * points - sums[:, :2])
        gains = np.maximum(np.where(update * gradient < 0, gains + 0.2, gains * 0.8), 0.01)
        update = momentum * update - rate * gains * gradient
        points = points + update
    return points
