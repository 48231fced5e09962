"""The CSV outputs: ``issues.csv`` and ``corrected_labels.csv``, spreadsheet-safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

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
    """Any table as a spreadsheet-safe CSV (formula-like text defused)."""
    rows = frame.astype(object).itertuples(index=False, name=None)
    return csv_text([str(column) for column in frame.columns], rows)


def issues_csv(report: Report) -> str:
    """One line per issue, worst first."""
    records = report.issue_records()
    return csv_text(ISSUE_COLUMNS, ([record[c] for c in ISSUE_COLUMNS] for record in records))


def corrected_labels_csv(report: Report) -> str:
    """One line per data row, in input order."""
    columns = ROW_COLUMNS + [c for c in CONSENSUS_COLUMNS if c in report.rows.columns]
    rows = report.rows[columns].astype(object).itertuples(index=False, name=None)
    return csv_text(columns, rows)
