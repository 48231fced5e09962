"""The opening every command shares: a table loaded, its columns' roles checked, features built.

``scan``, ``label`` and ``next`` all start here, so they read the same file the same way, refuse
the same mistakes with the same words, and see the same features.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from databugs.data.features import FeatureSet, build_features
from databugs.data.io import LoadedTable, PartReader, bytes_as_text, read_table
from databugs.data.validate import (
    FileRow,
    check_columns_exist,
    check_id_column,
    check_label_column,
)
from databugs.errors import DatabugsError, ErrorCode

DATAFRAME = "<dataframe>"
"""The source name of a table handed over as a DataFrame."""


def load_table(
    data: pd.DataFrame | str | os.PathLike[str],
    parts: PartReader | None = None,
    *,
    sha256: str | None = None,
) -> LoadedTable:
    """A file read from disk, or a DataFrame taken as it is (it has no file to write back to)."""
    if isinstance(data, pd.DataFrame):
        frame = _named_by_text(data)
        return LoadedTable(frame=frame, path=Path(DATAFRAME), format="dataframe", sha256="")
    return read_table(data, parts, sha256=sha256)


def _named_by_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its column names as text (``pd.DataFrame(X)`` names them 0, 1, ...,
    which every option and output names as text), bytes cells as text (as a Parquet file's
    are read); two names with one spelling are refused."""
    names = [str(column) for column in frame.columns]
    repeated = sorted({name for name, count in Counter(names).items() if count > 1})
    if repeated:
        raise DatabugsError(
            f"{DATAFRAME}: the column name {repeated[0]!r} appears more than once",
            code=ErrorCode.DUPLICATE_COLUMN,
            hint="rename one of them",
        )
    if not all(isinstance(column, str) for column in frame.columns):
        frame = frame.set_axis(names, axis=1)
    binary = [
        name
        for name in names
        if frame[name].dtype == object and pd.api.types.infer_dtype(frame[name]) == "bytes"
    ]
    return frame.assign(**{name: bytes_as_text(frame[name].tolist()) for name in binary})


@dataclass(frozen=True)
class Columns:
    """What the user said each special column is; the rest are candidate features."""

    label: str
    id: str | None
    text: list[str]
    ignore: list[str]


def check_columns(
    frame: pd.DataFrame,
    *,
    source: str,
    label: str,
    id: str | None,
    text: Sequence[str] = (),
    ignore: Sequence[str] = (),
    file_row: FileRow | None = None,
) -> Columns:
    """Check the id, text and ignored columns (``label`` is resolved by the caller: each command
    has its own rule for a missing one; ``file_row``: see :func:`check_id_column`)."""
    return Columns(
        label=label,
        id=check_id_column(frame, id, source=source, file_row=file_row),
        text=check_columns_exist(frame, text, named_by="text", source=source),
        ignore=check_columns_exist(frame, ignore, named_by="ignore", source=source),
    )


def featurise(frame: pd.DataFrame, columns: Columns, *, exclude: Sequence[str] = ()) -> FeatureSet:
    """The features of every column that is not the label, the id or in ``exclude``."""
    return build_features(
        frame,
        exclude=[columns.label, *([columns.id] if columns.id else []), *exclude],
        text=columns.text,
        ignore=columns.ignore,
    )


LabelRule = Callable[..., str]
"""How a command resolves the label column: ``rule(frame, label, source=...) -> column``."""


def open_table(
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    label: str | None,
    id: str | None,
    text: Sequence[str] = (),
    ignore: Sequence[str] = (),
    label_rule: LabelRule = check_label_column,
) -> tuple[LoadedTable, Columns, FeatureSet]:
    """The table loaded, its columns checked (the label by ``label_rule``), its features built."""
    table = load_table(data)
    source = str(table.path)
    column = label_rule(table.frame, label, source=source)
    columns = check_columns(
        table.frame, source=source, label=column, id=id, text=text, ignore=ignore
    )
    return table, columns, featurise(table.frame, columns)
