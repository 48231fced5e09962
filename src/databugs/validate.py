"""Check the user's table and options before any work starts.

Each ``check_*`` function either returns what it resolved or raises :class:`DatabugsError` whose
message says what was found, what was required and how to fix it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from databugs.distinct import map_distinct
from databugs.errors import DatabugsError

LABEL_COLUMN_NAMES = ("label", "labels", "target", "class", "y")


def label_text(value: object) -> str | None:
    """The label exactly as written, or ``None`` when the cell is empty.

    >>> label_text(" spam"), label_text(3), label_text(float("nan")), label_text("  ")
    (' spam', '3', None, None)
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def label_texts(values: pd.Series) -> list[str | None]:
    """:func:`label_text` of every cell, as a list (pandas would turn None back into NaN)."""
    return map_distinct(values, label_text, None)


def row_ids(frame: pd.DataFrame, id_column: str | None) -> list[str | None]:
    """Each row's ``--id`` value as written, or None for every row without an id column."""
    return label_texts(frame[id_column]) if id_column else [None] * len(frame)


def check_label_column(frame: pd.DataFrame, label: str | None, *, source: str) -> str:
    """Resolve the label column: the one given, or the single conventionally named one."""
    columns = [str(column) for column in frame.columns]
    if label is not None:
        if label not in columns:
            raise DatabugsError(
                f"{source}: no column {label!r}",
                code="no_label_column",
                hint=f"columns are: {', '.join(columns)}",
            )
        return label
    found = [column for column in columns if column.lower() in LABEL_COLUMN_NAMES]
    if len(found) == 1:
        return found[0]
    what = "several label-like columns " + ", ".join(found) if found else "no label column"
    raise DatabugsError(
        f"{source}: {what}",
        code="no_label_column",
        hint=f"name it with --label; columns are: {', '.join(columns)}",
    )


def check_columns_exist(
    frame: pd.DataFrame, columns: Iterable[str], *, option: str, source: str
) -> list[str]:
    """Every column named by ``option`` must exist in the table."""
    names = [str(column) for column in frame.columns]
    wanted = list(columns)
    for column in wanted:
        if column not in names:
            raise DatabugsError(
                f"{source}: no column {column!r} (given with {option})",
                code="unknown_column",
                hint=f"columns are: {', '.join(names)}",
            )
    return wanted


def check_id_column(frame: pd.DataFrame, id_column: str | None, *, source: str) -> str | None:
    """An ``--id`` column must exist and hold a unique, non-empty key per row."""
    if id_column is None:
        return None
    check_columns_exist(frame, [id_column], option="--id", source=source)
    keys = pd.Series(label_texts(frame[id_column]), dtype=object)
    empty = np.flatnonzero(keys.isna().to_numpy())
    if len(empty):
        raise DatabugsError(
            f"{source}: row {empty[0]} has an empty id in column {id_column!r}",
            code="bad_id",
            hint="every row needs an id",
        )
    repeated = keys[keys.duplicated()]
    if len(repeated):
        raise DatabugsError(
            f"{source}: the id {repeated.iloc[0]!r} appears more than once in column {id_column!r}",
            code="bad_id",
            hint="ids must be unique",
        )
    return id_column


def check_classes(labels: Sequence[str | None], *, source: str, column: str) -> list[str]:
    """At least two classes among the labelled rows; returns them sorted."""
    classes = sorted({text for text in labels if text is not None})
    if len(classes) < 2:
        found = f"only the class {classes[0]!r}" if classes else "no labelled rows"
        raise DatabugsError(
            f"{source}: column {column!r} has {found}",
            code="too_few_classes",
            hint="a label check needs at least two classes",
        )
    return classes


def check_seed(seed: int) -> int:
    """``--seed`` must be a valid NumPy seed."""
    if not 0 <= seed < 2**32:
        raise DatabugsError(f"--seed is {seed}", code="bad_option", hint="use 0 to 4294967295")
    return seed


def check_folds(folds: int) -> int:
    """``--folds`` must allow a train and a held-out part."""
    if folds < 2:
        raise DatabugsError(
            f"--folds is {folds}", code="bad_option", hint="use 2 or more (default 5)"
        )
    return folds
