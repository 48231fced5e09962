"""The scan's last stage: ranked issues and per-row results assembled into a :class:`Report`.

The per-row table (``corrected_labels.csv``), the clusters of mistakes, each issue's record as
report.json lists it (with a preview of the row and a key that survives inserted rows), the
summary figures and the notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from databugs.data.features import FeatureSet
from databugs.data.keys import row_keys
from databugs.data.splits import split_input, with_split_columns, with_split_fields
from databugs.detectors.base import Context, Issue, is_correction
from databugs.detectors.registry import all_detectors
from databugs.models.calibration import MIN_EXPLAINED, explained_share
from databugs.models.oof import OutOfFold
from databugs.pipeline.clusters import cluster_corrections
from databugs.pipeline.heap import kept_objects_skipped
from databugs.pipeline.prepare import CONSENSUS_COLUMN, Prepared
from databugs.pipeline.split_summary import split_summary
from databugs.pipeline.summary import class_table, summarise
from databugs.pipeline.tag_summary import tag_notes, tag_summary, tag_table
from databugs.pipeline.views import map_and_neighbours
from databugs.report.report import Report
from databugs.report.schema import ROW_COLUMNS
from databugs.text import count, listed, one_line

QUALITY_BINS = 20
PREVIEW_CHARS = 160


def assemble(
    data: Prepared,
    context: Context,
    oof: OutOfFold,
    issues: list[Issue],
    options: dict[str, Any],
) -> Report:
    """The report of a scan (gate and comparison are added by the caller)."""
    rows = _row_table(context, data.ids, issues)
    tagged = context.tags is not None  # a multi-label scan: tags where classes would be
    if data.annotations is not None:
        rows = _with_consensus(rows, context)
        rows["row"] = data.annotations.rows  # long data: an item is reported at its first line
    rows = with_split_columns(rows, data.splits)
    cluster_of, clusters = cluster_corrections(issues, data.features, options["seed"])
    report = Report(
        input=scan_input(data),
        options={**options, "label": data.columns.label, "folds": oof.folds},
        summary=(tag_summary(context, issues) if tagged else summarise(context, issues))
        | split_summary(context, issues),
        classes=tag_table(context, issues) if tagged else class_table(context, issues),
        features=[vars(use) for use in data.features.columns],
        models=list(oof.models),
        notes=(tag_notes(context, data.settled) if tagged else _notes(context, data, options))
        + _fewer_folds(options["folds"], oof.folds),
        kinds=reported_kinds(context),
        records=with_split_fields(issue_records(data, issues, rows, cluster_of), data.splits),
        clusters=[
            {**c, "examples": [int(rows["row"].iat[r]) for r in c["examples"]]} for c in clusters
        ],
        quality_histogram=_quality_histogram(context, rows),
        rows=rows,
        issues=issues,
    )
    with kept_objects_skipped():  # the findings, kept from here on
        report.map, report.neighbours = map_and_neighbours(
            data.features,
            context.labelled,
            rows,
            [issue.row for issue in issues if issue.row is not None],
            lambda chosen, limit: row_previews(data.frame, chosen, data.features, limit),
            options["seed"],
        )
    if context.annotators is not None:
        report.annotators = context.annotators.annotators
        report.agreement = {
            **context.annotators.agreement,
            "class_pairs": _with_rows(context.annotators.class_pairs, data.annotations.rows),
            "consensus_model": context.annotators.model,
        }
    return report


def scan_input(data: Prepared) -> dict[str, Any]:
    """What was scanned: report.json's ``input``."""
    consensus = data.columns.label == CONSENSUS_COLUMN and data.annotations is not None
    return {
        "path": data.source,
        "format": data.table.format,
        "rows": len(data.table.frame),
        "sha256": data.table.sha256,
        "label": data.scanned_label,
        "id": data.columns.id,
        **({"label_source": "annotators' consensus"} if consensus else {}),
        **split_input(data.splits),
    }


def issue_records(
    data: Prepared, issues: list[Issue], rows: pd.DataFrame, cluster_of: dict[int, str]
) -> list[dict[str, Any]]:
    """Issues as report.json lists them (fields as ``schema.ISSUE_FIELDS``), with their rank and
    the row's position in the file, id, key, label quality and a preview of its content."""
    issue_rows = [issue.row for issue in issues if issue.row is not None]
    previews = row_previews(data.frame, issue_rows, data.features, named=_named_columns(issues))
    keys = row_keys(data.frame, issue_rows, id_column=data.columns.id, label=data.columns.label)
    ids = rows["id"].to_numpy(dtype=object)
    quality = rows["label_quality"].to_numpy()
    lines = rows["row"].to_numpy()
    return [
        {
            "rank": rank,
            "kind": issue.kind,
            "row": None if issue.row is None else int(lines[issue.row]),
            "id": None if issue.row is None else ids[issue.row],
            "given_label": issue.given_label,
            "suggested_label": issue.suggested_label,
            "score": round(issue.severity, 6),
            "group": issue.group,
            "cluster": cluster_of.get(issue.row) if is_correction(issue) else None,
            "key": keys.get(issue.row),
            "label_quality": None if issue.row is None else _number(quality[issue.row]),
            "detail": issue.message,
            "content": previews.get(issue.row),
            "evidence": issue.details,
        }
        for rank, issue in enumerate(issues, start=1)
    ]


