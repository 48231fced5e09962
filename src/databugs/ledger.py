"""The decisions ledger: every accepted or rejected correction, kept beside the data.

``databugs fix`` appends to it; a later scan reads it so that a row a reviewer rejected is not
flagged again while its label is unchanged.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from databugs.io import write_bytes_atomically

LEDGER_NAME = "databugs-decisions.csv"
LEDGER_COLUMNS = ["time", "file", "decision", "row", "id", "old_label", "new_label"]


def ledger_path(data_path: Path) -> Path:
    """The ledger that belongs to a data file: in the same folder."""
    return data_path.parent / LEDGER_NAME


def read_ledger(path: Path) -> pd.DataFrame:
    """All recorded decisions, oldest first; an empty table when there are none yet."""
    if not path.exists():
        return pd.DataFrame({column: pd.Series(dtype=object) for column in LEDGER_COLUMNS})
    ledger = pd.read_csv(path, dtype=str, keep_default_na=False)
    ledger["row"] = pd.to_numeric(ledger["row"], errors="coerce").astype("Int64")
    return ledger


def append_decisions(path: Path, decisions: pd.DataFrame) -> None:
    """Add decisions to the ledger; the whole file is replaced atomically."""
    combined = pd.concat([read_ledger(path), decisions[LEDGER_COLUMNS]], ignore_index=True)
    combined["file"] = combined["file"].fillna("")
    buffer = io.StringIO()
    combined[LEDGER_COLUMNS].to_csv(buffer, index=False, lineterminator="\n")
    write_bytes_atomically(path, buffer.getvalue().encode("utf-8"))


def latest_decisions(ledger: pd.DataFrame, data_name: str) -> pd.DataFrame:
    """The last decision about each row of this data file (an ``undone`` one cancels)."""
    if "file" in ledger.columns:
        ledger = ledger[ledger["file"].fillna("").isin([data_name, ""])]
    latest = ledger.dropna(subset=["row"]).drop_duplicates(subset="row", keep="last")
    return latest[latest["decision"] != "undone"].sort_values("row", kind="stable")


def settled_rows(
    ledger: pd.DataFrame,
    labels: Sequence[str | None],
    ids: Sequence[str | None],
    *,
    data_name: str,
) -> frozenset[int]:
    """Rows whose latest decision is a rejection made while the label was what it is now.

    Only decisions about this data file count (several datasets may share a folder); they are
    matched by id where both the ledger and the data have one, else by row.
    """
    if "file" in ledger.columns:
        ledger = ledger[ledger["file"].fillna("").isin([data_name, ""])]
    if ledger.empty:
        return frozenset()
    row_of_id = {key: row for row, key in enumerate(ids) if key is not None}
    latest: dict[int, tuple[str, str]] = {}
    for entry in ledger.itertuples(index=False):
        row = row_of_id.get(entry.id) if entry.id else entry.row
        if row is None or pd.isna(row) or not 0 <= int(row) < len(labels):
            continue
        latest[int(row)] = (entry.decision, entry.old_label)
    return frozenset(
        row
        for row, (decision, old_label) in latest.items()
        if decision == "rejected" and labels[row] == old_label
    )
