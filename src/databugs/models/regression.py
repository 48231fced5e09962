"""Out-of-fold predictions of a number to predict, and how far each given value is from them.

The candidates (gradient boosting, extremely randomised trees, a linear model) are screened on
the first fold; the one with the lowest held-out error there predicts the other folds, so that
a scan fits little more than one model's folds. The models fit a squared loss (an absolute
loss ranked worse: docs/benchmarks.md); they are compared by held-out absolute error, which the
few wrong targets in a fold move less than a squared error would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import KFold

from databugs.errors import DatabugsError, ErrorCode
from databugs.models.engines import Engine, LocalEngine
from databugs.models.folds import cross_folds, splits_around
from databugs.models.zoo import BESIDE_TEXT, REGRESSION, REGRESSORS, make_model

EMBEDDING_REGRESSOR = "ridge on sentence embeddings"
"""The candidate fitted on ``--text-model`` embeddings."""
EARLY_STOPPING_ROWS = 1000
"""Gradient boosting stops early (on a tenth of the training rows) from this many training rows:
below, that tenth is too few to stop by (reg_* pool: ESL, 390 training rows, AP 0.573 -> 0.476;
from 1,000, as good a ranking in three quarters of the time)."""
THREADS_PAY = 0.1
"""Seconds a fold must take before fitting the folds in threads is faster than one by one
(starting and polling the threads costs about 0.1 s: USCrime, 47 rows, 0.27 s vs 0.16 s)."""
THREAD_CELLS = 20_000
"""Below this many feature cells the folds run one by one even when screening: each fit takes a
few milliseconds, less than starting the threads (reg_* pool: every set slower than the recipe
had fewer than 3,000 cells)."""
SCALE_NEIGHBOURS = 0.05
"""Share of rows (at least ``MIN_NEIGHBOURS``) whose errors set a row's expected error."""
MIN_NEIGHBOURS = 15


@dataclass(frozen=True)
class RegressionFit:
    """Out-of-fold predictions of the labelled rows and the models screened for them
    (``models``: name, held-out mean absolute error on the first fold, and whether chosen)."""

    predictions: np.ndarray
    model: str
    folds: int
    models: tuple[dict[str, Any], ...] = ()


def usable_regressors(kind: str, model: str) -> tuple[str, ...]:
    """The candidates for this data (trees need a dense table), or the one named."""
    if model != "auto":
        make_model(model, kind, 0, REGRESSION)  # refuses a classifier, or trees on text
        return (model,)
    return tuple(name for name, spec in REGRESSORS.items() if kind in spec.kinds)


