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
    labelled = np.asarray(labelled, dtype=np.int64)
    queries = np.asarray(sorted(set(queries)), dtype=np.int64)
    found: dict[int, list[int]] = {}
    if not len(queries) or not len(labelled):
        return found
    points = vectors[labelled]
    squares = np.einsum("ij,ij->i", points, points)
    block = max(1, BLOCK_CELLS // len(labelled))
    take = min(count + 1, len(labelled))
    for start in range(0, len(queries), block):
        rows = queries[start : start + block]
        distances = squares[None, :] - 2.0 * (vectors[rows] @ points.T)
        distances[labelled[None, :] == rows[:, None]] = np.inf  # a row is not its own neighbour
        nearest = np.argpartition(distances, take - 1, axis=1)[:, :take]
        for position, row in enumerate(rows):
            order = nearest[position][
                np.argsort(distances[position, nearest[position]], kind="stable")
            ]
            chosen = [int(labelled[i]) for i in order if distances[position, i] != np.inf]
            found[int(row)] = chosen[:count]
    return found


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
