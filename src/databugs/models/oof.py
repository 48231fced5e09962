"""Out-of-fold predicted probabilities: the only place where a scan's models are fit.

Every row's probabilities come from a model that never saw that row, which is what confident
learning needs. Folds are stratified and seeded; they run in parallel (threads here, or tasks on
a Dask cluster: see ``engines``) and the result does not depend on where or how many.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from databugs.models.engines import Engine, LocalEngine
from databugs.models.zoo import (
    Estimator,
    embedding_model,
    is_forest,
    make_model,
    resolve_model_name,
)

PROBABILITY_FLOOR = 1e-6


@dataclass(frozen=True)
class OutOfFold:
    """Out-of-fold probabilities (rows x classes) and the model that made them."""

    probabilities: np.ndarray
    model: str
    folds: int


def out_of_fold_probabilities(
    matrix: np.ndarray | sp.csr_matrix,
    kind: str,
    labels: np.ndarray,
    n_classes: int,
    *,
    model: str = "auto",
    folds: int = 5,
    seed: int = 0,
    jobs: int | None = None,
    on_fold_done: Callable[[], None] | None = None,
    embeddings: np.ndarray | None = None,
    engine: Engine | None = None,
) -> OutOfFold:
    """Fit one model per fold and predict the held-out rows.

    ``labels`` are class indices for the rows of ``matrix``; ``kind`` is the feature kind
    (``table`` or ``text``). A class with fewer rows than folds is allowed: folds whose training
    part lacks it give it probability zero (then floored). With ``embeddings`` (rows x
    dimensions), a logistic regression on them is fitted in the same folds and the two models'
    probabilities are averaged. The folds run on ``engine`` (default: threads on this machine,
    ``jobs`` of them); the result does not depend on where.
    """
    name = resolve_model_name(model, kind)
    views = [(matrix, make_model(name, kind, seed))]
    if embeddings is not None:
        views.append((embeddings, embedding_model(seed)))
        name = f"{name} + logistic on sentence embeddings"
    splits = [
        (_capped(train, labels, seed), test)
        for train, test in _stratified_splits(labels, folds, seed)
    ]
    engine = engine or LocalEngine(jobs)
    # Forests grow their trees in threads. On this machine their folds then run one after the
    # other with every core on each: 5 folds on 2 cores otherwise leave a core idle for the
    # last fold, and two forests are held at once. The trees are the same either way.
    if isinstance(engine, LocalEngine) and all(is_forest(e) for _, e in views):
        cores = engine.workers(len(splits))
        views = [(m, e.set_params(n_jobs=cores)) for m, e in views]  # made here, not shared
        engine = LocalEngine(1)
    probabilities = np.zeros((len(labels), n_classes), dtype=np.float64)
    # closing(): stopped early (an error, Ctrl-C), the engine still restores its thread limits
    # and drops the remaining folds at once, not when the generator is collected.
    with closing(engine.run_folds(_fit_predict, (views, labels, n_classes), splits)) as results:
        for test, fold_probabilities in results:
            probabilities[test] = fold_probabilities
            if on_fold_done:
                on_fold_done()
    probabilities = np.clip(probabilities, PROBABILITY_FLOOR, None)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return OutOfFold(probabilities=probabilities, model=name, folds=len(splits))


MAX_TRAIN_ROWS = 50_000
"""Rows each fold's model is fitted on, at most. Past this, more rows barely move the
out-of-fold probabilities but the trees (and their fitting time) keep growing; every row is
still predicted by a model that never saw it."""


def _capped(train: np.ndarray, labels: np.ndarray, seed: int) -> np.ndarray:
    """A seeded, class-stratified sample of ``MAX_TRAIN_ROWS`` training rows, if there are more."""
    if len(train) <= MAX_TRAIN_ROWS:
        return train
    rng = np.random.default_rng(seed)
    share = MAX_TRAIN_ROWS / len(train)
    kept = [
        rng.choice(members, max(1, round(share * len(members))), replace=False)
        for members in (train[labels[train] == c] for c in np.unique(labels[train]))
    ]
    return np.sort(np.concatenate(kept))


def _stratified_splits(
    labels: np.ndarray, folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    largest = int(np.bincount(labels).max())
    n_splits = max(2, min(folds, largest))
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        return list(splitter.split(np.zeros(len(labels)), labels))


def _fit_predict(
    views: list[tuple[np.ndarray | sp.csr_matrix, Estimator]],
    labels: np.ndarray,
    n_classes: int,
    train: np.ndarray,
    test: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The held-out rows' probabilities over all classes, averaged over the views' models."""
    averaged = np.zeros((len(test), n_classes))
    seen = np.unique(labels[train])
    if len(seen) == 1:  # a class with one row left this fold's training part a single class
        averaged[:, seen[0]] = 1.0
        return test, averaged
    for matrix, estimator in views:
        estimator = clone(estimator)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; the scores speak for the model
            estimator.fit(matrix[train], labels[train])
            averaged[:, estimator.classes_] += _probabilities(estimator, matrix[test]) / len(views)
    return test, averaged


def _probabilities(estimator: Estimator, rows: np.ndarray | sp.csr_matrix) -> np.ndarray:
    """``predict_proba``, the same bytes every run: a forest with ``n_jobs`` > 1 adds its trees'
    votes in whatever order its threads finish, so blocks of rows are predicted in parallel
    instead, each by one thread."""
    jobs = getattr(estimator, "n_jobs", None) or 1
    if jobs == 1 or rows.shape[0] < 2 * jobs:
        return estimator.predict_proba(rows)
    estimator.set_params(n_jobs=1)
    blocks = np.array_split(np.arange(rows.shape[0]), jobs)
    with ThreadPoolExecutor(jobs) as pool:
        parts = list(pool.map(lambda block: estimator.predict_proba(rows[block]), blocks))
    return np.vstack(parts)