def _named_columns(issues: list[Issue]) -> dict[int, list[str]]:
    """Per row, the columns its findings tell of (``Issue.columns``), each once, worst
    finding first."""
    named: dict[int, dict[str, None]] = {}
    for issue in issues:
        if issue.row is not None and issue.columns:
            named.setdefault(issue.row, {}).update(dict.fromkeys(issue.columns))
    return {row: list(columns) for row, columns in named.items()}


def _number(value: float) -> float | None:
    """A float for JSON; None for NaN (unlabelled rows have no quality)."""
    return None if value != value else float(value)


def row_previews(
    frame: pd.DataFrame,
    rows: Sequence[int],
    features: FeatureSet,
    limit: int = PREVIEW_CHARS,
    named: Mapping[int, Sequence[str]] | None = None,
) -> dict[int, str]:
    """A short, one-line view of each row's content for reports: its text, else its columns,
    led by the distinct columns ``named`` for the row (``Issue.columns``: the value its
    evidence tells of is in view, not cut off behind six others). Each distinct content is
    put on one line once: resampled data repeats every row ~18 times."""
    used = [use.column for use in features.columns if use.used_as != "left out"]
    shown = features.text_columns or used[:6]
    named = {
        row: [c for c in columns if c in frame.columns] for row, columns in (named or {}).items()
    }
    wanted = list(dict.fromkeys([*shown, *(c for columns in named.values() for c in columns)]))
    rows = sorted(set(rows))
    part = frame.iloc[rows]  # one selection, then column by column: 74k rows in a second
    cells = {column: part[column].astype(object).to_numpy() for column in wanted}
    previews, made = {}, {}
    texts = set(features.text_columns)
    for position, row in enumerate(rows):
        first = [c for c in named.get(row, []) if c not in texts]
        columns = [*first, *(c for c in shown if c not in first)]  # texts in their order
        values = [(c, cells[c][position]) for c in columns]
        if texts:
            text = " | ".join(str(v) if c in texts else f"{c}={v}" for c, v in values)
        else:
            text = ", ".join(f"{c}={v}" for c, v in values)
        if text not in made:
            made[text] = one_line(text, limit)
        previews[row] = made[text]
    return previews


def _row_table(context: Context, ids: list[str | None], issues: list[Issue]) -> pd.DataFrame:
    return row_table(context.labels, context.labelled, context.label_quality, ids, issues)


def row_table(
    labels: list[str | None],
    labelled: np.ndarray,
    label_quality: np.ndarray,
    ids: list[str | None],
    issues: list[Issue],
) -> pd.DataFrame:
    """One line per data row: the content of ``corrected_labels.csv``.

    ``is_label_issue`` marks every row some finding proposes to relabel (a misannotation, a
    spelling variant, the minority of a conflicting duplicate group, ...).
    """
    n_rows = len(labels)
    quality = np.full(n_rows, np.nan)
    quality[labelled] = np.round(label_quality, 6)
    suggested = list(labels)
    flagged = np.zeros(n_rows, dtype=bool)
    for issue in issues:  # worst first: a row's worst correction wins
        if is_correction(issue) and not flagged[issue.row]:
            suggested[issue.row] = issue.suggested_label
            flagged[issue.row] = True
    table = pd.DataFrame(
        {
            "row": np.arange(n_rows),
            "id": ids,
            "given_label": labels,
            "suggested_label": suggested,
            "label_quality": quality,
            "is_label_issue": flagged,
        }
    )
    return table[ROW_COLUMNS]


def _quality_histogram(context: Context, rows: pd.DataFrame) -> dict[str, list]:
    return quality_histogram(
        context.label_quality, rows["is_label_issue"].to_numpy()[context.labelled]
    )


def quality_histogram(quality: np.ndarray, flagged: np.ndarray) -> dict[str, list]:
    """Label quality of the labelled rows in 20 bins, all and flagged: the report's plot."""
    edges = np.linspace(0.0, 1.0, QUALITY_BINS + 1)
    every, _ = np.histogram(quality, bins=edges)
    marked, _ = np.histogram(quality[flagged], bins=edges)
    return {
        "edges": [round(float(e), 6) for e in edges],
        "rows": every.tolist(),
        "flagged": marked.tolist(),
    }


