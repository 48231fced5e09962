"""Keep out-of-fold probabilities between scans of unchanged data.

The key is the data's sha256, the databugs version and every option that shapes the models, so
a scan that only changes gate rules, baseline or output reuses them; anything else refits.
Only plain arrays are stored (``.npz``), never pickled objects.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from databugs.config import FINDING_OPTIONS
from databugs.io import write_bytes_atomically
from databugs.oof import OutOfFold
from databugs.version import __version__

MODEL_OPTIONS = (*(o for o in FINDING_OPTIONS if o != "classes"), "classes_found")
"""What shapes the models: the finding options, with the classes found instead of declared."""


def cache_key(sha256: str, options: Mapping[str, Any]) -> str:
    """Short hex key of the data, the version and the options that shape the models."""
    shaping = {name: options.get(name) for name in MODEL_OPTIONS}
    text = json.dumps([__version__, sha256, shaping], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def cached_fit(
    fit: Callable[[], OutOfFold],
    folder: str | os.PathLike[str] | None,
    sha256: str,
    options: Mapping[str, Any],
) -> OutOfFold:
    """``fit()``, or its stored result for the same data and model options."""
    if folder is None or not sha256:
        return fit()
    path = Path(folder) / f"oof-{cache_key(sha256, options)}.npz"
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as stored:
                return OutOfFold(
                    probabilities=stored["probabilities"],
                    model=str(stored["model"]),
                    folds=int(stored["folds"]),
                )
        except (OSError, KeyError, ValueError):
            pass  # a damaged cache entry is refitted and replaced
    result = fit()
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        write_bytes_atomically(path, _npz(result))
    return result


def _npz(result: OutOfFold) -> bytes:
    buffer = io.BytesIO()
    np.savez(
        buffer,
        probabilities=result.probabilities,
        model=np.array(result.model),
        folds=np.array(result.folds),
    )
    return buffer.getvalue()
