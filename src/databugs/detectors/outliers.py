"""Rows far from every other row in feature space: broken records, data from elsewhere.

Evidence of several kinds, each turned into robust z-scores of its log (median, MAD, at least
the middle 90%'s spread), summed where positive (weighted, below), so that any one kind can
raise a row:

- the mean distance to the row's 10 nearest other rows (the row itself never counts), searched
  among a seeded sample of reference rows (5,000, down to 1,000 for 100,000 rows and more), so
  the cost is linear in rows;
- tables: how rare the row's values are in their columns (Good-Turing: a value no other row
  has costs little in a column of measurements, much in a column of counts or codes), how badly
  the principal directions of the ranks rebuild the row, and how far its most extreme number is
  past 99% of the column's; the first three weighed per data set by how well each finds 2%
  rows made up from the data's own columns (values of random rows, or normal draws at each
  column's mean and sd): rows of another table break the joint structure here, its values
  fit there;
- text: how far the text's length is from the typical (log scale), and how far its style is
  (Mahalanobis distance over writing traits: capitals, digits, punctuation, mentions,
  hashtags, a closing question mark or space...), counted twice: another source's texts
  often share this one's words but not its way of writing.

The space for the distance: for tables, each numeric column by its rank (a value's share of the
column below it, scaled to unit variance: a skewed or discrete column weighs like any other)
beside how far the value is past 3 robust z-scores (log-damped), and categories one-hot, each
row then of unit length (its direction: its mix of high and low values); for text, the TF-IDF
reduced to 50 dimensions by truncated SVD (fitted on the reference rows' 10,000 most frequent
terms), each row of unit length, beside a dimension for "no word seen elsewhere" and each text
column's length and script traits.

A row is flagged when its evidence is ``min_score`` robust z-scores above the rows' typical:
the threshold follows the data, not a fixed count. What is unusual is told in the data's own
terms: the columns furthest from their median (robust z-scores) or holding a value no other row
has, or for text an empty cell, a length far from the typical, letters of another script, a
writing trait on which under 1% of the texts lie as far out.
A row with no value in any column the scan uses (a blank line, a record cut short; empty as
``empty_cells`` counts a cell) is always flagged, as such: the features would fill it with
typical values. It is never shown as another outlier's nearest row.
Nothing is relabelled: whether to fix, drop or keep an outlier is for a person to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from databugs.data.distinct import distinct_rows
from databugs.data.task import TASKS
from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.empty_cells import empty_rows
from databugs.detectors.registry import register
from databugs.detectors.robust import median_and_spread
from databugs.detectors.text_style import style_distance, style_traits, unusual_traits
from databugs.models.engines import on_one_thread

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
REBUILT_VARIANCE = 0.9
SHOWN_NEIGHBOURS = 3
SHOWN_COLUMNS = 3
MIN_COLUMN_Z = 3.0
REPEATING_COLUMN = 0.05
"""A column repeats its values when under this share of rows hold a value met once."""
LENGTH_RATIO = 5.0
"""A text this many times longer (or shorter) than the column's median length is unusual."""
SCRIPT_GAP = 0.3
"""A text whose share of non-Latin letters is this far above the column's typical share."""
STYLE_WEIGHT = 2.0
"""The style distance counts twice beside the distance and the length gap (decided on the 14
text sets of the outlier benchmark: mean AP 0.44 once, 0.49 twice)."""
SYNTHETIC_SHARE = 0.02
MIN_SYNTHETIC_ROWS = 10
"""Rows made up from the data's own columns to weigh each kind of table evidence."""
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


@dataclass(frozen=True)
class OutlierScores:
    """Per row: the evidence that it is an outlier (robust z-scores, summed over the kinds of
    evidence that speak for it), its mean distance to its nearest other rows, and those rows;
    for text, each column's writing-style traits (kept to tell a flagged row's, not measured
    twice: a pass over 100,000 texts costs about a second)."""

    score: np.ndarray
    distance: np.ndarray
    nearest: np.ndarray
    styles: tuple[np.ndarray, ...] = ()

    def robust_z(self) -> np.ndarray:
        """How far each row's evidence is above the typical row's, in robust z-scores: the
        threshold follows the data (evidence of four kinds sums to more than one's)."""
        return tie_proof_z(self.score)


