"""Convert a column value by value, but each distinct value only once.

A million cells often hold a few thousand distinct values; converting those and spreading the
results back is what keeps per-cell work (label text, CSV fields) out of the slow path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


def map_distinct(values: pd.Series, convert: Callable[[object], T], missing: T) -> list[T]:
    """``convert`` of every cell, ``missing`` for empty cells (None, NaN, NA).

    >>> map_distinct(pd.Series([1, True, 1.0, None], dtype=object), repr, "-")
    ['1', 'True', '1.0', '-']
    """
    if pd.api.types.infer_dtype(values, skipna=True).startswith("mixed"):
        # factorize would take True for 1 and 1.0 for 1: key by type as well
        known: dict[tuple[type, object], T] = {}
        return [
            missing if pd.isna(value) else _converted(known, value, convert)
            for value in values.tolist()
        ]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    converted = np.array([convert(value) for value in uniques] + [missing], dtype=object)
    return converted[codes].tolist()  # code -1 (missing) picks ``missing`` at the end


def _converted(known: dict[tuple[type, object], T], value: object, convert: Callable) -> T:
    key = (type(value), value)
    if key not in known:
        known[key] = convert(value)
    return known[key]
