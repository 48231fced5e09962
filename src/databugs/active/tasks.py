"""``databugs next``: the rows to label next, as a table (``to_label.csv``) or as Label Studio
tasks; with ``relabel``, the labelled rows a scan finds most likely wrong."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from databugs.active.selection import Selection, select_rows
from databugs.data.io import LoadedTable
from databugs.data.keys import row_ids
from databugs.data.table import Columns, open_table
from databugs.data.validate import check_at_least, label_texts
from databugs.pipeline.options import recorded_options
from databugs.pipeline.scan import scan_table


def to_label_table(
    frame: pd.DataFrame, selection: Selection, ids: list[str | None], content_columns: list[str]
) -> pd.DataFrame:
    """``to_label.csv``: row, id, reason, predicted_label, confidence, given_label (empty: these
    rows have no label), then the row's content."""
    table = pd.DataFrame(
        {
            "row": selection.rows,
            "id": [ids[row] for row in selection.rows],
            "reason": selection.reasons,
            "predicted_label": selection.predicted,
            "confidence": selection.confidence,
            "given_label": None,
        }
    )
    content = frame.iloc[selection.rows][content_columns].reset_index(drop=True)
    return pd.concat([table, content], axis=1)


def next_rows(
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    budget: int,
    strategy: str = "auto",
    relabel: int = 0,
    label: str | None = None,
    id: str | None = None,
    text: Sequence[str] = (),
    ignore: Sequence[str] = (),
    model: str = "auto",
    seed: int = 0,
) -> pd.DataFrame:
    """The rows to label next (and, with ``relabel``, labelled rows to label again).

    Returns the ``to_label.csv`` table: ``row,id,reason,predicted_label,confidence,given_label``
    and the row's content columns; ``attrs["classes"]`` holds the data's classes.
    """
    check_at_least("relabel", relabel, 0)
    table, columns, features = open_table(data, label=label, id=id, text=text, ignore=ignore)
    frame = table.frame
    labels = label_texts(frame[columns.label])
    selection = select_rows(
        features, labels, budget=budget, strategy=strategy, model=model, seed=seed
    )
    ids = row_ids(frame, columns.id)
    content = [use.column for use in features.columns if use.used_as != "left out"]
    rows = to_label_table(frame, selection, ids, content)
    if relabel > 0 and len({label for label in labels if label is not None}) >= 2:
        again = _relabel_rows(table, relabel, ids, content, columns, model, seed)
        rows = pd.concat([rows, again], ignore_index=True)
    rows.attrs["classes"] = sorted({label for label in labels if label is not None})
    return rows


def _relabel_rows(
    table: LoadedTable,
    count: int,
    ids: list[str | None],
    content: list[str],
    columns: Columns,
    model: str,
    seed: int,
) -> pd.DataFrame:
    """The labelled rows most likely to be wrong, for a second annotator."""
    options = recorded_options(
        {
            "label": columns.label,
            "id": columns.id,
            "text": columns.text,
            "ignore": columns.ignore,
            "model": model,
            "seed": seed,
        }
    )
    report = scan_table(table, options, detectors=["label_issue"])
    rows = (
        report.rows.dropna(subset=["label_quality"])
        .sort_values("label_quality", kind="stable")
        .head(count)
    )
    frame = table.frame
    chosen = pd.DataFrame(
        {
            "row": rows["row"].to_numpy(),
            "id": [ids[row] for row in rows["row"]],
            "reason": "relabel: likely wrong label",
            "predicted_label": rows["suggested_label"].to_numpy(),
            "confidence": (1 - rows["label_quality"]).round(6).to_numpy(),
            "given_label": rows["given_label"].to_numpy(),
        }
    )
    return pd.concat([chosen, frame.iloc[rows["row"]][content].reset_index(drop=True)], axis=1)
