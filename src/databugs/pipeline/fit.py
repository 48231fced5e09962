"""The scan's second stage: out-of-fold probabilities for every labelled row (or the cached ones).

With ``--text-model``, sentence embeddings of the text columns feed a second model in the same
folds. The engine decides where the embeddings and the fold fits run.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from databugs.models.cache import cached_fit
from databugs.models.embeddings import embed_texts, joined_texts
from databugs.models.engines import Engine
from databugs.models.oof import OutOfFold, out_of_fold_probabilities
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
    text_model = options.get("text_model") if data.features.text_columns else None

    def fit() -> OutOfFold:
        embeddings = None
        if text_model:
            texts = joined_texts(data.frame.iloc[data.labelled], data.features.text_columns)
            embeddings = embed_texts(
                texts, text_model, on_batch_done=_stage(progress, "embedding"), engine=engine
            )
        return out_of_fold_probabilities(
            data.features.matrix[data.labelled],
            data.features.kind,
            data.targets,
            len(data.classes),
            model=data.model,
            folds=data.folds,
            seed=options["seed"],
            engine=engine,
            on_fold_done=_fold_counter(progress, data.folds),
            embeddings=embeddings,
            held_out=None if data.splits is None else data.splits.names[data.labelled] != "train",
        )

    shaping = {name: options.get(name) for name in MODEL_OPTIONS} | {"classes_found": data.classes}
    return cached_fit(fit, cache, data.table.sha256, shaping)


def _fold_counter(progress: Progress | None, folds: int) -> Callable[[], None] | None:
    if progress is None:
        return None
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
