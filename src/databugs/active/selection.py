"""Which rows to label next (active learning), and which labelled rows to label again.

Strategies score the unlabelled rows with a model trained on the labelled ones:
``uncertainty`` (smallest margin between the two likeliest classes), ``diverse`` (k-center
greedy in feature space: each pick is the row farthest from everything labelled or picked),
``balanced`` (rows predicted as the classes with the fewest labels), ``random``; ``auto`` takes
the most uncertain rows, favouring rare classes, and then spreads the batch with k-center greedy
among them, so that the batch is not fifty near-copies of one confusing row. With no labels, or
a single class, every strategy but ``random`` falls back to ``diverse``.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import StandardScaler

from databugs.data.features import FeatureSet
from databugs.data.validate import check_at_least, check_seed
from databugs.errors import DatabugsError, ErrorCode, given
from databugs.models.zoo import make_model, resolve_model_name

STRATEGIES = ("auto", "uncertainty", "diverse", "balanced", "random")
EMBEDDING_DIMENSIONS = 50
POOL_FACTOR = 10


@dataclass(frozen=True)
class Selection:
    """Rows picked, in order, with why, and the model's guess where there is a model."""

    rows: np.ndarray
    reasons: list[str]
    predicted: list[str | None]
    confidence: np.ndarray


def embed(features: FeatureSet, seed: int) -> np.ndarray:
    """A dense, scaled view of the features for distances (SVD for sparse text features)."""
    matrix = features.matrix
    if sp.issparse(matrix):
        components = min(EMBEDDING_DIMENSIONS, matrix.shape[1] - 1, matrix.shape[0] - 1)
        if components < 1:
            return np.zeros((matrix.shape[0], 1))
        return TruncatedSVD(components, random_state=seed).fit_transform(matrix)
    filled = np.where(np.isnan(matrix), np.nanmedian(matrix, axis=0), matrix)
    return StandardScaler().fit_transform(np.nan_to_num(filled))


def k_center_greedy(
    points: np.ndarray, centres: np.ndarray, candidates: np.ndarray, count: int, seed: int
) -> np.ndarray:
    """Pick ``count`` of ``candidates``, each the farthest from the centres and earlier picks."""
    if len(candidates) == 0 or count <= 0:
        return np.empty(0, dtype=int)
    chosen: list[int] = []
    if len(centres):
        distance = np.full(len(candidates), np.inf)
        for start in range(0, len(centres), 2048):
            block = points[centres[start : start + 2048]]
            distance = np.minimum(distance, _min_distance(points[candidates], block))
    else:
        first = int(np.random.default_rng(seed).integers(len(candidates)))
        chosen.append(first)
        distance = _min_distance(points[candidates], points[candidates[[first]]])
    distance[chosen] = -np.inf  # once only copies are left, every distance is 0: never again
    while len(chosen) < min(count, len(candidates)):
        pick = int(np.argmax(distance))
        chosen.append(pick)
        distance = np.minimum(
            distance, _min_distance(points[candidates], points[candidates[[pick]]])
        )
        distance[pick] = -np.inf
    return candidates[np.array(chosen, dtype=int)]


def unexplored_regions(
    points: np.ndarray, labelled: np.ndarray, pool: np.ndarray, count: int, seed: int
) -> np.ndarray:
    """Cluster all rows into (labelled + count) regions; from the largest regions without a
    labelled row, the pool row nearest the centre (typical, not an outlier)."""
    if count <= 0 or len(pool) == 0:
        return np.empty(0, dtype=int)
    rows = np.concatenate([labelled, pool])
    clusters = min(len(rows), len(labelled) + count)
    kmeans = MiniBatchKMeans(clusters, random_state=seed, n_init=3, batch_size=2048)
    assignment = kmeans.fit_predict(points[rows])
    covered = set(assignment[: len(labelled)])
    pool_assignment = assignment[len(labelled) :]
    sizes = np.bincount(pool_assignment, minlength=clusters)
    picks = []
    for cluster in np.argsort(-sizes, kind="stable"):
        if len(picks) == count or sizes[cluster] == 0:
            break
        if cluster in covered:
            continue
        members = np.flatnonzero(pool_assignment == cluster)
        gaps = ((points[pool[members]] - kmeans.cluster_centers_[cluster]) ** 2).sum(axis=1)
        picks.append(pool[members[np.argmin(gaps)]])
    chosen = np.array(picks, dtype=int)
    if len(chosen) < count:  # every region has a label: spread the rest by distance
        rest = np.setdiff1d(pool, chosen)
        more = k_center_greedy(
            points, np.concatenate([labelled, chosen]), rest, count - len(chosen), seed
        )
        chosen = np.concatenate([chosen, more])
    return chosen


def _min_distance(points: np.ndarray, others: np.ndarray) -> np.ndarray:
    squared = (
        (points**2).sum(axis=1)[:, None] - 2 * points @ others.T + (others**2).sum(axis=1)[None, :]
    )
    return np.sqrt(np.maximum(squared, 0)).min(axis=1)


