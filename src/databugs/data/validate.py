"""Check the user's table and options before any work starts.

Each ``check_*`` function either returns what it resolved or raises :class:`DatabugsError` whose
message says what was found, what was required and how to fix it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from databugs.data.distinct import map_distinct
from databugs.data.features import holds_nested_values
from databugs.data.io import LoadedTable
from databugs.errors import DatabugsError, ErrorCode, option, value_set
from databugs.text import MAX_COLUMNS_LISTED, columns_hint, listed

LABEL_COLUMN_NAMES = ("label", "labels", "target", "class", "y")


def label_text(value: object) -> str | None:
    """The label exactly as written, or ``None`` when the cell is empty. A boolean is written
    ``true``/``false``, as JSON writes it (and Arrow, for a Parquet boolean column): Python's
    ``True`` is spelled by no file.

    >>> label_text(" spam"), label_text(3), label_text(np.True_), label_text(float("nan"))
    (' spam', '3', 'true', None)
    >>> label_text("  ")
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def label_texts(values: pd.Series) -> list[str | None]:
    """:func:`label_text` of every cell, as a list (pandas would turn None back into NaN)."""
    return map_distinct(values, label_text, None)


def check_label_column(frame: pd.DataFrame, label: str | None, *, source: str) -> str:
    """Resolve the label column: the one given, or the single conventionally named one."""
    columns = [str(column) for column in frame.columns]
    if label is not None:
        if label not in columns:
            raise DatabugsError(
                f"{source}: no column {label!r}",
                code=ErrorCode.NO_LABEL_COLUMN,
                hint=columns_hint(label, columns),
            )
        return label
    found = [column for column in columns if column.strip().lower() in LABEL_COLUMN_NAMES]
    if len(found) == 1:
        return found[0]
    what = "several label-like columns " + ", ".join(found) if found else "no label column"
    raise DatabugsError(
        f"{source}: {what}",
        code=ErrorCode.NO_LABEL_COLUMN,
        hint=f"name it with {option('label')}; columns are: {listed(columns, MAX_COLUMNS_LISTED)}",
    )


def check_flat_labels(table: LoadedTable, labels: Iterable[str], *, source: str) -> None:
    """Refuse label columns that hold JSON arrays or objects (a Parquet list or struct, a
    DataFrame's lists): read as their JSON text they became classes such as '["a", "b"]', and
    ``fix`` wrote text over the arrays."""
    for label in labels:
        if label in table.fields:
            raise DatabugsError(
                f"{source}: column {label!r} is a field inside the lines' JSON objects, which "
                "fix could not write back",
                code=ErrorCode.BAD_LABEL_TYPE,
                hint="give each line its label as a member of its own",
            )
        read = label in table.frame.columns  # not the consensus column a crowd scan makes later
        if label in table.nested or (read and holds_nested_values(table.frame[label])):
            raise DatabugsError(
                f"{source}: column {label!r} holds JSON arrays or objects, not labels",
                code=ErrorCode.BAD_LABEL_TYPE,
                hint=f"write a row's tags as one text joined by ';' ({option('label_sep')}), or "
                f"as 0/1 columns ({option('labels')} a,b,c)",
            )


def check_columns_exist(
    frame: pd.DataFrame, columns: Iterable[str], *, named_by: str, source: str
) -> list[str]:
    """Every column named by the option ``named_by`` (``text``, ``ignore``...) must exist."""
    names = [str(column) for column in frame.columns]
    wanted = list(columns)
    for column in wanted:
        if column not in names:
            raise DatabugsError(
                f"{source}: no column {column!r} (given with {option(named_by)})",
                code=ErrorCode.UNKNOWN_COLUMN,
                hint=columns_hint(column, names),
            )
    return wanted


FileRow = Callable[[int], tuple[str, int]]
"""Which file a table's row is in and its row there (a scan joins a training and a test file)."""


