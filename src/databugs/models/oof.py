"""Out-of-fold predicted probabilities: the only place where a scan's models are fit.

Every row's probabilities come from a model that never saw that row, which is what confident
learning needs. Folds are stratified and seeded; they run in parallel (threads here, or tasks on
a Dask cluster: see ``engines``) and the result does not depend on where or how many.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from databugs.errors import DatabugsError, ErrorCode
from databugs.models.engines import Engine, LocalEngine
from databugs.models.folds import Split, cross_folds, identical_rows, kept_together, splits_around
from databugs.models.zoo import (
    BESIDE_TEXT,
    CANDIDATES,
    Estimator,
    embedding_model,
    is_forest,
    make_model,
    resolve_model_name,
)

PROBABILITY_FLOOR = 1e-6


@dataclass(frozen=True)
class OutOfFold:
    """Out-of-fold probabilities (rows x classes), the candidate models that made them, and how
    much each counts (``models``: name, weight, out-of-fold accuracy and log loss)."""

    probabilities: np.ndarray
    model: str
    folds: int
    models: tuple[dict[str, Any], ...] = ()


EMBEDDING_MODEL = "logistic on sentence embeddings"


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
    held_out: np.ndarray | None = None,
    table: np.ndarray | None = None,
) -> OutOfFold:
    """Fit each candidate model in each fold and predict the held-out rows; combine them.

    ``labels`` are class indices for the rows of ``matrix``; ``kind`` is the feature kind
    (``table`` or ``text``). ``model="auto"`` fits every candidate of the kind (see
    ``zoo.CANDIDATES``); a model name fits that one. With ``embeddings`` (rows x dimensions), a
    logistic regression on them is one more candidate; with ``table`` (text's neighbouring
    columns as a dense table, ``FeatureSet.table``) and ``model="auto"``, the table candidates
    fitted on it are more (the text models see those columns as a few scaled numbers among
    thousands of words). The candidates' probabilities are weighted by how well each fits the
    given labels out of fold (:func:`combine`). A class with fewer rows than folds is allowed:
    folds whose training part lacks it give it probability zero (then floored). The folds run
    on ``engine`` (default: threads on this machine, ``jobs`` of them); the result does not
    depend on where. ``held_out`` rows (a test split) are in no fold: models fitted on all the
    other rows predict them (see :func:`_splits`).
    """
    views = _views(matrix, kind, model, seed, embeddings)
    beside = beside_text(table, kind, model, seed)
    splits = _splits(labels, folds, seed, held_out, identical_rows(matrix, labels, seed))
    estimators, engine = forests_on_every_core(
        [e for _, _, e in views + beside], engine or LocalEngine(jobs), len(splits)
    )
    views = [(n, m, e) for (n, m, _), e in zip(views + beside, estimators, strict=True)]
    candidates = np.zeros((len(views), len(labels), n_classes), dtype=np.float64)
    fill = functools.partial(_fill, engine, labels, n_classes, on_fold_done)
    if beside:  # fitted in the first fold; in the others only if they fit about as well
        fill(views, candidates, splits[:1])
        kept = _screened(candidates, labels, splits[0][1], first=len(views) - len(beside))
        views, candidates = [views[i] for i in kept], candidates[kept]
        fill(views, candidates, splits[1:])
    else:
        fill(views, candidates, splits)
    candidates = _floored(candidates)
    fitted_on = None if held_out is None else ~held_out
    probabilities, summary = combine([n for n, _, _ in views], candidates, labels, fitted_on)
    names = " + ".join(n for n, _, _ in views)
    return OutOfFold(probabilities, names, cross_folds(splits, held_out), summary)


SCREEN_WEIGHT = 1e-3
"""A model fitted beside the text is fitted in the other folds only if its weight, were every
row fitted as its first fold's rows are, would be at least this (``combine``'s weights)."""


def _views(
    matrix: np.ndarray | sp.csr_matrix,
    kind: str,
    model: str,
    seed: int,
    embeddings: np.ndarray | None,
) -> list[tuple[str, np.ndarray | sp.csr_matrix, Estimator]]:
    """The candidates, each with the matrix it is fitted on."""
    views = [(name, matrix, make_model(name, kind, seed)) for name in candidate_names(model, kind)]
    if embeddings is not None:
        views.append((EMBEDDING_MODEL, embeddings, embedding_model(seed)))
    return views


def beside_text(
    table: np.ndarray | None, kind: str, model: str, seed: int
) -> list[tuple[str, np.ndarray | sp.csr_matrix, Estimator]]:
    """The table candidates on the columns beside a text (automatic models only)."""
    if table is None or model != "auto" or kind != "text":
        return []
    return [
        (BESIDE_TEXT.format(model=name), table, make_model(name, "table", seed))
        for name in CANDIDATES["table"]
    ]


def _fill(
    engine: Engine,
    labels: np.ndarray,
    n_classes: int,
    on_fold_done: Callable[[], None] | None,
    views: list[tuple[str, np.ndarray | sp.csr_matrix, Estimator]],
    candidates: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
) -> None:
    """Fit every view in each of ``splits``; its predictions go into ``candidates``."""
    shared = ([(m, e) for _, m, e in views], labels, n_classes)
    # Warnings are silenced here, in the calling thread, for the folds' threads too: silenced
    # in each thread (catch_warnings is not thread-safe), a fold that finished restored the
    # filters while another still fitted, whose ConvergenceWarnings then printed, or left
    # "ignore every warning" behind. A worker process silences its own folds.
    task = _fit_predict if isinstance(engine, LocalEngine) else _quietly_fit_predict
    # closing(): stopped early (an error, Ctrl-C), the engine still restores its thread limits
    # and drops the remaining folds at once, not when the generator is collected.
    with warnings.catch_warnings(), closing(engine.run_folds(task, shared, splits)) as results:
        warnings.simplefilter("ignore")  # convergence chatter; the scores speak for the model
        for test, fold_probabilities in results:
            candidates[:, test] = fold_probabilities
            if on_fold_done:
                on_fold_done()


def _screened(
    candidates: np.ndarray, labels: np.ndarray, test: np.ndarray, first: int
) -> list[int]:
    """The candidates to fit in the other folds: the ``first`` ones, and each later one whose
    weight from its fit to the ``test`` rows' labels reaches ``SCREEN_WEIGHT``."""
    shown = _floored(candidates[:, test])
    _, weights = _fit_of(shown, labels[test], np.arange(len(test)), len(labels))
    return [i for i in range(len(candidates)) if i < first or weights[i] >= SCREEN_WEIGHT]