def out_of_fold_predictions(
    matrix: np.ndarray | sp.csr_matrix,
    kind: str,
    targets: np.ndarray,
    *,
    model: str = "auto",
    folds: int = 5,
    seed: int = 0,
    engine: Engine | None = None,
    embeddings: np.ndarray | None = None,
    on_fold_done: Callable[[], None] | None = None,
    held_out: np.ndarray | None = None,
    table: np.ndarray | None = None,
) -> RegressionFit:
    """Each labelled row's prediction from a model fitted on the other folds: the candidates
    are fitted on the first fold, the best of them (lowest held-out absolute error) on the
    rest. With ``embeddings`` (rows x dimensions, ``--text-model``), a ridge regression on them
    is one more candidate. Folds run on ``engine`` (threads here by default), one thread each.
    ``held_out`` rows (a test split) are in no fold: the chosen model fitted on all the other
    rows predicts them (:func:`folds.splits_around`). With ``table`` (a text's neighbouring
    columns, ``FeatureSet.table``) and automatic models, the table candidates fitted on those
    columns are candidates too (the text models see them as a few numbers among the words)."""
    training = len(targets) - (0 if held_out is None else int(held_out.sum()))
    if training < folds:
        raise DatabugsError(
            f"{training} labelled training rows cannot make {folds} folds",
            code=ErrorCode.TOO_FEW_CLASSES,
            hint="use fewer folds or label more rows",
        )
    engine = engine or LocalEngine()
    if isinstance(engine, LocalEngine) and matrix.shape[0] * matrix.shape[1] < THREAD_CELLS:
        engine = LocalEngine(1)
    splitter = KFold(folds, shuffle=True, random_state=seed)
    splits = splits_around(lambda kept: list(splitter.split(kept)), len(targets), held_out)
    names = usable_regressors(kind, model)
    names += (EMBEDDING_REGRESSOR,) if embeddings is not None else ()
    if table is not None and kind == "text" and model == "auto":
        names += tuple(BESIDE_TEXT.format(model=name) for name in usable_regressors("table", model))
    shared = (matrix, kind, (embeddings, table), targets, seed)
    screened = sorted(engine.run_folds(_fit_predict, shared, [(n, *splits[0]) for n in names]))
    errors = {
        name: float(np.mean(np.abs(guess - targets[test]))) for name, test, guess, _ in screened
    }
    best = min(names, key=lambda name: (errors[name], names.index(name)))
    predictions = np.empty(len(targets))
    first = next(found for found in screened if found[0] == best)
    rest = _rest_engine(engine, best, first[3]).run_folds(
        _fit_predict, shared, [(best, *split) for split in splits[1:]]
    )
    for _, test, guess, _ in [first, *rest]:
        predictions[test] = guess
        if on_fold_done:
            on_fold_done()
    models = tuple(
        {"name": name, "first_fold_mae": round(errors[name], 6), "chosen": name == best}
        for name in names
    )
    folds_made = cross_folds(splits, held_out)
    return RegressionFit(predictions=predictions, model=best, folds=folds_made, models=models)


def _rest_engine(engine: Engine, best: str, seconds: float) -> Engine:
    """The engine for the chosen model's other folds: on this machine, one thread unless the
    model releases the GIL (extremely randomised trees) and a fold takes long enough to pay
    for starting threads. Gradient boosting's Python loop holds the GIL, so its folds only
    queue in threads (fried, 2,000 rows: 1.42 s in threads, 1.07 s in one)."""
    if not isinstance(engine, LocalEngine) or (best == "extra-trees" and seconds > THREADS_PAY):
        return engine
    return LocalEngine(1)


def _fit_predict(
    matrix: Any,
    kind: str,
    beside: tuple[np.ndarray | None, np.ndarray | None],
    targets: np.ndarray,
    seed: int,
    name: str,
    train: Any,
    test: Any,
) -> tuple[str, Any, np.ndarray, float]:
    """One model fitted on ``train``, its predictions for ``test`` and the seconds it took;
    ``beside`` holds the embeddings and the table beside a text, for the candidates on them."""
    embeddings, table = beside
    model = name.removesuffix(BESIDE_TEXT.format(model=""))
    if name == EMBEDDING_REGRESSOR:  # unit-length vectors: no scaling, as for text
        matrix, estimator = embeddings, make_model("ridge", "text", seed, REGRESSION)
    elif model != name:
        matrix, estimator = table, make_model(model, "table", seed, REGRESSION)
    else:
        estimator = make_model(name, kind, seed, REGRESSION)
    if model == "hist-gradient-boosting" and len(train) < EARLY_STOPPING_ROWS:
        estimator.set_params(early_stopping=False)
    start = time.perf_counter()
    fitted = estimator.fit(matrix[train], targets[train])
    return name, test, fitted.predict(matrix[test]), time.perf_counter() - start