def outlier_scores(features: FeatureSet, frame: pd.DataFrame, *, seed: int = 0) -> OutlierScores:
    """Every row's evidence: how far it is from its nearest reference rows (itself excluded),
    and for tables how rare its values are, how badly the main directions of the data rebuild
    it and how extreme its numbers are, each weighed by how well it finds rows made up from the
    data's own columns; for text, how far its length and its style are from the typical."""
    rows = features.matrix.shape[0]
    reference = reference_rows(rows, seed=seed)
    styles: tuple[np.ndarray, ...] = ()
    if features.kind == "text":
        written = {column: _as_written(frame, column) for column in features.text_columns}
        styles = tuple(style_traits(texts) for texts in written.values())
        parts, distance, nearest = _text_parts(features, written, reference, styles, seed)
        weights = np.array([1.0, 1.0, STYLE_WEIGHT])
    else:
        parts, distance, nearest = _table_parts(features, reference, seed)
        weights = evidence_weights(features, reference, seed=seed)
    score = np.sum(
        [w * np.maximum(part, 0) for w, part in zip(weights, parts, strict=True)], axis=0
    )
    return OutlierScores(score, distance, nearest, styles)


def _text_parts(
    features: FeatureSet,
    written: dict[str, pd.Series],
    reference: np.ndarray,
    styles: tuple[np.ndarray, ...],
    seed: int,
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Robust z-scores of the distance, the length gap and the style distance."""
    texts = {column: cells.str.strip() for column, cells in written.items()}
    space = _text_space(features, texts, reference, seed)
    distance, nearest = nearest_rows(space, reference)
    style = np.max([style_distance(t, reference) for t in styles], axis=0) if styles else distance
    evidence = [distance, *text_evidence(texts), style]
    return [log_robust_z(values) for values in evidence], distance, nearest


def _table_parts(
    features: FeatureSet, reference: np.ndarray, seed: int
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Robust z-scores of the distance, the values' rarity and the rebuild error, and the
    extremity (already on that scale), in ``TABLE_EVIDENCE``'s order."""
    space = _unit_rows(_table_space(features))
    distance, nearest = nearest_rows(space, reference)
    evidence = [distance, *table_evidence(features, reference, seed=seed)]
    return [*(log_robust_z(v) for v in evidence), extremity(features)], distance, nearest


def evidence_weights(features: FeatureSet, reference: np.ndarray, *, seed: int) -> np.ndarray:
    """How much each kind of table evidence counts on this data: its average precision, past
    chance, squared, at finding rows made up from the data's own columns among the reference
    rows (half with each value taken from a random row, half drawn from a normal of the
    column's mean and sd, rounded as the column is written); equal when none finds them. The
    extremity always counts once: made-up rows hold no broken value, and it is 0 for nearly
    every row, so it adds no noise."""
    from sklearn.metrics import average_precision_score

    matrix = np.asarray(features.matrix, dtype=np.float64)[reference]
    rng = np.random.default_rng(seed)
    count = max(MIN_SYNTHETIC_ROWS, round(SYNTHETIC_SHARE * len(matrix)))
    made_up = _made_up_rows(features, matrix, count, rng)
    trial = replace(features, matrix=np.vstack([matrix, made_up]))
    is_made_up = np.r_[np.zeros(len(matrix), bool), np.ones(count, bool)]
    parts, _, _ = _table_parts(trial, reference_rows(len(is_made_up), seed=seed), seed)
    chance = count / len(is_made_up)
    found = [average_precision_score(is_made_up, part) for part in parts[:-1]]
    weights = np.maximum(np.array(found) - chance, 0) ** 2
    total = weights.sum()
    return np.r_[weights / total * len(weights) if total > 0 else np.ones(len(weights)), 1.0]


def _made_up_rows(
    features: FeatureSet, matrix: np.ndarray, count: int, rng: np.random.Generator
) -> np.ndarray:
    """Rows of independent values: each from a random row, and for numeric columns in the
    second half a normal draw at the column's mean and sd, rounded to its decimals."""
    numeric = {use.column for use in features.columns if use.used_as == "numeric"}
    made_up = matrix[
        rng.integers(0, len(matrix), (count, matrix.shape[1])), np.arange(len(matrix.T))
    ]
    half = count // 2
    for position, name in enumerate(features.names):
        values = matrix[:, position]
        if name in numeric and not np.isnan(values).all():
            drawn = rng.normal(np.nanmean(values), np.nanstd(values), count - half)
            made_up[half:, position] = drawn.round(decimals_of(values))
    return made_up


def decimals_of(values: np.ndarray) -> int:
    """The fewest decimals (at most 6) every present value is written with: made-up values are
    rounded to it, else 15-digit values among 2-digit ones give themselves away."""
    present = values[~np.isnan(values)]
    return next(
        (d for d in range(6) if np.allclose(present, present.round(d), rtol=1e-6, atol=1e-9)), 6
    )


def nearest_rows(space: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's mean distance to its nearest reference rows (itself never counts), and
    those rows' positions."""
    from sklearn.neighbors import NearestNeighbors

    rows = space.shape[0]
    neighbours = min(NEIGHBOURS, len(reference) - 1)
    if neighbours < 1:
        return np.zeros(rows), np.zeros((rows, 0), dtype=int)
    # Brute force in float64: at 100,000 x 1,000 rows in 64 dimensions 1.8 s, where float32
    # took 3.8 s and a ball tree 14 s.
    search = NearestNeighbors(n_neighbors=neighbours + 1, algorithm="brute")
    search.fit(np.asarray(space[reference], dtype=np.float64))
    codes, firsts = distinct_rows(space)  # copies of a row have its neighbours
    distance, index = search.kneighbors(np.asarray(space[firsts], dtype=np.float64))
    distance, found = distance[codes], reference[index[codes]]
    itself = found == np.arange(rows)[:, None]
    # Drop the row itself where it is a reference row, else the farthest of the k + 1.
    drop = np.where(itself.any(axis=1), itself.argmax(axis=1), neighbours)
    keep = np.ones_like(itself)
    keep[np.arange(rows), drop] = False
    distance = distance[keep].reshape(rows, neighbours)
    return distance.mean(axis=1), found[keep].reshape(rows, neighbours)


def log_robust_z(values: np.ndarray) -> np.ndarray:
    """How far each value's log (after shifting the least to 0) is above the typical value's,
    in robust z-scores: evidence of different kinds on one scale, a long tail drawn in."""
    shifted = values - values.min() if len(values) else values
    positive = shifted[shifted > 0]
    floor = 1e-3 * (np.median(positive) if len(positive) else 1.0)
    return tie_proof_z(np.log(shifted + floor))


def tie_proof_z(values: np.ndarray) -> np.ndarray:
    """Robust z-scores whose spread is at least the middle 90%'s (the same for normal data):
    where most rows tie (a few repeated values) the MAD shrinks to nothing and would flag
    half the rows."""
    centre, spread = _centre_spread(values)
    low, high = np.quantile(values, [0.05, 0.95]) if len(values) else (0.0, 0.0)
    return (values - centre) / max(spread, (high - low) / 3.29)


def _unit_rows(space: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length: in the centred rank space a row's direction is its mix of
    high and low values, which tells rows of another table apart better than its distance."""
    length = np.linalg.norm(space, axis=1, keepdims=True)
    return np.divide(space, length, out=np.zeros_like(space), where=length > 0)


def table_evidence(features: FeatureSet, reference: np.ndarray, *, seed: int) -> list[np.ndarray]:
    """How rare each row's values are, and how badly the main directions rebuild its ranks."""
    matrix = np.asarray(features.matrix, dtype=np.float64)
    ranks = np.column_stack([_rank_scaled(column) for column in matrix.T])
    return [value_surprise(matrix), rebuild_error(ranks, reference, seed=seed)]


def extremity(features: FeatureSet) -> np.ndarray:
    """Per row, how far its most extreme number lies past the range of 99% of the column's
    values, in widths of that range (log-damped, doubled: 4.8 at ten widths, 0 for nearly every
    row): a width of 150 where widths are 0-15 is one value, which barely moves its row's
    direction or the rebuild of its ranks."""
    matrix = np.asarray(features.matrix, dtype=np.float64)
    numeric = {use.column for use in features.columns if use.used_as == "numeric"}
    worst = np.zeros(len(matrix))
    for i, name in enumerate(features.names):
        values = matrix[:, i]
        if name not in numeric or np.isnan(values).all():
            continue
        low, high = np.nanquantile(values, [0.005, 0.995])
        gap = np.fmax(np.fmax(values - high, low - values), 0) / ((high - low) or 1.0)
        worst = np.fmax(worst, gap)
    return 2 * np.log1p(worst)


def text_evidence(texts: dict[str, pd.Series]) -> list[np.ndarray]:
    """How far each row's text length is from the typical, on a log scale (the largest over
    its text columns, each given stripped): an article among questions, a fragment among
    reviews."""
    gaps = [
        np.abs(_robust_z(np.log1p(column.str.len().to_numpy(float)))) for column in texts.values()
    ]
    return [np.max(gaps, axis=0)] if gaps else []


def _as_written(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column as strings, missing cells empty, edge spaces kept."""
    return _written(frame[column])


def _written(cells: pd.Series) -> pd.Series:
    cells = cells.astype(object)
    return cells.where(cells.notna(), "").astype(str)


def _texts(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column as strings, missing cells empty, edge spaces stripped."""
    return _as_written(frame, column).str.strip()


def value_surprise(matrix: np.ndarray) -> np.ndarray:
    """Per row, summed over columns, how unlikely its value is given the other rows' values
    (-log of the value's share among them; a value no other row has costs the share of values
    met once, Good-Turing's estimate of meeting a new one), above the column's typical. A
    column of ever-new values (measurements) costs nothing; one that repeats a few values
    (counts, codes) makes a value between them stand out."""
    rows = len(matrix)
    total = np.zeros(rows)
    if rows < 2:
        return total
    for column in matrix.T:
        _, index, counts = np.unique(
            np.where(np.isnan(column), np.inf, column), return_inverse=True, return_counts=True
        )
        elsewhere = counts[index] - 1
        once = max(int((counts == 1).sum()), 1)
        new = once / rows
        share = np.where(elsewhere > 0, elsewhere / (rows - 1) * (1 - new), new / once)
        cost = -np.log(np.maximum(share, 1e-300))
        total += cost - np.median(cost)
    return total


def rebuild_error(ranks: np.ndarray, reference: np.ndarray, *, seed: int) -> np.ndarray:
    """Squared error of each row's ranks rebuilt from the principal directions (90% of the
    variance) of the reference rows: a row that breaks how the columns move together."""
    from sklearn.decomposition import PCA

    if ranks.shape[1] < 3 or len(reference) <= ranks.shape[1]:
        return np.zeros(len(ranks))
    pca = PCA(n_components=REBUILT_VARIANCE, random_state=seed).fit(ranks[reference])
    rebuilt = pca.inverse_transform(pca.transform(ranks))
    return ((ranks - rebuilt) ** 2).sum(axis=1)


def reference_rows(rows: int, *, seed: int) -> np.ndarray:
    """The seeded sample of rows neighbours are searched among, in order."""
    size = min(rows, REFERENCE_ROWS, max(MIN_REFERENCE_ROWS, MAX_DISTANCES // max(rows, 1)))
    return np.sort(np.random.default_rng(seed).choice(rows, size=size, replace=False))


def representation(
    features: FeatureSet, frame: pd.DataFrame, reference: np.ndarray, *, seed: int
) -> np.ndarray:
    """The space distances are measured in (see the module's docstring)."""
    if features.kind == "text":
        texts = {column: _texts(frame, column) for column in features.text_columns}
        return _text_space(features, texts, reference, seed)
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
    features: FeatureSet, texts: dict[str, pd.Series], reference: np.ndarray, seed: int
) -> np.ndarray:
    """Unit-length SVD of the TF-IDF, a dimension for "no word seen elsewhere" (as far from
    every row as an unrelated text), and per text column (``texts``, stripped) its length and
    script traits."""
    from sklearn.decomposition import TruncatedSVD

    rows = features.matrix.shape[0]
    frequent = np.argsort(-features.matrix[reference].getnnz(axis=0))[:SVD_TERMS]
    matrix = features.matrix[:, np.sort(frequent)]
    dimensions = min(TEXT_DIMENSIONS, matrix.shape[1] - 1, len(reference) - 1)
    reduced = np.zeros((rows, 1))
    if dimensions >= 1:
        svd = TruncatedSVD(dimensions, n_iter=SVD_ITERATIONS, random_state=seed)
        with on_one_thread():
            reduced = svd.fit(matrix[reference]).transform(matrix)
    length = np.linalg.norm(reduced, axis=1, keepdims=True)
    unit = np.divide(reduced, length, out=np.zeros_like(reduced), where=length > 0)
    blocks = [unit, np.sqrt(2) * (length == 0)]
    for column in texts.values():
        blocks += [_tail(np.log1p(column.str.len().to_numpy(float)))[:, None]]
        script = non_latin_shares(column)
        blocks += [2 * (script - np.median(script[reference]))[:, None]]
    return np.hstack(blocks, dtype=np.float32)


def _robust_z(values: np.ndarray) -> np.ndarray:
    """(value - median) / robust sd; the mean absolute deviation when most values tie."""
    centre, spread = _centre_spread(values)
    return (values - centre) / spread


def _centre_spread(values: np.ndarray) -> tuple[float, float]:
    """The median and the robust sd (``median_and_spread``, else 1.2533 x the mean absolute
    deviation, else 1)."""
    if len(values) == 0:
        return 0.0, 1.0
    centre, spread = median_and_spread(values)
    if spread == 0:
        spread = 1.2533 * np.mean(np.abs(values - centre))
    return centre, float(spread or 1.0)


@register
class Outlier(Detector):
    name = "outlier"
    needs = ("model",)
    tasks = TASKS  # they read rows, not classes
    description = (
        "rows unlike every other row (far from their 10 nearest, rare values, columns that do "
        "not move together), with the columns or text traits that set them apart; fix, drop "
        "or keep each by hand"
    )

    def __init__(self, *, min_score: float = MIN_SCORE) -> None:
        self.min_score = min_score

    def detect(self, context: Context) -> list[Issue]:
        scores = outlier_scores(context.features, context.frame, seed=context.seed)
        score = scores.robust_z()
        empty = empty_rows(context)
        flagged = np.flatnonzero((score >= self.min_score) & ~empty)
        percentile = (np.argsort(np.argsort(score)) + 1) / len(score)
        unusual = _what_is_unusual(context, flagged, scores.styles) if len(flagged) else {}
        found = [self._empty_issue(context, int(row)) for row in np.flatnonzero(empty)]
        for row in flagged:
            nearest = [int(n) for n in scores.nearest[row] if not empty[n]][:SHOWN_NEIGHBOURS]
            evidence = (score[row], percentile[row], float(scores.distance[row]))
            found.append(self._issue(context, row, evidence, nearest, unusual[row]))
        return found

    def _empty_issue(self, context: Context, row: int) -> Issue:
        return Issue(
            kind=self.name,
            row=row,
            severity=1.0,
            given_label=context.labels[row],
            message=(
                "every column the scan uses is empty: a blank line or a record cut short "
                "(the models saw typical values in its place); fill it in or drop it by hand"
            ),
            details={"empty": True},
        )

    def _issue(
        self,
        context: Context,
        row: int,
        evidence: tuple[float, float, float],
        nearest: list[int],
        unusual: list[dict[str, Any]],
    ) -> Issue:
        """``evidence``: the row's robust z, its percentile among the rows, its mean distance
        to its nearest rows; ``nearest``: those shown (no empty row)."""
        score, percentile, distance = evidence
        traits = "; ".join(trait["text"] for trait in unusual) or "its combination of values"
        named = (
            map(str, nearest) if context.splits is None else map(context.splits.row_name, nearest)
        )
        return Issue(
            kind=self.name,
            row=int(row),
            severity=float(percentile),
            given_label=context.labels[row],
            message=(
                f"unlike every other row ({score:.1f} robust z above the typical row's evidence; "
                f"nearest rows {', '.join(named)}); unusual: {traits}. A broken "
                "record, data from elsewhere or a rare real case: decide by hand"
            ),
            details={
                "score": round(float(score), 6),
                "distance": round(distance, 6),
                "nearest_rows": nearest,
                "unusual": unusual,
            },
            columns=tuple(dict.fromkeys(trait["column"] for trait in unusual)),
        )


def _what_is_unusual(
    context: Context, rows: np.ndarray, styles: tuple[np.ndarray, ...]
) -> dict[int, list[dict[str, Any]]]:
    """Per flagged row, the traits that set it apart, most unusual first; ``styles``: each text
    column's writing-style traits."""
    features = context.features
    if features.text_columns:
        typical = {column: _typical_text(context.frame, column) for column in features.text_columns}
        told = [
            unusual_traits(traits, rows, column)
            for traits, column in zip(styles, features.text_columns, strict=True)
        ]
        written = {column: _row_texts(context.frame, column, rows) for column in typical}
        return {
            int(row): _text_traits(typical, {c: texts[at] for c, texts in written.items()})
            + [trait for style in told for trait in style[int(row)]][:SHOWN_COLUMNS]
            for at, row in enumerate(rows)
        }
    numeric = [use.column for use in features.columns if use.used_as == "numeric"]
    positions = [features.names.index(column) for column in numeric]
    matrix = np.asarray(features.matrix, dtype=np.float64)[:, positions]
    centres, spreads = np.array(
        [_centre_spread(column[~np.isnan(column)]) for column in matrix.T]
    ).T
    unseen = _unseen_values(matrix, rows, numeric)
    return {
        int(r): (_column_traits(matrix[r], centres, spreads, numeric) + unseen[r])[:SHOWN_COLUMNS]
        for r in rows
    }


def _unseen_values(
    matrix: np.ndarray, rows: np.ndarray, columns: list[str]
) -> dict[int, list[dict[str, Any]]]:
    """Per row, the columns that repeat a few values where its value is one no other row has
    (3.5 among counts): within the column's range, so no robust z tells it."""
    found: dict[int, list[dict[str, Any]]] = {int(row): [] for row in rows}
    for position, column in enumerate(columns):
        values = matrix[:, position]
        distinct, counts = np.unique(values[~np.isnan(values)], return_counts=True)
        if (counts == 1).sum() >= REPEATING_COLUMN * len(values):
            continue
        for row in rows:
            value = values[row]
            at = np.searchsorted(distinct, value)
            if not np.isnan(value) and at < len(distinct) and counts[at] == 1:
                found[int(row)].append(
                    {
                        "column": column,
                        "value": float(value),
                        "trait": "unseen",
                        "text": f"{column}={value:g} (no other row has it; the column takes "
                        f"{len(distinct) - 1:,} other values)",
                    }
                )
    return found


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
    return traits


def _row_texts(frame: pd.DataFrame, column: str, rows: np.ndarray) -> list[tuple[str, float]]:
    """The column's texts on ``rows`` (missing: empty), each with its share of non-Latin
    letters, measured together (one at a time cost 0.3 s for 643 flagged rows)."""
    texts = _written(frame[column].iloc[rows])
    return list(zip(texts.tolist(), non_latin_shares(texts).tolist(), strict=True))


def _text_traits(
    typicals: dict[str, dict[str, float]], texts: dict[str, tuple[str, float]]
) -> list[dict[str, Any]]:
    """Empty, much longer or shorter than typical, or in another script than typical (one
    row's ``texts``: per column, its text and non-Latin share)."""
    traits = []
    for column, typical in typicals.items():
        text, share = texts[column]
        length = len(text.strip())
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
    shares = np.zeros(len(texts))
    others = np.flatnonzero(~texts.map(str.isascii).to_numpy(bool))  # ASCII letters are Latin
    if len(others):
        some = texts.iloc[others]
        letters = some.str.count(LETTER.pattern).to_numpy(float)
        latin = some.str.count(LATIN.pattern).to_numpy(float)
        shares[others] = np.divide(
            letters - latin, letters, out=np.zeros(len(others)), where=letters > 0
        )
    return shares
