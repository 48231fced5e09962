"""Clusters of mistakes: proposed corrections that share a cause, so a reviewer fixes a group.

Corrections are grouped by (given, suggested) label pair, then, within a pair of more than
``CLUSTER_SIZE`` rows, by similarity of the rows' features (k-means on unit-length rows,
about ``CLUSTER_SIZE`` rows per cluster). Each cluster is described by what its rows have in
common: for text the words heavier in it than in the whole data, for tables the columns
furthest from the data's average. Ids (``c1``, ``c2``, ...) follow the rank of each cluster's
worst row, so they are stable for the same input and seed.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import normalize

from databugs.data.features import FeatureSet
from databugs.detectors.base import Issue, is_correction

CLUSTER_SIZE = 15
MAX_CLUSTERS_PER_PAIR = 8
TERMS = 5
STATISTICS_SAMPLE = 100_000
"""Rows the table statistics that describe clusters are taken from, at most."""


def cluster_corrections(
    issues: list[Issue], features: FeatureSet, seed: int
) -> tuple[dict[int, str], list[dict[str, Any]]]:
    """Cluster id per corrected row, and the clusters (worst first) as report.json lists them.

    ``issues`` are ranked worst first; a row's first correction is the one clustered.
    """
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    seen: set[int] = set()
    for issue in issues:
        if is_correction(issue) and issue.row not in seen:
            seen.add(issue.row)
            by_pair[(issue.given_label, issue.suggested_label)].append(issue.row)
    view = _RowView(features)
    groups = []
    for pair, rows in by_pair.items():
        for members in _split(rows, view, seed):
            groups.append((pair, members))
    rank = {row: position for position, row in enumerate(_ranked_rows(issues))}
    groups.sort(key=lambda group: min(rank[row] for row in group[1]))
    assignment, described = {}, []
    for number, ((given, suggested), members) in enumerate(groups, start=1):
        cluster = f"c{number}"
        assignment |= {row: cluster for row in members}
        described.append(
            {
                "id": cluster,
                "given_label": given,
                "suggested_label": suggested,
                "rows": len(members),
                "examples": sorted(members, key=rank.__getitem__)[:5],
                "common": view.common(members),
            }
        )
    return assignment, described


def _ranked_rows(issues: list[Issue]) -> list[int]:
    ordered, seen = [], set()
    for issue in issues:
        if issue.row is not None and issue.row not in seen:
            seen.add(issue.row)
            ordered.append(issue.row)
    return ordered


def _split(rows: list[int], view: _RowView, seed: int) -> list[list[int]]:
    """One group, or k-means groups of about CLUSTER_SIZE similar rows."""
    if len(rows) <= CLUSTER_SIZE:
        return [rows]
    k = min(MAX_CLUSTERS_PER_PAIR, math.ceil(len(rows) / CLUSTER_SIZE))
    with warnings.catch_warnings():
        # rows with the same few values are fewer distinct points than k: fewer clusters, said
        # by sklearn's ConvergenceWarning, which is no news to a user
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(view.unit(rows))
    chosen = np.asarray(rows)
    return [chosen[labels == label].tolist() for label in np.unique(labels)]


class _RowView:
    """Rows of the feature matrix, standardised once for tables (column means and spreads)."""

    def __init__(self, features: FeatureSet) -> None:
        self.features = features
        self.sparse = sp.issparse(features.matrix)
        if self.sparse:  # a cluster's words are those heavier in it than in the whole data
            self.overall = np.asarray(features.matrix.mean(axis=0)).ravel()
        else:  # column statistics from a seeded sample: a million rows add nothing to them
            matrix = features.matrix
            if len(matrix) > STATISTICS_SAMPLE:
                rng = np.random.default_rng(0)
                matrix = matrix[np.sort(rng.choice(len(matrix), STATISTICS_SAMPLE, replace=False))]
            matrix = np.asarray(matrix, dtype=float)
            self.mean = np.nanmean(matrix, axis=0)
            spread = np.nanstd(matrix, axis=0)
            self.spread = np.where(spread > 0, spread, 1.0)

    def _standardised(self, rows: list[int]) -> np.ndarray:
        return (np.asarray(self.features.matrix[rows], dtype=float) - self.mean) / self.spread

    def unit(self, rows: list[int]) -> np.ndarray | sp.csr_matrix:
        """Unit-length rows, so that k-means groups by direction (cosine)."""
        if self.sparse:
            return normalize(self.features.matrix[rows])
        return normalize(np.nan_to_num(self._standardised(rows)))

    def common(self, rows: list[int]) -> list[str]:
        """What the rows share: their heaviest terms (text) or most unusual columns (tables)."""
        names = self.features.names
        if not names:
            return []
        if self.sparse:
            weights = np.asarray(self.features.matrix[rows].mean(axis=0)).ravel() - self.overall
            top = np.argsort(-weights, kind="stable")[:TERMS]
            return [names[i] for i in top if weights[i] > 0]
        with warnings.catch_warnings():  # a column empty in every row of the group: no shift
            warnings.simplefilter("ignore", RuntimeWarning)
            shift = np.nan_to_num(np.nanmean(self._standardised(rows), axis=0))
        top = np.argsort(-np.abs(shift), kind="stable")[:3]
        return [
            f"{names[i]} {'high' if shift[i] > 0 else 'low'}" for i in top if abs(shift[i]) >= 0.5
        ]