def residual_scores(targets: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """How far each target is from its prediction, in units of the model's usual error on rows
    with similar predictions (:func:`local_error`): 0 is exact, 1 typical, 10 far outside what the
    model's error there allows."""
    residuals = np.abs(targets - predictions)
    return residuals / local_error(predictions, residuals)


def overall_scores(targets: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """Each residual in units of the median residual over all rows: for a model that errs
    about as much everywhere, where a local scale only adds noise."""
    residuals = np.abs(targets - predictions)
    return residuals / max(float(np.median(residuals)), 1e-12)


ERROR_SCALES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "local": residual_scores,
    "overall": overall_scores,
}
"""The ways of scaling a residual; :func:`chosen_scores` picks one per data set."""
PLANTED_SHARE = 0.05
"""Share of rows given a planted wrong value in each trial of :func:`chosen_scores`."""
PLANTED_TRIALS = 4
"""Trials of each kind of planted error (another row's value; a 3-sd shift)."""


def chosen_scores(
    targets: np.ndarray, predictions: np.ndarray, seed: int
) -> tuple[str, np.ndarray]:
    """The residual scores of the error scale (``ERROR_SCALES``) that best finds wrong values
    planted in this data, and its name. A row's out-of-fold prediction does not depend on its
    own value, so a planted value is scored as a real wrong one would be, with no refit:
    seeded trials give a few rows another row's value or shift it by 3 standard deviations,
    and the scale whose scores rank those rows highest (mean average precision) is kept
    (reg_* pool: the local scale on heteroscedastic data such as prices, the overall one
    elsewhere; docs/benchmarks.md)."""
    rng = np.random.default_rng(seed)
    rows, planted = len(targets), max(1, int(PLANTED_SHARE * len(targets)))
    precision = dict.fromkeys(ERROR_SCALES, 0.0)
    for trial in range(2 * PLANTED_TRIALS):
        chosen = rng.choice(rows, planted, replace=False)
        changed = targets.astype(float).copy()
        if trial % 2:
            changed[chosen] += rng.choice([-1.0, 1.0], planted) * 3.0 * targets.std()
        else:
            changed[chosen] = targets[rng.choice(rows, planted)]
        wrong = changed != targets
        if wrong.any():
            for name, scale in ERROR_SCALES.items():
                precision[name] += _average_precision(wrong, scale(changed, predictions))
    best = max(ERROR_SCALES, key=lambda name: precision[name])  # ties: the first, local
    return best, ERROR_SCALES[best](targets, predictions)


def _average_precision(wrong: np.ndarray, scores: np.ndarray) -> float:
    """Mean precision at each wrong row's rank, highest score first (scikit-learn's takes
    longer to check its input than this takes on a small table)."""
    ranks = np.flatnonzero(wrong[np.argsort(-scores, kind="stable")]) + 1
    return float(np.mean(np.arange(1, len(ranks) + 1) / ranks))


def local_error(predictions: np.ndarray, residuals: np.ndarray) -> np.ndarray:
    """The median absolute residual among the rows whose predictions are nearest each row's
    (a window of ``SCALE_NEIGHBOURS`` of the rows in prediction order), at least the median
    over all rows: where the model errs more (large prices, say) a residual counts for less,
    while a well-fitted stretch, or whole numbers predicted exactly, does not make every small
    miss look huge (on the reg_* pool this ranked better than the local median alone or
    cleanlab's score on the same predictions: docs/benchmarks.md)."""
    rows = len(predictions)
    window = min(rows, max(MIN_NEIGHBOURS, int(SCALE_NEIGHBOURS * rows)))
    order = np.argsort(predictions, kind="stable")
    windows = np.lib.stride_tricks.sliding_window_view(residuals[order], window)
    starts = np.clip(np.arange(rows) - window // 2, 0, rows - window)
    medians = np.median(windows, axis=1)[starts]
    floor = max(float(np.median(residuals)), 1e-12)
    scale = np.empty(rows)
    scale[order] = np.maximum(medians, floor)
    return scale


def label_quality(scores: np.ndarray) -> np.ndarray:
    """Scores as a quality in (0, 1]: 1 exact, 0.5 at the model's usual error, near 0 far out."""
    return 1.0 / (1.0 + scores**2)
