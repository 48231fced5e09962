"""Writing-style traits as normal scores: ranked over distinct texts, exactly as over every row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm, rankdata

from databugs.detectors.text_style import normal_scores, style_traits

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_normal_scores_of_repeated_texts_are_every_rows_mid_rank_quantiles() -> None:
    texts = pd.read_csv(EXAMPLES / "sms_sample.csv")["text"].astype(str)
    rng = np.random.default_rng(0)
    resampled = texts.iloc[rng.integers(0, len(texts), 3 * len(texts))].reset_index(drop=True)
    traits = style_traits(resampled)
    assert len(np.unique(traits, axis=0)) < len(traits) / 2  # copies, and ties across texts
    every_row = np.column_stack(
        [norm.ppf(rankdata(column) / (len(traits) + 1)) for column in traits.T]
    )
    assert np.array_equal(normal_scores(traits), every_row)
