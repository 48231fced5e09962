"""Keep out-of-fold results (a classification's probabilities, a regression's predictions)
between scans of unchanged data.

The key is the data's sha256, the databugs version, the kind of result and every option that
shapes the models, so a scan that only changes gate rules, baseline or output reuses them;
anything else refits. Only plain arrays are stored (``.npz``), never pickled objects, under a
name sealed with this machine's key (``data.seal``): a file planted in the folder is never read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from databugs.data.seal import seal
from databugs.data.write import write_bytes_atomically
from databugs.models.oof import OutOfFold
from databugs.models.regression import RegressionFit
from databugs.version import fingerprint

Fit = TypeVar("Fit", OutOfFold, RegressionFit)


def cached_fit(
    fit: Callable[[], Fit],
    folder: str | os.PathLike[str] | None,
    sha256: str,
    shaping: Mapping[str, Any],
    result: type[Fit] = OutOfFold,
) -> Fit:
    """``fit()``, or its stored ``result`` for the same data and the same options that shape
    the models (``shaping``)."""
    if folder is None or not sha256:
        return fit()
    name = seal(fingerprint(sha256, {**shaping, "result": result.__name__}))
    if name is None:  # no key on this machine: nothing stored can be trusted, nor kept
        return fit()
    path = Path(folder) / f"oof-{name[:32]}.npz"  # a name only this machine's key gives
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as stored:
                return _restored(result, stored)
        except (OSError, KeyError, ValueError):
            pass  # a damaged cache entry is refitted and replaced
    fitted = fit()
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        write_bytes_atomically(path, _npz(fitted))
    return fitted


def _restored(result: type[Fit], stored: Any) -> Fit:
    """A result from its stored fields: arrays as they are, ``model`` a text, ``folds`` a
    count and ``models`` JSON."""
    kinds = {"model": str, "folds": int, "models": lambda text: tuple(json.loads(str(text)))}
    fields = [field.name for field in dataclasses.fields(result)]
    return result(**{name: kinds.get(name, np.asarray)(stored[name]) for name in fields})


def _npz(fitted: OutOfFold | RegressionFit) -> bytes:
    content = {field.name: getattr(fitted, field.name) for field in dataclasses.fields(fitted)}
    content["models"] = json.dumps(list(content["models"]))
    buffer = io.BytesIO()
    np.savez(buffer, **{name: np.array(value) for name, value in content.items()})
    return buffer.getvalue()
