"""The map: every row (up to ``MAX_POINTS``, always every flagged row) as a point in 2-D.

From ``embedding.row_vectors``: t-SNE (``pipeline.tsne``) lays out a seeded sample of
``LANDMARKS`` rows, and every other point is placed among the landmarks nearest to it in
feature space (weighted by closeness). Near rows stay near, at a cost that hardly grows with the
data: benchmarks/map_projection.py measured this against PCA, t-SNE on every point and UMAP.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from databugs.models.engines import on_one_thread
from databugs.pipeline.neighbours import nearest_table
from databugs.pipeline.tsne import embed

MAX_POINTS = 20_000
LANDMARKS = 500
"""t-SNE points: 500 lay out 20,000 rows in 7 s instead of 18 s for 1,000, at 0.03 less
trustworthiness (benchmarks/map_projection.py, 4 sets): the map is a guide, its cost every
scan's."""
TSNE_ANGLE = 0.8
"""Barnes-Hut's coarseness for t-SNE on every point (``method="tsne"``, benchmarks only)."""
PLACE_BY = 5
"""Landmarks each other point is placed among."""
DIGITS = 4


def map_rows(
    total: int,
    flagged: Sequence[int],
    seed: int,
    limit: int = MAX_POINTS,
    named: Sequence[int] = (),
) -> np.ndarray:
    """The rows the map shows, in order: every flagged row, then as many rows other issues name
    as there is room for, then a seeded sample of the rest (all of them up to ``limit``)."""
    if total <= limit:
        return np.arange(total)
    rng = np.random.default_rng(seed)
    chosen = np.zeros(total, dtype=bool)
    chosen[np.asarray(flagged, dtype=np.int64)] = True
    named_rows = np.zeros(total, dtype=bool)
    named_rows[np.asarray(named, dtype=np.int64)] = True
    for pool in (named_rows, np.ones(total, dtype=bool)):
        room = limit - int(chosen.sum())
        rest = np.flatnonzero(pool & ~chosen)  # sorted, as the sample below needs
        if room <= 0 or not len(rest):
            continue
        chosen[rest if len(rest) <= room else rng.choice(rest, room, replace=False)] = True
    return np.flatnonzero(chosen)


def layout(vectors: np.ndarray, seed: int, method: str = "landmarks") -> np.ndarray:
    """2-D positions of ``vectors``, scaled into [0, 1] on both axes (one feature: a second,
    empty axis)."""
    if vectors.shape[1] < 2:
        vectors = np.hstack([vectors, np.zeros((len(vectors), 2 - vectors.shape[1]))])
    if len(vectors) < 3 or method == "pca":
        points = _pca(vectors)
    elif method == "landmarks":
        points = _landmark_tsne(vectors, seed)
    elif method == "tsne":
        points = _barnes_hut_tsne(vectors, seed)
    elif method == "umap":
        import umap  # benchmarks only: the measured alternative

        points = umap.UMAP(random_state=seed).fit_transform(vectors)
    else:
        raise ValueError(f"unknown layout {method!r}")
    return _unit_square(np.asarray(points, dtype=np.float64))


def _pca(vectors: np.ndarray) -> np.ndarray:
    centred = vectors - vectors.mean(axis=0) if len(vectors) else vectors
    if centred.shape[1] < 2 or len(centred) < 2:
        return np.column_stack(
            [centred[:, :1].ravel() if centred.size else [], np.zeros(len(centred))]
        )
    _, _, directions = np.linalg.svd(centred[:5000], full_matrices=False)
    return centred @ directions[:2].T


def _perplexity(count: int) -> float:
    return float(min(30, max(2, (count - 1) / 3)))


def _tsne(vectors: np.ndarray) -> np.ndarray:
    """Exact t-SNE on one thread: OpenMP's threads fighting a busy machine made t-SNE 8 times
    slower."""
    with on_one_thread():
        return embed(vectors, _perplexity(len(vectors)))


def _barnes_hut_tsne(vectors: np.ndarray, seed: int) -> np.ndarray:
    """scikit-learn's t-SNE of every point: the alternative benchmarks/map_projection.py
    measures."""
    from sklearn.manifold import TSNE

    tsne = TSNE(
        perplexity=_perplexity(len(vectors)),
        init="pca",
        max_iter=500,
        angle=TSNE_ANGLE,
        random_state=seed,
        n_jobs=1,
    )
    with on_one_thread():
        return tsne.fit_transform(vectors.astype(np.float64))


def _landmark_tsne(vectors: np.ndarray, seed: int) -> np.ndarray:
    """t-SNE on a sample; each other point at the weighted mean of its nearest landmarks."""
    if len(vectors) <= LANDMARKS:
        return _tsne(vectors)
    rng = np.random.default_rng(seed)
    landmarks = np.sort(rng.choice(len(vectors), LANDMARKS, replace=False))
    placed = np.zeros((len(vectors), 2))
    placed[landmarks] = _tsne(vectors[landmarks])
    others = np.setdiff1d(np.arange(len(vectors)), landmarks, assume_unique=True)
    near, _ = nearest_table(vectors, landmarks, others, count=PLACE_BY)
    gaps = np.linalg.norm(vectors[near] - vectors[others][:, None, :], axis=2)
    weights = 1.0 / (gaps + 1e-6)
    placed[others] = np.einsum("ij,ijk->ik", weights, placed[near]) / weights.sum(1, keepdims=True)
    return placed


def _unit_square(points: np.ndarray) -> np.ndarray:
    low = points.min(axis=0) if len(points) else np.zeros(2)
    span = np.ptp(points, axis=0) if len(points) else np.ones(2)
    return (points - low) / np.where(span > 0, span, 1.0)


def map_record(
    rows: np.ndarray,
    points: np.ndarray,
    given: Sequence[Any],
    suggested: dict[int, Any],
    lines: np.ndarray,
    previews: dict[int, str],
) -> dict[str, Any]:
    """report.json's ``map``: per point its row in the file, position, given label and (if
    flagged) suggested label as positions in ``classes``, and a preview of its content."""
    classes = sorted(
        {str(given[r]) for r in rows if given[r] is not None} | {str(v) for v in suggested.values()}
    )
    index = {name: position for position, name in enumerate(classes)}

    def place(label: Any) -> int:
        return -1 if label is None else index[str(label)]

    return {
        "classes": classes,
        "total": len(given),
        "rows": np.asarray(lines)[rows].astype(np.int64).tolist(),
        "x": np.round(points[:, 0], DIGITS).tolist(),
        "y": np.round(points[:, 1], DIGITS).tolist(),
        "given": [place(given[r]) for r in rows],
        "suggested": [place(suggested.get(int(r))) for r in rows],
        "content": [previews.get(int(r), "") for r in rows],
    }
