"""Agreement between annotators: Krippendorff's alpha, Fleiss' kappa, Cohen's kappa, votes.

Implemented here, from the published formulas (the popular ``krippendorff`` package is GPL);
checked against the worked examples of Krippendorff (2011), Fleiss (1971) and Cohen (1960).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import scipy.sparse as sp

MISSING = -1
"""No label: the annotator did not label this item (or the rule abstained)."""


def vote_counts(votes: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows x classes: how many annotators (or rules) voted each class; -1 is no vote."""
    counts = np.zeros((len(votes), n_classes), dtype=int)
    for column in votes.T:
        voted = column != MISSING
        np.add.at(counts, (np.flatnonzero(voted), column[voted]), 1)
    return counts


def krippendorff_alpha(matrix: np.ndarray, n_classes: int) -> float:
    """Nominal Krippendorff's alpha from the coincidence matrix; items with < 2 labels skipped."""
    counts = vote_counts(matrix, n_classes)
    pairable = counts[counts.sum(axis=1) >= 2]
    if not len(pairable):
        return float("nan")
    per_item = pairable.sum(axis=1, keepdims=True) - 1
    coincidences = (pairable[:, :, None] * pairable[:, None, :]).astype(float)
    coincidences[:, np.arange(n_classes), np.arange(n_classes)] -= pairable
    coincidences = (coincidences / per_item[:, :, None]).sum(axis=0)
    totals = coincidences.sum(axis=1)
    n = totals.sum()
    observed = coincidences.sum() - np.trace(coincidences)
    expected = (totals.sum() ** 2 - (totals**2).sum()) / (n - 1)
    return float(1 - observed / expected) if expected else 1.0


def fleiss_kappa(matrix: np.ndarray, n_classes: int) -> float:
    """Fleiss' kappa, generalised to items with different numbers of labels (>= 2 each)."""
    return _fleiss_from_counts(vote_counts(matrix, n_classes))


def _fleiss_from_counts(counts: np.ndarray) -> float:
    raters = counts.sum(axis=1)
    counts, raters = counts[raters >= 2], raters[raters >= 2]
    if not len(counts):
        return float("nan")
    agreement = ((counts * (counts - 1)).sum(axis=1) / (raters * (raters - 1))).mean()
    shares = counts.sum(axis=0) / raters.sum()
    chance = float((shares**2).sum())
    return float((agreement - chance) / (1 - chance)) if chance < 1 else 1.0


def percent_agreement(matrix: np.ndarray, n_classes: int) -> float:
    """Share of agreeing pairs among all pairs of labels given to the same item."""
    counts = vote_counts(matrix, n_classes)
    raters = counts.sum(axis=1)
    pairs = (raters * (raters - 1)).sum()
    return float((counts * (counts - 1)).sum() / pairs) if pairs else float("nan")


def cohen_kappa(first: np.ndarray, second: np.ndarray) -> float | None:
    """Cohen's kappa on the items both annotators labelled (None if fewer than 2)."""
    both = (first != MISSING) & (second != MISSING)
    if both.sum() < 2:
        return None
    a, b = first[both], second[both]
    observed = float(np.mean(a == b))
    classes = np.union1d(a, b)
    chance = float(sum(np.mean(a == c) * np.mean(b == c) for c in classes))
    return (observed - chance) / (1 - chance) if chance < 1 else 1.0


def agreement_figures(matrix: np.ndarray, names: list[str], n_classes: int) -> dict[str, Any]:
    kappas = pairwise_kappas(matrix, n_classes)
    cohen: dict[str, dict[str, float | None]] = {a: {} for a in names}
    for (i, a), (j, b) in itertools.combinations(enumerate(names), 2):
        value = None if np.isnan(kappas[i, j]) else round(float(kappas[i, j]), 6)
        cohen[a][b] = cohen[b][a] = value
    return {
        "krippendorff_alpha": round(krippendorff_alpha(matrix, n_classes), 6),
        "fleiss_kappa": round(fleiss_kappa(matrix, n_classes), 6),
        "percent": round(percent_agreement(matrix, n_classes), 6),
        "cohen_kappa": cohen,
    }


def pairwise_kappas(matrix: np.ndarray, n_classes: int) -> np.ndarray:
    """Annotators x annotators: :func:`cohen_kappa` of every pair (NaN: fewer than 2 items in
    common), from one sparse product per annotator (164 crowd workers: 13,000 pairs at once)."""
    n_items, n_annotators = matrix.shape
    item, annotator = np.nonzero(matrix != MISSING)
    one_hot = sp.csr_matrix(
        (np.ones(len(item)), (item, annotator * n_classes + matrix[item, annotator])),
        shape=(n_items, n_annotators * n_classes),
    )
    columns = one_hot.tocsc()
    kappas = np.full((n_annotators, n_annotators), np.nan)
    for a in range(n_annotators):
        own = columns[:, a * n_classes : (a + 1) * n_classes]
        tables = (own.T @ one_hot).toarray().reshape(n_classes, n_annotators, n_classes)
        together = tables.sum(axis=(0, 2))
        shares = np.divide(1.0, together, out=np.zeros(n_annotators), where=together > 0)
        observed = np.einsum("kbk->b", tables) * shares
        chance = (tables.sum(axis=2).T * tables.sum(axis=0)).sum(axis=1) * shares**2
        with np.errstate(divide="ignore", invalid="ignore"):
            kappa = np.where(chance < 1, (observed - chance) / (1 - chance), 1.0)
        kappas[a] = np.where(together >= 2, kappa, np.nan)
    return kappas


MIN_CLASS_ANSWERS = 5
"""An annotator's agreement on a class rests on at least this many answers; fewer are shown
as too few to judge (one slip in 3 answers is no habit)."""


def class_agreement(confusions: np.ndarray, names: list[str], classes: list) -> dict[str, Any]:
    """Per annotator and consensus class: answers given on items of that class and how many of
    them match the consensus (``confusions``: annotators x consensus class x answer).

    Where an annotator's overall agreement hides a weak class ("agrees 90%, but on 'dog' items
    half the time"): the cells of an annotator x class heatmap, counts kept so that a cell of
    2 answers is not read like one of 200."""
    answers = confusions.sum(axis=2)
    agreed = np.einsum("akk->ak", confusions)
    return {
        "classes": list(classes),
        "min_answers": MIN_CLASS_ANSWERS,
        "annotators": [
            {"name": name, "answers": answers[i].tolist(), "agreed": agreed[i].tolist()}
            for i, name in enumerate(names)
        ],
    }
