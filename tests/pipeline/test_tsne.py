"""The map's own t-SNE: as faithful as scikit-learn's on real rows, and sound on degenerate ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.manifold import TSNE, trustworthiness

from databugs.data.features import build_features
from databugs.pipeline.embedding import row_vectors
from databugs.pipeline.tsne import embed

LETTERS = Path(__file__).parents[2] / "examples" / "letters_sample.csv"


def _letters(rows: int = 500) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(LETTERS).head(rows)
    vectors = row_vectors(build_features(frame, exclude=["label"]), seed=0)
    return vectors.astype(np.float64), frame["label"].to_numpy()


def _label_agreement(points: np.ndarray, labels: np.ndarray, k: int = 10) -> float:
    gaps = ((points[:, None] - points[None]) ** 2).sum(-1)
    np.fill_diagonal(gaps, np.inf)
    nearest = np.argsort(gaps, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).mean())


def test_letters_map_keeps_neighbourhoods_as_well_as_scikit_learns_tsne() -> None:
    vectors, labels = _letters()
    ours = embed(vectors, perplexity=30.0)
    theirs = TSNE(perplexity=30.0, init="pca", max_iter=500, random_state=0).fit_transform(vectors)
    assert trustworthiness(vectors, ours, n_neighbors=10) >= (
        trustworthiness(vectors, theirs, n_neighbors=10) - 0.02
    )
    assert _label_agreement(ours, labels) >= _label_agreement(theirs, labels) - 0.03
    assert np.array_equal(ours, embed(vectors, perplexity=30.0))  # no random start


def test_identical_and_very_few_rows_get_finite_positions() -> None:
    same = np.ones((40, 5))
    assert np.isfinite(embed(same, perplexity=13.0)).all()
    three = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 10.0]])
    assert np.isfinite(embed(three, perplexity=2.0)).all()