def _with_consensus(rows: pd.DataFrame, context: Context) -> pd.DataFrame:
    """``corrected_labels.csv`` with each row's consensus label, its quality, the number of
    annotations and how far the annotators agree on it (CROWDLAB's annotator agreement)."""
    analysis = context.annotators
    labels: list[str | None] = [None] * len(rows)
    quality = np.full(len(rows), np.nan)
    agreement = np.full(len(rows), np.nan)
    for position, row in enumerate(context.labelled):
        if analysis.consensus[position] >= 0:
            labels[row] = context.classes[analysis.consensus[position]]
            quality[row] = round(float(analysis.consensus_quality[position]), 6)
            agreement[row] = round(float(analysis.agreement_per_item[position]), 6)
    return rows.assign(
        consensus_label=labels,
        consensus_quality=quality,
        annotations=analysis.annotation_counts,
        annotator_agreement=agreement,
    )


def _with_rows(pairs: list[dict[str, Any]], lines: np.ndarray) -> list[dict[str, Any]]:
    """Disputed class pairs with their example items named by row in the file."""
    return [{**pair, "examples": [int(lines[item]) for item in pair["examples"]]} for pair in pairs]


def reported_kinds(context: Context, own: dict[str, str] | None = None) -> dict[str, str]:
    """The kinds a report has a section for, with their descriptions: ``own`` (a task's own
    kinds), then every detector that reads data like ``context``'s."""
    own = own or {}
    looking = {
        name: detector.description
        for name, detector in all_detectors().items()
        if detector.looks_at(context) and name not in own
    }
    return {**own, **looking}


def _fewer_folds(asked: int, made: int) -> list[str]:
    """A note when the folds asked for could not all be made: stratified folds need a row of
    some class in each, so there are at most as many as the largest class has rows."""
    if made >= asked or made == 0:  # 0: no model was fitted (answers alone)
        return []
    return [
        f"{asked} folds were asked for; {made} were made, as many as the rows to stratify allow"
    ]


def _weak_models_note(context: Context) -> str:
    """Why fewer rows are flagged where the noise-aware step was skipped; where the models
    barely predict the labels at all, that label health then measures nothing of the rows
    (300 classes of 2 rows: 94.7% health at 0.3% out-of-fold accuracy)."""
    if explained_share(context.probabilities, context.targets) < MIN_EXPLAINED:
        accuracy = float(np.mean(context.probabilities.argmax(axis=1) == context.targets))
        return (
            f"the models barely predict the labels (out-of-fold accuracy {accuracy:.1%}): label "
            "health is then the noise estimate's guess, not a measure of these rows, and a row "
            "is flagged only where the models alone are sure"
        )
    return (
        "the models' misses look like their own, not the labels' (a noise model predicted "
        "held-out labels worse): a row is flagged only where the models alone are sure, so "
        "fewer rows are flagged"
    )


MAX_CLASS_NOTES = 3


def _few_rows_notes(context: Context) -> list[str]:
    """A note per class with fewer rows than folds, or one for them all past three (60 classes
    of one row, from a junk column, were 60 notes)."""
    counts = context.class_counts()
    few = [(name, rows) for name, rows in zip(context.classes, counts, strict=True)]
    few = [(name, rows) for name, rows in few if rows < context.folds]
    if len(few) > MAX_CLASS_NOTES:
        return [
            f"{len(few)} classes have fewer rows than the {context.folds} folds "
            f"({listed([name for name, _ in few], MAX_CLASS_NOTES)}): their rows are scored "
            "but not flagged"
        ]
    return [
        f"class {name!r} has {count(rows, 'row')}, fewer than the {context.folds} folds: "
        "its rows are scored but not flagged"
        for name, rows in few
    ]


def _notes(context: Context, data: Prepared, options: dict[str, Any]) -> list[str]:
    """Things the user should know about how the scan went."""
    notes = _few_rows_notes(context)
    if not context.noise_aware:
        notes.append(_weak_models_note(context))
    unlabelled = len(context.labels) - len(context.labelled)
    if unlabelled:
        notes.append(f"{count(unlabelled, 'row')} without a label: not scored")
    if options.get("text_model") and not data.features.text_columns:
        notes.append("--text-model was not used: the data has no text column")
    if data.settled:
        notes.append(
            f"not flagged again: {count(len(data.settled), 'row')} rejected in "
            "databugs-decisions.csv"
        )
    return notes
