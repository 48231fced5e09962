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

from databugs.data.distinct import distinct_rows

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
    nearest first (copies of one row: the earlier first; other rows exactly as near, in an
    order fixed by the data but not by row number), and which of them exist (fewer labelled
    rows than ``count``). Vectorised: no step per query row."""
    labelled = np.asarray(labelled, dtype=np.int64)
    near = np.zeros((len(queries), count), dtype=np.int64)
    found = np.zeros((len(queries), count), dtype=bool)
    if not len(queries) or not len(labelled):
        return near, found
    slot = np.full(len(vectors), -1)
    slot[labelled] = np.arange(len(labelled))
    points, own = vectors[labelled], slot[queries]
    codes, firsts = distinct_rows(points)
    if len(firsts) == len(points):
        positions, gaps = _search(points, vectors[queries], own, count)
    else:
        positions, gaps = _search_copies(points, codes, firsts, vectors[queries], own, count)
    width = positions.shape[1]
    near[:, :width], found[:, :width] = labelled[positions], gaps != np.inf
    return near, found


def _search(
    points: np.ndarray, queries: np.ndarray, own: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per query, the positions of its ``count`` nearest points (``own``: its own position
    among them, -1 if none, never its neighbour) and their squared distances less the query's
    own length, nearest first; ``inf`` where there are fewer points."""
    take = min(count + 1, len(points))
    padded, squares = _padded(points)
    across = np.ascontiguousarray(padded.T)  # a third faster to multiply by
    positions = np.zeros((len(queries), min(count, take)), dtype=np.int64)
    gaps = np.zeros(positions.shape, dtype=np.float32)
    block = max(1, BLOCK_CELLS // len(squares))
    for start in range(0, len(queries), block):
        distances = queries[start : start + block] @ across
        distances *= -2.0
        distances += squares
        mine = np.flatnonzero(own[start : start + block] >= 0)
        distances[mine, own[start : start + block][mine]] = np.inf
        nearest = np.sort(_smallest(distances, take), axis=1)  # the chosen in row order
        values = np.take_along_axis(distances, nearest, axis=1)
        order = np.argsort(values, axis=1, kind="stable")[:, : positions.shape[1]]
        positions[start : start + block] = np.take_along_axis(nearest, order, 1)
        gaps[start : start + block] = np.take_along_axis(values, order, 1)
    return positions, gaps


def _search_copies(
    points: np.ndarray,
    codes: np.ndarray,
    firsts: np.ndarray,
    queries: np.ndarray,
    own: np.ndarray,
    count: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_search` where some points are copies: the ``count + 1`` nearest distinct points
    hold the answer (each at least one point, one of them perhaps the query itself), so only
    distinct points are compared (resampled data: 18 copies a row), then their first
    ``count + 1`` copies each; copies equally near come earliest first."""
    take = min(count + 1, len(firsts))
    nearest, distances = _search(points[firsts], queries, np.full(len(queries), -1), take)
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(firsts)))
    rank = np.arange(len(codes)) - starts[codes[order]]
    members = np.full((len(firsts), count + 1), -1)
    kept = rank <= count
    members[codes[order][kept], rank[kept]] = order[kept]
    candidates = members[nearest].reshape(len(queries), -1)
    gaps = np.repeat(distances, count + 1, axis=1)
    gaps[(candidates < 0) | (candidates == own[:, None])] = np.inf
    chosen = np.lexsort((candidates, gaps), axis=1)[:, :count]
    return np.take_along_axis(candidates, chosen, 1), np.take_along_axis(gaps, chosen, 1)


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
    """Per row, the columns of its ``take`` smallest distances. Among many columns, searched in
    the ``take`` chunks with the smallest minima only: every other value is at least the
    largest of those minima, so the answer is exact, at a sixth of the cost of searching every
    column."""
    if distances.shape[1] < max(CHUNKED_FROM, take * CHUNK):
        return _first_smallest(distances, take)
    height = len(distances)
    minima = distances.reshape(height, -1, CHUNK).min(axis=2)
    chunks = np.sort(_first_smallest(minima, take), axis=1)  # in column order: ties go earlier
    columns = (chunks[:, :, None] * CHUNK + np.arange(CHUNK)).reshape(height, -1)
    values = np.take_along_axis(distances, columns, axis=1)
    return np.take_along_axis(columns, _first_smallest(values, take), 1)


def _first_smallest(values: np.ndarray, take: int) -> np.ndarray:
    """Per row, the columns of its ``take`` smallest values, smallest first (ties: the earlier
    column; infinite and NaN values last), each column once. ``take`` passes of argmin: for the
    few neighbours sought, ten times faster than ``argpartition``, whose cost per row
    dominated the search."""
    left = np.fmin(values, np.finfo(values.dtype).max)  # below inf, the mark of a chosen column
    rows = np.arange(len(left))
    chosen = np.empty((len(left), take), dtype=np.int64)
    for step in range(take):
        chosen[:, step] = left.argmin(axis=1)
        left[rows, chosen[:, step]] = np.inf
    return chosen


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