def select_rows(
    features: FeatureSet,
    labels: list[str | None],
    *,
    budget: int,
    strategy: str = "auto",
    model: str = "auto",
    seed: int = 0,
) -> Selection:
    """Pick ``budget`` unlabelled rows to label next."""
    if strategy not in STRATEGIES:
        raise DatabugsError(
            f"{given('strategy', strategy)} is not known",
            code=ErrorCode.BAD_OPTION,
            hint=f"use one of {', '.join(STRATEGIES)}",
        )
    check_at_least("budget", budget, 1)
    check_seed(seed)
    labelled = np.array([i for i, label in enumerate(labels) if label is not None], dtype=int)
    pool = np.array([i for i, label in enumerate(labels) if label is None], dtype=int)
    classes = sorted({label for label in labels if label is not None})
    budget = min(budget, len(pool))
    if budget == 0:  # every row is labelled: nothing to pick
        return Selection(np.empty(0, dtype=int), [], [], np.empty(0))
    rng = np.random.default_rng(seed)
    if strategy == "random":
        rows = np.sort(rng.choice(pool, size=min(budget, len(pool)), replace=False))
        return Selection(
            rows, ["random"] * len(rows), [None] * len(rows), np.full(len(rows), np.nan)
        )
    points = embed(features, seed)
    if len(classes) < 2 or strategy == "diverse":
        rows = k_center_greedy(points, labelled, pool, budget, seed)
        why = (
            "diverse" if strategy == "diverse" else "diverse (too few classes labelled for a model)"
        )
        return Selection(rows, [why] * len(rows), [None] * len(rows), np.full(len(rows), np.nan))
    probabilities = _pool_probabilities(features, labels, labelled, pool, classes, model, seed)
    top = np.sort(probabilities, axis=1)
    margin = top[:, -1] - top[:, -2]
    predicted = probabilities.argmax(axis=1)
    tally = Counter(label for label in labels if label is not None)
    counts = np.array([tally[name] for name in classes])
    rarity = 1.0 / np.sqrt(counts[predicted])
    if strategy == "uncertainty":
        order, reason = np.argsort(margin, kind="stable")[:budget], "uncertain"
    elif strategy == "balanced":
        order, reason = np.argsort(-rarity * (1 - margin), kind="stable")[:budget], "rare class"
    else:
        return _auto(points, labelled, pool, margin, rarity, budget, seed, classes, predicted, top)
    rows = pool[order]
    return Selection(
        rows=rows,
        reasons=[reason] * len(rows),
        predicted=[classes[c] for c in predicted[order]],
        confidence=np.round(top[order, -1], 6),
    )


def _auto(
    points: np.ndarray,
    labelled: np.ndarray,
    pool: np.ndarray,
    margin: np.ndarray,
    rarity: np.ndarray,
    budget: int,
    seed: int,
    classes: list[str],
    predicted: np.ndarray,
    top: np.ndarray,
) -> Selection:
    """Part of the batch explores (the most typical row of each region of the data that has no
    label yet: finds unseen classes), the rest exploits (the most uncertain rows, favouring rare
    classes, spread by k-center). While fewer rows are labelled than the batch asks for, the
    whole batch explores; then half of it."""
    explore_count = budget if len(labelled) < budget else budget // 2
    explore = unexplored_regions(points, labelled, pool, explore_count, seed)
    score = (1 - margin) * rarity / rarity.max()
    score[np.searchsorted(pool, explore)] = -np.inf
    shortlist = np.argsort(-score, kind="stable")[: budget * POOL_FACTOR]
    shortlist = shortlist[np.isfinite(score[shortlist])]  # not the rows already explored
    centres = np.concatenate([labelled, explore])
    exploit = k_center_greedy(points, centres, pool[shortlist], budget - len(explore), seed)
    rows = np.concatenate([explore, exploit])
    order = np.searchsorted(pool, rows)
    reasons = ["far from everything labelled"] * len(explore)
    reasons += ["uncertain, spread out"] * len(exploit)
    return Selection(
        rows=rows,
        reasons=reasons,
        predicted=[classes[c] for c in predicted[order]],
        confidence=np.round(top[order, -1], 6),
    )


def _pool_probabilities(
    features: FeatureSet,
    labels: list[str | None],
    labelled: np.ndarray,
    pool: np.ndarray,
    classes: list[str],
    model: str,
    seed: int,
) -> np.ndarray:
    """The model's probabilities for the unlabelled rows, trained on all labelled rows."""
    index = {name: i for i, name in enumerate(classes)}
    targets = np.array([index[labels[row]] for row in labelled])
    estimator = make_model(resolve_model_name(model, features.kind), features.kind, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(features.matrix[labelled], targets)
        known = estimator.predict_proba(features.matrix[pool])
    probabilities = np.zeros((len(pool), len(classes)))
    probabilities[:, estimator.classes_] = known
    return probabilities
