"""Convert a column value by value, or search rows of numbers, but each distinct one only once.

A million cells often hold a few thousand distinct values; converting those and spreading the
results back is what keeps per-cell work (label text, CSV fields) out of the slow path. Rows
resampled from a smaller set repeat too (18 copies each in the benchmarks' 100,000 rows).
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


def distinct_rows(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which distinct row of ``points`` (2-D) each row is, numbered in order of first
    appearance (rows equal bit for bit), and where each distinct row first appears.

    >>> distinct_rows(np.array([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0]]))
    (array([0, 1, 0]), array([0, 1]))
    """
    whole = np.ascontiguousarray(points)
    keys = whole.view(np.dtype((np.void, whole.dtype.itemsize * whole.shape[1]))).ravel()
    codes, _ = pd.factorize(pd.Series(keys.tolist(), dtype=object))
    firsts = np.flatnonzero(np.r_[True, np.diff(np.maximum.accumulate(codes)) > 0])
    return codes, firsts
