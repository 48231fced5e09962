"""Annotators' labels in one shape, whatever the table's: items x annotators, as written.

Wide data (``--annotators a,b,c``) is that matrix already; long data (``--annotator-col``, one
line per item and annotator) is pivoted on the ``--id`` column, keeping each item's first line
as its row. An annotator who answered an item again keeps their latest answer (public crowd sets
have such repeats); the repeats are counted for the report. Bad shapes are a
:class:`DatabugsError` (exit 2) naming the row.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from databugs.annotators.agreement import MISSING
from databugs.data.validate import check_label_column, label_text, label_texts
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.text import columns_hint


@dataclass
class Annotations:
    """Annotator labels as written, one row per item of ``frame`` (None: not labelled)."""

    frame: pd.DataFrame
    names: list[str]
    labels: list[list[str | None]]
    rows: np.ndarray
    """Position in the data file of each item (its first line, for long data)."""
    long_format: bool = False
    repeats: int = 0
    """Answers that repeat an earlier answer of the same annotator on the same item (dropped)."""
    changed: int = 0
    """Of the repeats, those whose answer differs from the one before it (the latest is kept)."""

    def merged(self, merges: dict[str, str]) -> Annotations:
        """The same annotations with label spelling variants merged into their class."""
        labels = [[None if t is None else merges.get(t, t) for t in row] for row in self.labels]
        return dataclasses.replace(self, labels=labels)

    def classes(self) -> set[str]:
        """Every label some annotator gave."""
        return {text for row in self.labels for text in row if text is not None}

    def majority(self) -> list[str | None]:
        """Each item's most frequent label; ties go to the label most frequent overall."""
        overall = Counter(text for row in self.labels for text in row if text is not None)
        majority: list[str | None] = []
        for row in self.labels:
            votes = Counter(text for text in row if text is not None)
            best = max(votes, key=lambda text: (votes[text], overall[text], text), default=None)
            majority.append(best)
        return majority


def read_annotations(
    frame: pd.DataFrame,
    *,
    annotators: Sequence[str],
    annotator_column: str | None,
    label: str | None,
    id_column: str | None,
    source: str,
    ignore: Sequence[str] = (),
) -> Annotations:
    """The annotations of a wide or long table; bad shapes are a DatabugsError (exit 2)."""
    if annotators and annotator_column:
        raise DatabugsError(
            f"{option('annotators')} and {option('annotator_col')} are two ways to give the "
            "same thing",
            code=ErrorCode.BAD_OPTION,
            hint=f"use {option('annotators')} for one column per annotator, "
            f"{option('annotator_col')} for long data",
        )
    if annotator_column:
        return _pivot_long(frame, annotator_column, label, id_column, source, ignore)
    repeated = sorted({name for name in annotators if list(annotators).count(name) > 1})
    if repeated:
        raise DatabugsError(
            f"{option('annotators')} names {repeated[0]!r} twice", code=ErrorCode.BAD_OPTION
        )
    missing = [name for name in annotators if name not in frame.columns]
    if missing:
        raise DatabugsError(
            f"{source}: no column {missing[0]!r} ({option('annotators')})",
            code=ErrorCode.UNKNOWN_COLUMN,
            hint=columns_hint(missing[0], frame.columns),
        )
    labels = [annotation_texts(frame[name]) for name in annotators]
    annotations = Annotations(
        frame=frame,
        names=list(annotators),
        labels=[list(row) for row in zip(*labels, strict=True)],
        rows=np.arange(len(frame)),
    )
    _check_shape(annotations, source)
    return annotations


def annotation_texts(values: pd.Series) -> list[str | None]:
    """Labels as written; a number column with gaps (read as floats) gives ``3``, not ``3.0``,
    so that annotators' labels match the label column's."""
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if len(whole) and (whole == whole.round()).all():
            values = values.astype("Int64")
    return label_texts(values)


