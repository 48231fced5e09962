"""Keys that name a row across files and scans: its ``--id``, else a hash of its content."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from databugs.data.validate import label_texts


def row_ids(frame: pd.DataFrame, id_column: str | None) -> list[str | None]:
    """Each row's ``--id`` value as written, or None for every row without an id column."""
    return label_texts(frame[id_column]) if id_column else [None] * len(frame)


def _hashable_numbers(values: pd.Series) -> pd.Series:
    """Numbers as float64, so that a whole-number column keeps its keys when one empty cell
    turns it from int64 into float64; integers beyond 2**53 (exact only as integers) stay."""
    if values.dtype.kind in "iu" and len(values) and values.abs().max() > 2**53:
        return values
    return values.astype("float64")


def row_keys(
    frame: pd.DataFrame, rows: Sequence[int], *, id_column: str | None, label: str
) -> dict[int, str]:
    """A key per row that survives inserted and deleted rows: its id, else a hash of its
    content (every column but the label), so that two scans can be compared row by row."""
    rows = sorted(set(rows))
    if id_column is not None:
        return {row: str(frame[id_column].iat[row]) for row in rows}
    part = frame.iloc[rows].drop(columns=[label])
    content = pd.DataFrame(
        {
            position: _hashable_numbers(values)
            if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iuf"
            else values.astype(str)  # numbers hash as numbers: no string per cell
            for position, (_, values) in enumerate(part.items())
        }
    )
    hashes = pd.util.hash_pandas_object(content, index=False).to_numpy()
    return {row: f"{value:016x}" for row, value in zip(rows, hashes, strict=True)}
