"""The decisions ledger: every accepted or rejected correction, kept beside the data.

``databugs fix`` appends to it; a later scan reads it so that a row a reviewer rejected is not
flagged again while its label is unchanged.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from databugs.data.write import write_bytes_atomically

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
    ledger = ledger.reindex(columns=LEDGER_COLUMNS, fill_value="")  # older ledgers: no file
    ledger["row"] = pd.to_numeric(ledger["row"], errors="coerce").astype("Int64")
    return ledger


def append_decisions(path: Path, decisions: pd.DataFrame) -> None:
    """Add decisions to the ledger; the whole file is replaced atomically."""
    combined = pd.concat([read_ledger(path), decisions[LEDGER_COLUMNS]], ignore_index=True)
    buffer = io.StringIO()
    combined[LEDGER_COLUMNS].to_csv(buffer, index=False, lineterminator="\n")
    write_bytes_atomically(path, buffer.getvalue().encode("utf-8"))


def decision_line(
    issue: Mapping[str, Any], decision: str, data_name: str, new_label: str | None = None
) -> dict[str, Any]:
    """One ledger line about an issue of ``report.json``. The new label defaults to the
    suggestion when accepted and to the given label otherwise."""
    if new_label is None:
        new_label = issue["suggested_label"] if decision == "accepted" else issue["given_label"]
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "file": data_name,
        "decision": decision,
        "row": issue["row"],
        "id": issue["id"] or "",
        "old_label": issue["given_label"],
        "new_label": new_label,
    }


def decisions_about(data: Path, ids: Sequence[str | None]) -> pd.DataFrame:
    """The last decision about each row of this data file, an ``undone`` one cancelling it.

    Only decisions about this file count (several datasets may share a folder). Decisions are
    matched to the data's rows by id where both have one, else by row number, so inserted or
    deleted rows do not move a decision onto another row; ``row`` is the row in the data now.
    """
    ledger = read_ledger(ledger_path(data))
    ledger = ledger[ledger["file"].isin([data.name, ""])]
    row_of_id = {key: row for row, key in enumerate(ids) if key is not None}
    current = [
        row_of_id.get(entry.id) if entry.id else entry.row
        for entry in ledger.itertuples(index=False)
    ]
    ledger = ledger.assign(row=pd.array(current, dtype="Int64"))
    ledger = ledger[ledger["row"].notna() & (ledger["row"] >= 0) & (ledger["row"] < len(ids))]
    latest = ledger.drop_duplicates(subset="row", keep="last")
    return latest[latest["decision"] != "undone"].sort_values("row", kind="stable")


def settled_rows(latest: pd.DataFrame, labels: Sequence[str | None]) -> frozenset[int]:
    """Rows whose latest decision (see :func:`decisions_about`) is a rejection made while the
    label was what it is now."""
    return frozenset(
        int(entry.row)
        for entry in latest.itertuples(index=False)
        if entry.decision == "rejected" and labels[int(entry.row)] == entry.old_label
    )
