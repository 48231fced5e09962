"""Rows far from every other row in feature space: broken records, data from elsewhere.

Each row's score is its mean distance to its 10 nearest other rows (the row itself never counts),
searched among a seeded sample of reference rows (5,000, down to 1,000 for 100,000 rows and
more), so the cost is linear in rows.
The space: for tables, each numeric column by its rank (a value's share of the column below it,
scaled to unit variance: a skewed or discrete column weighs like any other, and a value between
the ones the column takes stands out) beside how far the value is past 3 robust z-scores
(log-damped), and categories one-hot; for text, the TF-IDF reduced to 50 dimensions by truncated
SVD (fitted on the reference rows' 10,000 most frequent terms), each row of unit length, beside
a dimension for "no word seen elsewhere" and each text column's length and script traits.

A row is flagged when the log of its score is ``min_score`` robust z-scores (median, MAD) above
the rows' typical: the threshold follows the data, not a fixed count. What is unusual is told in
the data's own terms: the columns furthest from their median (robust z-scores), or for text an
empty cell, a length far from the typical, letters of another script. Nothing is relabelled:
whether to fix, drop or keep an outlier is for a person to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register

if TYPE_CHECKING:
    from databugs.data.features import FeatureSet

NEIGHBOURS = 10
REFERENCE_ROWS = 5_000
MIN_REFERENCE_ROWS = 1_000
MAX_DISTANCES = 100_000_000
"""Fewer reference rows for larger data: 100,000 rows are compared with 1,000 (a second)."""
TEXT_DIMENSIONS = 50
SVD_TERMS = 10_000
"""The SVD reads the terms most often met in the reference rows (the rest weigh little)."""
SVD_ITERATIONS = 3
MIN_SCORE = 4.0
SHOWN_NEIGHBOURS = 3
SHOWN_COLUMNS = 3
MIN_COLUMN_Z = 3.0
LENGTH_RATIO = 5.0
"""A text this many times longer (or shorter) than the column's median length is unusual."""
SCRIPT_GAP = 0.3
"""A text whose share of non-Latin letters is this far above the column's typical share."""
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


@dataclass(frozen=True)
class OutlierScores:
    """Per row: the mean distance to its nearest other rows, and those rows (positions)."""

    distance: np.ndarray
    nearest: np.ndarray

    def robust_z(self) -> np.ndarray:
        """How far each row's log distance is above the typical row's, in robust z-scores."""
        positive = self.distance[self.distance > 0]
        floor = 1e-3 * (np.median(positive) if len(positive) else 1.0)
        logged = np.log(self.distance + floor)
        return _robust_z(logged)


def outlier_scores(features: FeatureSet, frame: pd.DataFrame, *, seed: int = 0) -> OutlierScores:
    """Every row's kNN distance to the reference rows, itself excluded."""
    from sklearn.neighbors import NearestNeighbors

    rows = features.matrix.shape[0]
    reference = reference_rows(rows, seed=seed)
    space = representation(features, frame, reference, seed=seed)
    neighbours = min(NEIGHBOURS, len(reference) - 1)
    if neighbours < 1:
        return OutlierScores(np.zeros(rows), np.zeros((rows, 0), dtype=int))
    search = NearestNeighbors(n_neighbors=neighbours + 1).fit(space[reference])
    distance, index = search.kneighbors(space)
    found = reference[index]
    itself = found == np.arange(rows)[:, None]
    # Drop the row itself where it is a reference row, else the farthest of the k + 1.
    drop = np.where(itself.any(axis=1), itself.argmax(axis=1), neighbours)
    keep = np.ones_like(itself)
    keep[np.arange(rows), drop] = False
    distance = distance[keep].reshape(rows, neighbours)
    return OutlierScores(distance.mean(axis=1), found[keep].reshape(rows, neighbours))


