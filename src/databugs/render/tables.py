"""The CSV outputs: ``issues.csv`` and ``corrected_labels.csv``, spreadsheet-safe."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from databugs.data.distinct import map_distinct
from databugs.report.schema import CONSENSUS_COLUMNS, ISSUE_CSV_COLUMNS, ROW_COLUMNS, SPLIT_FIELDS
from databugs.text import spreadsheet_safe

if TYPE_CHECKING:
    from databugs.report.report import Report

NEEDS_QUOTES = re.compile(r'[,"\n\r]')


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6f}"
    return spreadsheet_safe(str(value))


def _field(text: str) -> str:
    """A CSV field as the csv module writes it (quoted only when it must be)."""
    if NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Rows of Python values as a spreadsheet-safe CSV (see :func:`spreadsheet_table`)."""
    return spreadsheet_table(pd.DataFrame(list(rows), columns=list(header), dtype=object))


def spreadsheet_table(frame: pd.DataFrame) -> str:
    """Any table as a spreadsheet-safe CSV: formula-like text defused, floats to 6 decimals,
    empty cells for missing values. Built column by column and joined once, because pandas'
    and the csv module's writers take seconds on a million rows."""
    header = ",".join(_field(spreadsheet_safe(str(name))) for name in frame.columns)
    if frame.empty:
        return header + "\n"
    columns = [_column_fields(frame[name]) for name in frame.columns]
    return "\n".join([header, *map(",".join, zip(*columns, strict=True))]) + "\n"


def _column_fields(values: pd.Series) -> list[str]:
    """The CSV field of every value: numbers formatted in bulk, anything else once per
    distinct value."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":  # not Float64: NA
        return ["" if number != number else f"{number:.6f}" for number in values.tolist()]
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":  # not Int64: NA
        return list(map(str, values.tolist()))
    return map_distinct(values, lambda value: _field(_cell(value)), "")


def issues_csv(report: Report) -> str:
    """One line per issue, worst first."""
    records = report.issue_records()
    split = [c for c in SPLIT_FIELDS if records and c in records[0]]
    columns = [*ISSUE_CSV_COLUMNS[:3], *split, *ISSUE_CSV_COLUMNS[3:]]
    return csv_text(columns, ([record[c] for c in columns] for record in records))


def corrected_labels_csv(report: Report) -> str:
    """One line per data row, in input order."""
    extra = [*CONSENSUS_COLUMNS, *SPLIT_FIELDS]
    columns = ROW_COLUMNS + [c for c in extra if c in report.rows.columns]
    return spreadsheet_table(report.rows[columns])
