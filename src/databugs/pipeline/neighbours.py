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
    points = vectors[labelled]
    squares = np.einsum("ij,ij->i", points, points)
    slot = np.full(len(vectors), -1)
    slot[labelled] = np.arange(len(labelled))
    block = max(1, BLOCK_CELLS // len(labelled))
    for start in range(0, len(queries), block):
        rows = queries[start : start + block]
        distances = squares[None, :] - 2.0 * (vectors[rows] @ points.T)
        own = slot[rows]
        mine = np.flatnonzero(own >= 0)
        distances[mine, own[mine]] = np.inf  # a row is not its own neighbour
        nearest = np.argpartition(distances, take - 1, axis=1)[:, :take]
        gaps = np.take_along_axis(distances, nearest, axis=1)
        order = np.argsort(gaps, axis=1, kind="stable")[:, :count]
        width = order.shape[1]
        near[start : start + len(rows), :width] = labelled[np.take_along_axis(nearest, order, 1)]
        found[start : start + len(rows), :width] = np.take_along_axis(gaps, order, 1) != np.inf
    return near, found


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
