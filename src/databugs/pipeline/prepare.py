"""The scan's first stage: from a loaded table and the options to everything the models need.

Every option and column is checked here, before any model is fitted; label spellings are
merged (so that variants do not split a class), classes are indexed and the features built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from databugs.annotators.gold import GOLD_COLUMN
from databugs.annotators.read import Annotations, check_declared, read_annotations
from databugs.data.features import FeatureSet
from databugs.data.io import LoadedTable
from databugs.data.keys import row_ids
from databugs.data.ledger import decisions_about_scan, settled_rows
from databugs.data.splits import (
    Splits,
    check_training_rows,
    held_out_rows,
    ledger_files,
    scanned_splits,
)
from databugs.data.table import Columns, check_columns, featurise
from databugs.data.task import CLASSIFICATION, MULTILABEL, REGRESSION, TaskChoice, numeric_targets
from databugs.data.validate import (
    check_at_least,
    check_classes,
    check_flat_labels,
    check_label_column,
    check_seed,
    label_texts,
)
from databugs.detectors.base import Detector
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.models.embeddings import model_folder
from databugs.models.zoo import check_model_name, make_model
from databugs.pipeline.task import scan_task

CONSENSUS_COLUMN = "consensus"
"""The label column's name in every output when the data has annotators but no label column."""
LABEL_ONLY = "none"
"""``Prepared.model`` of annotations with no feature column: no model is fitted (``crowd``)."""


@dataclass
class Prepared:
    """The checked table and what the later stages read.

    ``frame`` has one row per item (long annotator data is pivoted); ``labels`` are each row's
    label as written (None: unlabelled), ``canonical`` the class it counts as once spelling
    variants are merged; ``labelled`` the positions of labelled rows and ``targets`` their
    class indices into ``classes``; ``settled`` the rows a reviewer's rejection protects.
    """

    table: LoadedTable
    frame: pd.DataFrame
    columns: Columns
    annotations: Annotations | None
    labels: list[str | None]
    canonical: list[str | None]
    classes: list[str]
    labelled: np.ndarray
    targets: np.ndarray
    features: FeatureSet
    model: str
    folds: int
    ids: list[str | None]
    settled: frozenset[int]
    task: str = CLASSIFICATION
    choice: TaskChoice | None = None
    """The task and why it was chosen (report.json's ``task``)."""
    splits: Splits | None = None
    """Which split each row is in (``--test`` or ``--split-col``), None without splits."""

    @property
    def source(self) -> str:
        return str(self.table.path)

    @property
    def held_out(self) -> np.ndarray | None:
        """Boolean per labelled row: outside the training split (scored by models trained on
        the training rows only); None without splits."""
        return held_out_rows(self.splits, self.labelled)

    @property
    def scanned_label(self) -> str:
        """What report.json's ``input.label`` names: the label column."""
        return self.columns.label


def prepare(
    table: LoadedTable,
    options: dict[str, Any],
    detectors: Sequence[Detector],
    *,
    joined: Splits | None = None,
) -> Prepared:
    """Check the table and options, choose the task, merge label spellings, index classes (or
    read the numbers to predict), build features.

    ``joined`` are the splits of a training table joined with a test table (``--test``)."""
    source = str(table.path)
    frame, annotations, label_option = annotated_frame(table.frame, options, source)
    splits = scanned_splits(frame, options.get("split_col"), joined, source=source)
    tag_columns = options.get("labels")
    label = None if tag_columns else check_label_column(frame, label_option, source=source)
    check_flat_labels(table, tag_columns or [label], source=source)
    choice = scan_task(frame, label, annotations, options, source)
    if choice.kind == MULTILABEL:
        from databugs.pipeline.multilabel import prepare_multilabel  # it uses this module's checks

        return prepare_multilabel(table, options, choice, splits=splits)  # the multi-label path
    roles = {name: options[name] for name in ("id", "text", "ignore")}
    file_row = splits.file_row if splits else None
    columns = check_columns(frame, source=source, label=label, file_row=file_row, **roles)
    folds = _check_model_options(options, choice.kind)
    labels = label_texts(frame[columns.label])
    if choice.kind == REGRESSION:
        numbers = numeric_targets(labels, column=columns.label, source=source)
        canonical, classes = labels, []
        labelled = np.flatnonzero(np.isfinite(numbers))
        targets = numbers[labelled]
    else:
        canonical, classes, annotations = _classes(
            labels, annotations, detectors, options, columns, source
        )
        labelled, targets = _class_targets(labels, canonical, classes)
    check_training_rows(splits, labelled, source=source)
    features = _features(frame, columns, options, source, annotated=annotations is not None)
    usable = any(use.used_as != "left out" for use in features.columns)
    ids = row_ids(frame, columns.id)
    return Prepared(
        table=table,
        frame=frame,
        columns=columns,
        annotations=annotations,
        labels=labels,
        canonical=canonical,
        classes=classes,
        labelled=labelled,
        targets=targets,
        features=features,
        model=_model_for(options["model"], features.kind, choice.kind) if usable else LABEL_ONLY,
        folds=folds,
        ids=ids,
        settled=_settled(table, ids, labels, splits),
        task=choice.kind,
        choice=choice,
        splits=splits,
    )


