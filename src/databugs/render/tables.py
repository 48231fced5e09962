"""The CSV outputs: ``issues.csv`` and ``corrected_labels.csv``, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from databugs.render.escape import spreadsheet_safe
from databugs.report_view import CONSENSUS_COLUMNS, ROW_COLUMNS

if TYPE_CHECKING:
    from databugs.report import Report

ISSUE_COLUMNS = [
    "rank",
    "kind",
    "row",
    "id",
    "given_label",
    "suggested_label",
    "score",
    "group",
    "detail",
]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6f}"
    return spreadsheet_safe(str(value))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def spreadsheet_table(frame: pd.DataFrame) -> str:
    """Any table as a spreadsheet-safe CSV (formula-like text defused), the same cells as
    :func:`csv_text` writes, column by column: a million rows take a second, not ten."""
    cells = pd.DataFrame(
        {str(name): _column_cells(frame[name]) for name in frame.columns}, index=frame.index
    )
    return cells.to_csv(index=False, lineterminator="\n")


def _column_cells(values: pd.Series) -> np.ndarray:
    """:func:`_cell` of every value, each distinct value converted once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    converted = np.array([_cell(value) for value in uniques] + [""], dtype=object)
    return converted[codes]  # code -1 (missing) picks the "" at the end


def issues_csv(report: Report) -> str:
    """One line per issue, worst first."""
    records = report.issue_records()
    return csv_text(ISSUE_COLUMNS, ([record[c] for c in ISSUE_COLUMNS] for record in records))


def corrected_labels_csv(report: Report) -> str:
    """One line per data row, in input order."""
    columns = ROW_COLUMNS + [c for c in CONSENSUS_COLUMNS if c in report.rows.columns]
    return spreadsheet_table(report.rows[columns])
