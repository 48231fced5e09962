"""The evidence a reviewer believes: the rows most like a flagged row, and how they are labelled.

For each flagged row, its ``COUNT`` nearest labelled rows (itself left out) in the scan's
feature space (``embedding.row_vectors``: Euclidean distance there). Exact search, by blocks of
queries against every labelled row with one matrix product each, so 10,000 flagged rows among
100,000 take seconds and no index is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

COUNT = 5
BLOCK_CELLS = 8_000_000
"""Distances computed at once (query rows x labelled rows): about 32 MB of float32."""
CHUNK = 256
CHUNKED_FROM = 16 * CHUNK
"""Labelled rows from which the nearest are sought chunk by chunk (``_smallest``)."""


def nearest_labelled(
    vectors: np.ndarray, labelled: np.ndarray, queries: Sequence[int], count: int = COUNT
) -> dict[int, list[int]]:
    """For each query row, the ``count`` labelled rows nearest to it, nearest first."""
    queries = np.asarray(sorted(set(queries)), dtype=np.int64)
    near, found = nearest_table(vectors, labelled, queries, count)
    return {
        int(row): names[kept].tolist()
        for row, names, kept in zip(queries.tolist(), near, found, strict=True)
    }


def nearest_table(
    vectors: np.ndarray, labelled: np.ndarray, queries: np.ndarray, count: int = COUNT
) -> tuple[np.ndarray, np.ndarray]:
    """Row ``i``: the ``count`` labelled rows nearest to ``queries[i]`` (itself left out),
    nearest first, and which of them exist (fewer labelled rows than ``count``). Vectorised:
    no step per query row."""
    labelled = np.asarray(labelled, dtype=np.int64)
    take = min(count + 1, len(labelled))
    near = np.zeros((len(queries), count), dtype=np.int64)
    found = np.zeros((len(queries), count), dtype=bool)
    if not len(queries) or not take:
        return near, found
    points, squares = _padded(vectors[labelled])
    across = np.ascontiguousarray(points.T)  # a third faster to multiply by
    slot = np.full(len(vectors), -1)
    slot[labelled] = np.arange(len(labelled))
    block = max(1, BLOCK_CELLS // len(squares))
    for start in range(0, len(queries), block):
        rows = queries[start : start + block]
        distances = vectors[rows] @ across  # squared distances less the query's own length
        distances *= -2.0
        distances += squares
        own = slot[rows]
        mine = np.flatnonzero(own >= 0)
        distances[mine, own[mine]] = np.inf  # a row is not its own neighbour
        nearest = _smallest(distances, take)
        gaps = np.take_along_axis(distances, nearest, axis=1)
        order = np.argsort(gaps, axis=1, kind="stable")[:, :count]
        width = order.shape[1]
        near[start : start + len(rows), :width] = labelled[np.take_along_axis(nearest, order, 1)]
        found[start : start + len(rows), :width] = np.take_along_axis(gaps, order, 1) != np.inf
    return near, found


def _padded(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The labelled points and their squared lengths; beyond ``CHUNKED_FROM`` points, padded
    to whole chunks by points at infinite distance (never among the nearest)."""
    squares = np.einsum("ij,ij->i", points, points)
    if len(points) < CHUNKED_FROM:
        return points, squares
    missing = -len(points) % CHUNK
    points = np.vstack([points, np.zeros((missing, points.shape[1]), dtype=points.dtype)])
    return points, np.concatenate([squares, np.full(missing, np.inf, dtype=squares.dtype)])


def _smallest(distances: np.ndarray, take: int) -> np.ndarray:
    """Per row, the columns of its ``take`` smallest distances (in no order). Among many
    columns, searched in the ``take`` chunks with the smallest minima only: every other value
    is at least the largest of those minima, so the answer is exact, at a sixth of the cost
    of partitioning every column."""
    if distances.shape[1] < CHUNKED_FROM:
        return np.argpartition(distances, take - 1, axis=1)[:, :take]
    height = len(distances)
    minima = distances.reshape(height, -1, CHUNK).min(axis=2)
    chunks = np.argpartition(minima, take - 1, axis=1)[:, :take]
    columns = (chunks[:, :, None] * CHUNK + np.arange(CHUNK)).reshape(height, -1)
    values = np.take_along_axis(distances, columns, axis=1)
    return np.take_along_axis(columns, np.argpartition(values, take - 1, axis=1)[:, :take], 1)


def neighbour_records(
    found: dict[int, list[int]],
    labels: Sequence[Any],
    lines: np.ndarray,
    previews: dict[int, str],
) -> list[dict[str, Any]]:
    """report.json's ``neighbours``: per flagged row (by its row in the file), its neighbours'
    rows, labels and a preview of their content, nearest first."""
    return [
        {
            "row": int(lines[row]),
            "rows": [int(lines[n]) for n in near],
            "labels": [labels[n] for n in near],
            "content": [previews.get(n, "") for n in near],
        }
        for row, near in sorted(found.items(), key=lambda item: int(lines[item[0]]))
    ]