def _class_targets(
    labels: list[str | None], canonical: list[str | None], classes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The labelled rows and each one's class index."""
    labelled = np.array([row for row, text in enumerate(labels) if text is not None], dtype=int)
    class_index = {name: index for index, name in enumerate(classes)}
    return labelled, np.array([class_index[canonical[row]] for row in labelled], dtype=int)


def _features(
    frame: pd.DataFrame,
    columns: Columns,
    options: dict[str, Any],
    source: str,
    *,
    annotated: bool,
) -> FeatureSet:
    """The feature matrix; refused when no column is usable, unless annotators' answers alone
    can be analysed (a label-only scan)."""
    gold = [GOLD_COLUMN] if annotated else []  # the answer key is no feature
    excluded = [*options.get("annotators", []), *gold, *split_column(options)]
    features = featurise(frame, columns, exclude=excluded)
    if not annotated and not any(use.used_as != "left out" for use in features.columns):
        raise DatabugsError(
            f"{source}: no usable feature columns",
            code=ErrorCode.NO_FEATURES,
            hint="every column was left out (id-like, constant or ignored)",
        )
    return features


def _model_for(model: str, kind: str, task: str = CLASSIFICATION) -> str:
    """``auto`` (every candidate), or the named model if it works on this kind and task."""
    if model != "auto":
        make_model(model, kind, 0, task)  # a table-only model on text fails now, not in the folds
    return model


def _check_model_options(options: dict[str, Any], task: str = CLASSIFICATION) -> int:
    """Folds, seed, model (a classifier, or a regressor for a number) and text model, checked
    before the features are built."""
    folds = options["folds"]
    check_at_least("folds", folds, 2)  # a part to train on and a part held out
    check_seed(options["seed"])
    check_model_name(options["model"], task)
    if options.get("text_model"):
        model_folder(options["text_model"])  # a wrong name fails now, not after featurising
    return folds


def _classes(
    labels: list[str | None],
    annotations: Annotations | None,
    detectors: Sequence[Detector],
    options: dict[str, Any],
    columns: Columns,
    source: str,
) -> tuple[list[str | None], list[str], Annotations | None]:
    """Each row's class with spelling variants merged, the sorted classes, and the annotations
    with the same merges (their labels may add classes)."""
    spelled = labels + ([t for row in annotations.labels for t in row] if annotations else [])
    merges = {v: c for detector in detectors for v, c in detector.merge_labels(spelled).items()}
    canonical = [None if text is None else merges.get(text, text) for text in labels]
    classes = check_classes(canonical, source=source, column=columns.label)
    if annotations is not None:
        annotations = annotations.merged(merges)
        if options.get("classes"):
            check_declared(annotations, options["classes"], source)
        classes = sorted(set(classes) | annotations.classes())
    return canonical, classes, annotations


def split_column(options: dict[str, Any]) -> list[str]:
    """The ``--split-col`` column, if any: it says where a row is, never what it is (no
    feature)."""
    return [options["split_col"]] if options.get("split_col") else []


def _settled(
    table: LoadedTable, ids: list[str | None], labels: list[str | None], splits: Splits | None
) -> frozenset:
    """Rows whose rejection in the decisions ledger beside their file still holds (with a test
    file, each file's ledger, about that file's rows)."""
    return settled_rows(decisions_about_scan(*ledger_files(splits, table, len(ids)), ids), labels)


def annotated_frame(
    frame: pd.DataFrame, options: dict[str, Any], source: str
) -> tuple[pd.DataFrame, Annotations | None, str | None]:
    """The table to scan (one row per item), its annotations, and the label column to use.

    Without a label column (always so for long data, whose label column holds each line's
    annotation), the annotators' majority becomes the label, named ``consensus``.
    """
    if not options.get("annotators") and not options.get("annotator_col"):
        return frame, None, options["label"]
    annotations = read_annotations(
        frame,
        annotators=options.get("annotators") or [],
        annotator_column=options.get("annotator_col"),
        label=options["label"],
        id_column=options["id"],
        source=source,
        ignore=options.get("ignore") or [],
    )
    items = annotations.frame
    if not annotations.long_format:
        try:
            return items, annotations, check_label_column(items, options["label"], source=source)
        except DatabugsError:
            if options["label"] is not None:
                raise
    if CONSENSUS_COLUMN in items.columns:
        raise DatabugsError(
            f"{source}: a column is named {CONSENSUS_COLUMN!r}, the name databugs gives the "
            "annotators' consensus",
            code=ErrorCode.BAD_COLUMN,
            hint=f"name the label column with {option('label')}, or rename that column",
        )
    return items.assign(**{CONSENSUS_COLUMN: annotations.majority()}), annotations, CONSENSUS_COLUMN