def check_id_column(
    frame: pd.DataFrame,
    id_column: str | None,
    *,
    source: str,
    file_row: FileRow | None = None,
) -> str | None:
    """An ``--id`` column must exist and hold a unique, non-empty key per row.

    ``file_row`` says which file and row of it each row is, where ``frame`` joins two files
    (``--test``): a refusal names the rows where the user can find them."""
    if id_column is None:
        return None
    check_columns_exist(frame, [id_column], named_by="id", source=source)
    place = file_row or (lambda row: (source, row))
    keys = pd.Series(label_texts(frame[id_column]), dtype=object)
    empty = np.flatnonzero(keys.isna().to_numpy())
    if len(empty):
        file, row = place(int(empty[0]))
        raise DatabugsError(
            f"{file}: row {row} has an empty id in column {id_column!r}",
            code=ErrorCode.BAD_ID,
            hint="every row needs an id",
        )
    repeated = keys[keys.duplicated()]
    if len(repeated):
        key = repeated.iloc[0]
        rows = np.flatnonzero((keys == key).to_numpy())
        raise DatabugsError(
            _repeated_id(key, [place(int(row)) for row in rows], id_column),
            code=ErrorCode.BAD_ID,
            hint="ids must be unique",
        )
    return id_column


def _repeated_id(key: str, places: list[tuple[str, int]], id_column: str) -> str:
    """Where an id repeats: its first two rows (and how often it is there), each in its file.

    >>> _repeated_id("a7", [("train.csv", 3), ("test.csv", 0)], "id")
    "the id 'a7' is in train.csv row 3 and in test.csv row 0 (column 'id')"
    """
    (first_file, first), (second_file, second) = places[:2]
    times = f" ({len(places)} times)" if len(places) > 2 else ""
    if first_file == second_file:
        return (
            f"{first_file}: the id {key!r} is in rows {first} and {second}{times} "
            f"of column {id_column!r}"
        )
    return (
        f"the id {key!r} is in {first_file} row {first} and in {second_file} row {second}"
        f"{times} (column {id_column!r})"
    )


def check_classes(labels: Sequence[str | None], *, source: str, column: str) -> list[str]:
    """At least two classes among the labelled rows; returns them sorted."""
    classes = sorted({text for text in labels if text is not None})
    if len(classes) < 2:
        found = f"only the class {classes[0]!r}" if classes else "no labelled rows"
        raise DatabugsError(
            f"{source}: column {column!r} has {found}",
            code=ErrorCode.TOO_FEW_CLASSES,
            hint="a label check needs at least two classes",
        )
    return classes


def check_at_least(name: str, value: int | float, minimum: int | float) -> None:
    """A count option (folds, workers, a budget) must be at least ``minimum``.

    >>> check_at_least("folds", 5, 2)
    """
    _check_number(name, value)
    if value < minimum:
        raise DatabugsError(
            f"{value_set(name, value)} is below {minimum}",
            code=ErrorCode.BAD_OPTION,
            hint=f"use {minimum} or more",
        )


def _check_number(name: str, value: object) -> None:
    """A number option given as text (``seed="1"``) would fail in a comparison: say so."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise DatabugsError(f"{value_set(name, value)} is not a number", code=ErrorCode.BAD_OPTION)


MAX_SEED = 2**32 - 1
"""The largest seed numpy takes (a negative one, or a larger, ended in its traceback)."""


def check_seed(seed: int) -> None:
    """A seed every random choice can take: 0 to :data:`MAX_SEED`."""
    check_between("seed", seed, 0, MAX_SEED)


def check_between(name: str, value: int | float, low: int | float, high: int | float) -> None:
    """An option with a range (a seed, a confidence) must lie in ``[low, high]``."""
    _check_number(name, value)
    if not low <= value <= high:
        raise DatabugsError(
            f"{value_set(name, value)} is outside {low} to {high}",
            code=ErrorCode.BAD_OPTION,
            hint=f"use {low} to {high}",
        )