def _pivot_long(
    frame: pd.DataFrame,
    annotator_column: str,
    label: str | None,
    id_column: str | None,
    source: str,
    ignore: Sequence[str] = (),
) -> Annotations:
    """One item per id; the item's other columns must agree across its lines."""
    for name, column in (("annotator_col", annotator_column), ("id", id_column)):
        if column is None:
            raise DatabugsError(
                f"{option('annotator_col')} needs {option('id')}: the column that says which "
                "item a line is about",
                code=ErrorCode.BAD_OPTION,
            )
        if column not in frame.columns:
            raise DatabugsError(
                f"{source}: no column {column!r} ({option(name)})", code=ErrorCode.UNKNOWN_COLUMN
            )
    label = check_label_column(frame, label, source=source)  # each line's annotation
    keys = frame[id_column].map(label_text)
    if keys.isna().any():
        line = int(np.flatnonzero(keys.isna().to_numpy())[0])
        raise DatabugsError(
            f"{source}: row {line}: empty {id_column!r} ({option('id')})", code=ErrorCode.BAD_ID
        )
    features = [c for c in frame.columns if c not in (annotator_column, label, id_column)]
    item_codes, item_keys = pd.factorize(keys, sort=False)
    first_lines = pd.Series(np.arange(len(frame))).groupby(item_codes).min().to_numpy()
    _check_items_agree(
        frame, [c for c in features if c not in ignore], item_codes, item_keys, source
    )
    who = frame[annotator_column].map(label_text)
    names = sorted({name for name in who if name is not None})
    column_of = {name: index for index, name in enumerate(names)}
    labels: list[list[str | None]] = [[None] * len(names) for _ in range(len(item_keys))]
    texts = annotation_texts(frame[label])
    repeats = changed = 0
    for item, annotator, text in zip(item_codes, who, texts, strict=True):
        if annotator is None or text is None:
            continue
        earlier = labels[item][column_of[annotator]]
        repeats += earlier is not None
        changed += earlier is not None and earlier != text
        labels[item][column_of[annotator]] = text  # the latest answer counts
    items = frame.iloc[first_lines][[id_column, *features]].reset_index(drop=True)
    annotations = Annotations(
        frame=items,
        names=names,
        labels=labels,
        rows=first_lines,
        long_format=True,
        repeats=repeats,
        changed=changed,
    )
    _check_shape(annotations, source)
    return annotations


def _check_items_agree(
    frame: pd.DataFrame,
    checked: list[str],
    item_codes: np.ndarray,
    item_keys: pd.Index,
    source: str,
) -> None:
    """Every line of an item carries the same ``checked`` columns (ignored ones, such as a
    time stamp per line, may differ)."""
    if not checked:
        return
    differs = frame[checked].astype("string").fillna("").groupby(item_codes).nunique() > 1
    if differs.to_numpy().any():
        item, column = np.argwhere(differs.to_numpy())[0]
        raise DatabugsError(
            f"{source}: item {item_keys[item]!r} has different {checked[column]!r} values "
            "on its lines",
            code=ErrorCode.BAD_ROW,
            hint="every line of an item must carry the same features",
        )


NUMERIC_CLASSES = 10
"""Numeric answers with more distinct values than this, spread with gaps, are ratings."""


def _check_not_ratings(annotations: Annotations, source: str) -> None:
    """Ratings (0-100, -100..100) are not classes: refuse rather than count each number as one.

    Numbered classes (1..77 intents) fill their range; ratings leave gaps (25, 30, 80) or have
    fractions."""
    given = pd.Series(sorted(annotations.classes()), dtype=object)
    numbers = pd.to_numeric(given, errors="coerce")
    if len(given) <= NUMERIC_CLASSES or numbers.isna().any():
        return
    fractions = (numbers != numbers.round()).any()
    if fractions or len(numbers) < 0.9 * (numbers.max() - numbers.min() + 1):
        raise DatabugsError(
            f"{source}: the answers are numbers ({len(numbers)} distinct values from "
            f"{numbers.min():g} to {numbers.max():g}): numeric crowd answers are not supported yet",
            code=ErrorCode.BAD_LABEL_TYPE,
            hint="databugs treats answers as classes; ratings need a numeric consensus",
        )


def _check_shape(annotations: Annotations, source: str) -> None:
    _check_not_ratings(annotations, source)
    if len(annotations.names) < 2:
        raise DatabugsError(
            f"{source}: {len(annotations.names)} annotator(s); agreement needs at least two",
            code=ErrorCode.BAD_OPTION,
        )
    for index, name in enumerate(annotations.names):
        if all(row[index] is None for row in annotations.labels):
            raise DatabugsError(
                f"{source}: annotator {name!r} labelled no row", code=ErrorCode.BAD_LABEL
            )
    if not any(sum(text is not None for text in row) >= 2 for row in annotations.labels):
        raise DatabugsError(
            f"{source}: no row was labelled by two annotators; agreement cannot be measured",
            code=ErrorCode.BAD_LABEL,
        )


def check_declared(annotations: Annotations, declared: Sequence[str], source: str) -> None:
    """Every annotator label must be one of the declared ``--classes``."""
    known = set(declared)
    for item, row in enumerate(annotations.labels):
        for name, text in zip(annotations.names, row, strict=True):
            if text is not None and text not in known:
                raise DatabugsError(
                    f"{source}: row {annotations.rows[item]}: annotator {name!r} gave "
                    f"{text!r}, not one of {option('classes')}",
                    code=ErrorCode.BAD_LABEL,
                )


def class_matrix(annotations: Annotations, class_index: dict[str, int]) -> np.ndarray:
    """Items x annotators of class indices, -1 where not labelled."""
    return np.array(
        [[MISSING if t is None else class_index[t] for t in row] for row in annotations.labels],
        dtype=int,
    ).reshape(len(annotations.labels), len(annotations.names))