def _floored(candidates: np.ndarray) -> np.ndarray:
    """Probabilities at least ``PROBABILITY_FLOOR``, each row summing to 1 again."""
    floored = np.clip(candidates, PROBABILITY_FLOOR, None)
    return floored / floored.sum(axis=-1, keepdims=True)


def _fit_of(
    candidates: np.ndarray, labels: np.ndarray, rows: np.ndarray, scale: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's log loss on the ``rows``' labels, and its weight before normalising:
    ``exp(-sqrt(scale) * (its log loss - the best))`` (``scale``: the rows the weight is for)."""
    losses = np.array([-np.log(c[rows, labels[rows]]).mean() for c in candidates])
    return losses, np.exp(-np.sqrt(scale) * (losses - losses.min()))


def forests_on_every_core(
    estimators: list[Estimator], engine: Engine, folds: int
) -> tuple[list[Estimator], Engine]:
    """The estimators and engine to run the folds with.

    Forests grow their trees in threads. On this machine their folds then run one after the
    other with every core on each: 5 folds on 2 cores otherwise leave a core idle for the
    last fold, and two forests are held at once. The trees are the same either way.
    """
    if not isinstance(engine, LocalEngine) or not any(is_forest(e) for e in estimators):
        return estimators, engine
    cores = engine.workers(folds)
    return [e.set_params(n_jobs=cores) if is_forest(e) else e for e in estimators], LocalEngine(1)


def candidate_names(model: str, kind: str) -> list[str]:
    """The models to fit: every candidate of the kind for ``auto``, else the one named."""
    return list(CANDIDATES[kind]) if model == "auto" else [resolve_model_name(model, kind)]


def combine(
    names: list[str],
    candidates: np.ndarray,
    labels: np.ndarray,
    fitted_on: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[dict[str, Any], ...]]:
    """The candidates' probabilities, weighted by their out-of-fold fit to the given labels.

    Noise is a minority, so the model that best predicts the given labels out of fold is the
    best detector of the ones that disagree. A candidate's weight falls off as
    ``exp(-sqrt(n) * (its log loss - the best log loss))``: on a few hundred rows models that
    fit about as well share the work; on thousands, the best one takes nearly all of it. The
    fit is measured on the ``fitted_on`` rows (boolean; default all): with a test split, the
    training rows only, so that the test labels being judged do not choose their judge.
    """
    rows = np.arange(len(labels)) if fitted_on is None else np.flatnonzero(fitted_on)
    losses, weights = _fit_of(candidates, labels, rows, len(rows))
    weights /= weights.sum()
    summary = tuple(
        {
            "name": name,
            "weight": round(float(weight), 6),
            "accuracy": round(float((c[rows].argmax(axis=1) == labels[rows]).mean()), 6),
            "log_loss": round(float(loss), 6),
        }
        for name, weight, loss, c in zip(names, weights, losses, candidates, strict=True)
    )
    return np.tensordot(weights, candidates, axes=1), summary


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


def _splits(
    labels: np.ndarray, folds: int, seed: int, held_out: np.ndarray | None, keys: np.ndarray
) -> list[Split]:
    """Stratified folds of the rows not ``held_out``, identical rows with one label (one
    ``keys`` value) in one fold, then all of those rows to train on and the held-out rows to
    predict (:func:`folds.splits_around`). Training parts are capped (:func:`_capped`)."""
    made = splits_around(
        lambda kept: kept_together(
            _stratified_splits(labels[kept], folds, seed), keys[kept], labels[kept]
        ),
        len(labels),
        held_out,
    )
    return [(_capped(train, labels, seed), test) for train, test in made]


def _stratified_splits(
    labels: np.ndarray, folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    largest = int(np.bincount(labels).max())
    if largest < 2:  # each row's model would be trained without its class
        raise DatabugsError(
            "every class has one row: nothing to learn from",
            code=ErrorCode.TOO_FEW_CLASSES,
            hint=(
                "a label check needs some class with at least two rows (a number to predict? "
                "--task regression; tag lists? --task multilabel)"
            ),
        )
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
    """The held-out rows' probabilities over all classes, one layer per view's model."""
    predicted = np.zeros((len(views), len(test), n_classes))
    seen = np.unique(labels[train])
    if len(seen) == 1:  # a class with one row left this fold's training part a single class
        predicted[:, :, seen[0]] = 1.0
        return test, predicted
    for layer, (matrix, estimator) in zip(predicted, views, strict=True):
        estimator = clone(estimator)
        estimator.fit(matrix[train], labels[train])
        layer[:, estimator.classes_] = _probabilities(estimator, matrix[test])
    return test, predicted


def _quietly_fit_predict(*arguments: Any) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_fit_predict` with warnings silenced, for a worker process (one fold at a time)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _fit_predict(*arguments)


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
