"""The scan's second stage: out-of-fold probabilities (or, for a number per row, predictions)
for every labelled row, or the cached ones.

With ``--text-model``, sentence embeddings of the text columns feed one more model in the same
folds. The engine decides where the embeddings and the fold fits run.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from databugs.errors import ErrorCode, naming_file
from databugs.models.cache import cached_fit
from databugs.models.embeddings import embed_texts, joined_texts
from databugs.models.engines import Engine
from databugs.models.oof import OutOfFold, out_of_fold_probabilities
from databugs.models.regression import RegressionFit, out_of_fold_predictions
from databugs.pipeline.options import MODEL_OPTIONS
from databugs.pipeline.prepare import Prepared

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as work advances, e.g. once per fold."""


def fit_models(
    data: Prepared,
    options: dict[str, Any],
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> OutOfFold:
    """Out-of-fold probabilities of the labelled rows, from ``cache`` when it has them."""

    held_out = data.held_out

    def fit() -> OutOfFold:
        return out_of_fold_probabilities(
            data.features.matrix[data.labelled],
            data.features.kind,
            data.targets,
            len(data.classes),
            model=data.model,
            folds=data.folds,
            seed=options["seed"],
            engine=engine,
            on_fold_done=_fold_counter(progress, data.folds, held_out),
            embeddings=_embeddings(data, options, engine, progress),
            held_out=held_out,
            table=data.features.table_rows(data.labelled),
        )

    with naming_file(data.source, ErrorCode.TOO_FEW_CLASSES):
        return cached_fit(fit, cache, data.table.sha256, _shaping(data, options))


def fit_regression(
    data: Prepared,
    options: dict[str, Any],
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> RegressionFit:
    """Out-of-fold predictions of the labelled rows' numbers, from ``cache`` when it has them."""

    held_out = data.held_out

    def fit() -> RegressionFit:
        return out_of_fold_predictions(
            data.features.matrix[data.labelled],
            data.features.kind,
            data.targets,
            model=data.model,
            folds=data.folds,
            seed=options["seed"],
            engine=engine,
            embeddings=_embeddings(data, options, engine, progress),
            on_fold_done=_fold_counter(progress, data.folds, held_out),
            held_out=held_out,
            table=data.features.table_rows(data.labelled),
        )

    shaping = _shaping(data, options)
    with naming_file(data.source, ErrorCode.TOO_FEW_CLASSES):
        return cached_fit(fit, cache, data.table.sha256, shaping, RegressionFit)


def _embeddings(
    data: Prepared, options: dict[str, Any], engine: Engine | None, progress: Progress | None
) -> np.ndarray | None:
    """Sentence embeddings of the labelled rows' text columns with ``--text-model``, else None."""
    text_model = options.get("text_model") if data.features.text_columns else None
    if not text_model:
        return None
    texts = joined_texts(data.frame.iloc[data.labelled], data.features.text_columns)
    done = _stage(progress, "embedding")
    return embed_texts(texts, text_model, on_batch_done=done, engine=engine)


def _shaping(data: Prepared, options: dict[str, Any]) -> dict[str, Any]:
    """What the cache key holds beside the data: the model options and the classes found."""
    return {name: options.get(name) for name in MODEL_OPTIONS} | {"classes_found": data.classes}


def _fold_counter(
    progress: Progress | None, folds: int, held_out: np.ndarray | None
) -> Callable[[], None] | None:
    """Counts the fits as they finish: the folds, and one more for the held-out rows."""
    if progress is None:
        return None
    folds += int(held_out is not None and bool(held_out.any()))
    done = 0
    progress("fitting models", 0, folds)

    def advance() -> None:
        nonlocal done
        done += 1
        progress("fitting models", done, folds)

    return advance


def _stage(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    """``progress`` for a stage that reports (done, total) itself."""
    if progress is None:
        return None
    return functools.partial(progress, stage)
