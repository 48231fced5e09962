"""The error scale of a regression's residual scores is chosen per data set, by how well each
finds wrong values planted in the data."""

from __future__ import annotations

import numpy as np

from databugs.models.regression import chosen_scores, overall_scores, residual_scores


def _prices(rows: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """House-like prices whose error grows with the price (10% of it), ten of them a quarter
    of their value off, and the predictions."""
    rng = np.random.default_rng(seed)
    predicted = np.exp(rng.normal(12.0, 0.8, rows))
    prices = predicted * (1 + rng.normal(0, 0.1, rows))
    wrong = rng.choice(rows, 10, replace=False)
    prices[wrong] += 0.5 * predicted[wrong] * rng.choice([-1.0, 1.0], 10)
    return prices, predicted, wrong


def test_a_price_like_error_is_scaled_locally() -> None:
    prices, predicted, wrong = _prices()

    def overall(values: np.ndarray) -> np.ndarray:
        return overall_scores(values, predicted)

    name, scores = chosen_scores(prices, predicted, seed=0)
    assert name == "local" and np.array_equal(scores, residual_scores(prices, predicted))
    found = [len(set(np.argsort(-s)[:10]) & set(wrong)) for s in (scores, overall(prices))]
    assert found[0] > found[1]
    again = chosen_scores(prices, predicted, seed=0)
    assert again[0] == name and np.array_equal(again[1], scores)  # same seed, same scores