def reference_rows(rows: int, *, seed: int) -> np.ndarray:
    """The seeded sample of rows neighbours are searched among, in order."""
    size = min(rows, REFERENCE_ROWS, max(MIN_REFERENCE_ROWS, MAX_DISTANCES // max(rows, 1)))
    return np.sort(np.random.default_rng(seed).choice(rows, size=size, replace=False))


def representation(
    features: FeatureSet, frame: pd.DataFrame, reference: np.ndarray, *, seed: int
) -> np.ndarray:
    """The space distances are measured in (see the module's docstring)."""
    if features.kind == "text":
        return _text_space(features, frame, reference, seed)
    return _table_space(features)


def _table_space(features: FeatureSet) -> np.ndarray:
    matrix = np.asarray(features.matrix, dtype=np.float64)
    categorical = {use.column for use in features.columns if use.used_as == "categorical"}
    blocks = []
    for position, name in enumerate(features.names):
        values = matrix[:, position]
        if name in categorical:
            codes = np.where(np.isnan(values), -1, values).astype(int)
            onehot = codes[:, None] == np.arange(codes.max() + 1)[None, :]
            blocks.append(onehot / np.sqrt(2))  # two rows of different categories: distance 1
        else:
            blocks += [_rank_scaled(values)[:, None], _tail(values)[:, None]]
    return np.hstack(blocks).astype(np.float32)


def _rank_scaled(values: np.ndarray) -> np.ndarray:
    """Mid-ranks as a share of rows, centred, unit variance; missing values in the middle."""
    from scipy.stats import rankdata

    present = ~np.isnan(values)
    scaled = np.zeros(len(values))
    if present.any():
        share = rankdata(values[present]) / present.sum()
        scaled[present] = (share - share.mean()) * np.sqrt(12)
    return scaled


def _tail(values: np.ndarray) -> np.ndarray:
    """How far past 3 robust z-scores a value is, log-damped: ranks alone would put a width
    of 150 (where widths are 0-15) next to the widest real row."""
    present = ~np.isnan(values)
    tail = np.zeros(len(values))
    if present.any():
        z = _robust_z(values[present])
        tail[present] = np.sign(z) * np.log1p(np.maximum(np.abs(z) - MIN_COLUMN_Z, 0))
    return tail


def _text_space(
    features: FeatureSet, frame: pd.DataFrame, reference: np.ndarray, seed: int
) -> np.ndarray:
    """Unit-length SVD of the TF-IDF, a dimension for "no word seen elsewhere" (as far from
    every row as an unrelated text), and per text column its length and script traits."""
    from sklearn.decomposition import TruncatedSVD

    rows = features.matrix.shape[0]
    frequent = np.argsort(-features.matrix[reference].getnnz(axis=0))[:SVD_TERMS]
    matrix = features.matrix[:, np.sort(frequent)]
    dimensions = min(TEXT_DIMENSIONS, matrix.shape[1] - 1, len(reference) - 1)
    reduced = np.zeros((rows, 1))
    if dimensions >= 1:
        svd = TruncatedSVD(dimensions, n_iter=SVD_ITERATIONS, random_state=seed)
        reduced = svd.fit(matrix[reference]).transform(matrix)
    length = np.linalg.norm(reduced, axis=1, keepdims=True)
    unit = np.divide(reduced, length, out=np.zeros_like(reduced), where=length > 0)
    blocks = [unit, np.sqrt(2) * (length == 0)]
    for column in features.text_columns:
        texts = frame[column].astype(object).where(frame[column].notna(), "").astype(str)
        blocks += [_tail(np.log1p(texts.str.strip().str.len().to_numpy(float)))[:, None]]
        script = non_latin_shares(texts)
        blocks += [2 * (script - np.median(script[reference]))[:, None]]
    return np.hstack(blocks).astype(np.float32)


def _robust_z(values: np.ndarray) -> np.ndarray:
    """(value - median) / (1.4826 MAD); the mean absolute deviation when most values tie."""
    centre, spread = _centre_spread(values)
    return (values - centre) / spread


def _centre_spread(values: np.ndarray) -> tuple[float, float]:
    """The median and the robust sd (1.4826 MAD, else 1.2533 mean absolute deviation, else 1)."""
    if len(values) == 0:
        return 0.0, 1.0
    centre = float(np.median(values))
    spread = 1.4826 * np.median(np.abs(values - centre))
    if spread == 0:
        spread = 1.2533 * np.mean(np.abs(values - centre))
    return centre, float(spread or 1.0)


@register
class Outlier(Detector):
    name = "outlier"
    description = (
        "rows far from every other row (mean distance to their 10 nearest), with the columns "
        "or text traits that set them apart; fix, drop or keep each by hand"
    )

    def __init__(self, *, min_score: float = MIN_SCORE) -> None:
        self.min_score = min_score

    def detect(self, context: Context) -> list[Issue]:
        scores = outlier_scores(context.features, context.frame, seed=context.seed)
        score = scores.robust_z()
        flagged = np.flatnonzero(score >= self.min_score)
        if len(flagged) == 0:
            return []
        percentile = (np.argsort(np.argsort(scores.distance)) + 1) / len(scores.distance)
        unusual = _what_is_unusual(context, flagged)
        return [
            self._issue(context, row, score[row], percentile[row], scores, unusual[row])
            for row in flagged
        ]

    def _issue(
        self,
        context: Context,
        row: int,
        score: float,
        percentile: float,
        scores: OutlierScores,
        unusual: list[dict[str, Any]],
    ) -> Issue:
        nearest = [int(n) for n in scores.nearest[row, :SHOWN_NEIGHBOURS]]
        traits = "; ".join(trait["text"] for trait in unusual) or "its combination of values"
        return Issue(
            kind=self.name,
            row=int(row),
            severity=float(percentile),
            given_label=context.labels[row],
            message=(
                f"far from every other row ({score:.1f} robust z above the typical distance; "
                f"nearest rows {', '.join(map(str, nearest))}); unusual: {traits}. A broken "
                "record, data from elsewhere or a rare real case: decide by hand"
            ),
            details={
                "score": round(float(score), 6),
                "distance": round(float(scores.distance[row]), 6),
                "nearest_rows": nearest,
                "unusual": unusual,
            },
        )


def _what_is_unusual(context: Context, rows: np.ndarray) -> dict[int, list[dict[str, Any]]]:
    """Per flagged row, the traits that set it apart, most unusual first."""
    features = context.features
    if features.text_columns:
        typical = {column: _typical_text(context.frame, column) for column in features.text_columns}
        return {int(row): _text_traits(context.frame, typical, row) for row in rows}
    numeric = [use.column for use in features.columns if use.used_as == "numeric"]
    positions = [features.names.index(column) for column in numeric]
    matrix = np.asarray(features.matrix, dtype=np.float64)[:, positions]
    centres, spreads = np.array(
        [_centre_spread(column[~np.isnan(column)]) for column in matrix.T]
    ).T
    return {int(r): _column_traits(matrix[r], centres, spreads, numeric) for r in rows}


def _column_traits(
    values: np.ndarray, centres: np.ndarray, spreads: np.ndarray, columns: list[str]
) -> list[dict[str, Any]]:
    """The numeric columns whose value (``values``: one row) is furthest from their median."""
    z = (values - centres) / spreads
    traits = [
        {
            "column": column,
            "value": float(values[i]),
            "typical": float(centres[i]),
            "robust_z": round(float(z[i]), 3),
            "text": f"{column}={values[i]:g} (typical {centres[i]:g}, robust z {z[i]:+.1f})",
        }
        for i, column in enumerate(columns)
        if abs(z[i]) >= MIN_COLUMN_Z  # False for a missing value
    ]
    traits.sort(key=lambda trait: -abs(trait["robust_z"]))
    return traits[:SHOWN_COLUMNS]


def _text_traits(
    frame: pd.DataFrame, typicals: dict[str, dict[str, float]], row: int
) -> list[dict[str, Any]]:
    """Empty, much longer or shorter than typical, or in another script than typical."""
    traits = []
    for column, typical in typicals.items():
        text = "" if pd.isna(frame[column].iloc[row]) else str(frame[column].iloc[row])
        length, share = len(text.strip()), float(non_latin_shares(pd.Series([text]))[0])
        if length == 0:
            traits.append({"column": column, "trait": "empty", "text": f"{column} is empty"})
            continue
        ratio = length / max(typical["length"], 1.0)
        if ratio >= LENGTH_RATIO or ratio <= 1 / LENGTH_RATIO:
            word = "longer" if ratio > 1 else "shorter"
            traits.append(
                {
                    "column": column,
                    "trait": word,
                    "length": length,
                    "typical": typical["length"],
                    "text": f"{column} is {length:,} characters, {word} than the typical "
                    f"{typical['length']:,.0f}",
                }
            )
        if share - typical["non_latin"] >= SCRIPT_GAP:
            traits.append(
                {
                    "column": column,
                    "trait": "script",
                    "non_latin_share": round(share, 3),
                    "typical": typical["non_latin"],
                    "text": f"{column} is {share:.0%} non-Latin letters (typical "
                    f"{typical['non_latin']:.0%})",
                }
            )
    return traits


def _typical_text(frame: pd.DataFrame, column: str) -> dict[str, float]:
    """Median length and median share of non-Latin letters, from a sample of at most 2,000."""
    texts = frame[column].dropna().astype(str)
    sample = texts.sample(n=min(len(texts), 2_000), random_state=0) if len(texts) else texts
    return {
        "length": float(sample.str.strip().str.len().median()) if len(sample) else 0.0,
        "non_latin": float(np.median(non_latin_shares(sample))) if len(sample) else 0.0,
    }


def non_latin_shares(texts: pd.Series) -> np.ndarray:
    """Per text, the share of its letters that are not Latin (0 for a text with no letter)."""
    letters = texts.str.count(LETTER.pattern).to_numpy(float)
    latin = texts.str.count(LATIN.pattern).to_numpy(float)
    return np.divide(letters - latin, letters, out=np.zeros(len(texts)), where=letters > 0)
