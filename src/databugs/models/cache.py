"""Keep out-of-fold probabilities between scans of unchanged data.

The key is the data's sha256, the databugs version and every option that shapes the models, so
a scan that only changes gate rules, baseline or output reuses them; anything else refits.
Only plain arrays are stored (``.npz``), never pickled objects.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from databugs.data.write import write_bytes_atomically
from databugs.models.oof import OutOfFold
from databugs.version import fingerprint


def cached_fit(
    fit: Callable[[], OutOfFold],
    folder: str | os.PathLike[str] | None,
    sha256: str,
    shaping: Mapping[str, Any],
) -> OutOfFold:
    """``fit()``, or its stored result for the same data and the same options that shape the
    models (``shaping``)."""
    if folder is None or not sha256:
        return fit()
    path = Path(folder) / f"oof-{fingerprint(sha256, shaping)[:32]}.npz"
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as stored:
                return OutOfFold(
                    probabilities=stored["probabilities"],
                    model=str(stored["model"]),
                    folds=int(stored["folds"]),
                    models=tuple(json.loads(str(stored["models"]))),
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
        models=np.array(json.dumps(list(result.models))),
    )
    return buffer.getvalue()
