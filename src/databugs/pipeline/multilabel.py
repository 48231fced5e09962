"""A multi-label scan's first stage: the tag sets, checked, with tag spellings merged, and the
features (every column but the tags).

Kept apart from ``prepare`` (which hands over here once the task is chosen) so that the
classification path does not carry tags. The tags are one column of joined tags
(``--label-sep``); the cells stay as written, for the outputs and for ``fix``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from databugs.data.features import FeatureSet
from databugs.data.io import LoadedTable
from databugs.data.keys import row_ids
from databugs.data.splits import Splits, check_training_rows
from databugs.data.table import Columns, check_columns, featurise
from databugs.data.tags import TagSets, column_tag_sets, joined_tag_sets, row_labels, split_cell
from databugs.data.task import MULTILABEL, TaskChoice
from databugs.data.validate import check_label_column, label_texts
from databugs.detectors.registry import build_detectors
from databugs.detectors.tag_spelling import TagSpelling
from databugs.errors import DatabugsError, ErrorCode
from databugs.pipeline.prepare import _check_model_options, _model_for, _settled, split_column


@dataclass
class TaggedData:
    """A multi-label scan's checked table: ``labels`` the cells as written (None: unlabelled),
    ``canonical`` each row's tag set as one key (sorted tags, merged spellings), ``tag_sets``
    the labelled rows' tags."""

    table: LoadedTable
    frame: pd.DataFrame
    columns: Columns
    labels: list[str | None]
    canonical: list[str | None]
    tag_sets: TagSets
    features: FeatureSet
    model: str
    folds: int
    ids: list[str | None]
    settled: frozenset[int]
    choice: TaskChoice
    tag_columns: list[str]
    """The 0/1 tag columns (``--labels``), replaced in ``frame`` by one column of their tags
    as text, named ``label`` in ``columns``; empty for one column of joined tags."""
    splits: Splits | None = None
    """Which split each row is in (``--test`` or ``--split-col``), None without splits."""
    task: str = MULTILABEL
    annotations: None = None

    @property
    def source(self) -> str:
        return str(self.table.path)

    @property
    def scanned_label(self) -> str | list[str]:
        """What report.json's ``input.label`` names: the tag column, or the 0/1 tag columns."""
        return self.tag_columns or self.columns.label


def _tag_columns(
    frame: pd.DataFrame, names: list[str], source: str
) -> tuple[pd.DataFrame, str, list[str | None], TagSets]:
    """0/1 tag columns read as tag sets, and the frame the scan sees: the tag columns replaced
    by one column of each row's tags as text (named as ``--labels`` names them: ``a,b,c``)."""
    sets = column_tag_sets(frame, names, source=source)
    labels = row_labels(sets, len(frame))
    label = ",".join(names)
    if label in frame.columns:
        raise DatabugsError(
            f"{source}: a column is named {label!r}, like the tag columns together",
            code=ErrorCode.BAD_OPTION,
            hint="rename that column",
        )
    scanned = frame.drop(columns=names)
    scanned[label] = pd.Series(labels, index=frame.index, dtype=object)
    return scanned, label, labels, sets


def prepare_multilabel(
    table: LoadedTable,
    options: dict[str, Any],
    choice: TaskChoice,
    *,
    splits: Splits | None = None,
) -> Any:
    """The checked table of a multi-label scan (``choice.reason`` says why it is one); with
    ``splits``, the split column is no feature and the models learn from the training rows."""
    source = str(table.path)
    if options.get("labels"):
        frame, label, labels, sets = _tag_columns(table.frame, options["labels"], source)
    else:
        frame, label = table.frame, check_label_column(table.frame, options["label"], source=source)
        separator = options.get("label_sep") or ";"
        labels = label_texts(frame[label])
        merges = _tag_merges(labels, separator, options, source, label)
        sets = joined_tag_sets(frame[label], separator, source=source, column=label, merges=merges)
    columns = check_columns(
        frame,
        source=source,
        label=label,
        id=options["id"],
        text=options["text"],
        ignore=options["ignore"],
        file_row=splits.file_row if splits else None,
    )
    folds = _check_model_options(options)
    if len(sets.labelled) < 2 or not sets.tags:
        raise DatabugsError(
            f"{source}: column {label!r} has fewer than two rows with tags",
            code=ErrorCode.TOO_FEW_CLASSES,
            hint="a multi-label check needs labelled rows",
        )
    check_training_rows(splits, sets.labelled, source=source)
    features = featurise(frame, columns, exclude=split_column(options))
    ids = row_ids(frame, columns.id)
    return TaggedData(
        tag_columns=list(options.get("labels") or []),
        table=table,
        frame=frame,
        columns=columns,
        labels=labels,
        canonical=_canonical_keys(labels, sets),
        tag_sets=sets,
        features=features,
        model=_model_for(options["model"], features.kind),
        folds=folds,
        ids=ids,
        settled=_settled(table, ids, labels, splits),
        choice=choice,
        splits=splits,
    )


def _tag_merges(
    labels: list[str | None], separator: str, options: dict[str, Any], source: str, column: str
) -> dict[str, str]:
    """Tag spellings to merge, when the tag spelling detector runs."""
    settings = (options.get("detector_settings") or {}).get(TagSpelling.name, {})
    spelling = build_detectors([TagSpelling.name], {TagSpelling.name: settings})[0]
    tags = [
        tag
        for row, text in enumerate(labels)
        if text is not None
        for tag in split_cell(text, separator, source=source, column=column, row=row)
    ]
    return spelling.merge_tags(tags)


def _canonical_keys(labels: list[str | None], sets: TagSets) -> list[str | None]:
    """Each row's tag set as one comparable key: its tags, sorted, one per line."""
    keys: list[str | None] = [None] * len(labels)
    for position, row in enumerate(sets.labelled):
        keys[row] = "\n".join(np.asarray(sets.tags)[sets.matrix[position] > 0])
    return keys
