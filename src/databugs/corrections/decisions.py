"""Decisions made in report.html (``decisions-<reviewer>.csv``): checked against the scan,
recorded in the ledger, the accepted and relabelled rows applied.

A file is taken whole or not at all: a file about other data, a row or id the data does not
have, a label that is not a class (and not marked new on purpose) or a cell edited into
nonsense refuses every file, before anything is appended or written. Where reviewers disagree
about a row, nothing is applied to it unless one of them is preferred; the ledger then ends
that row with an ``undone`` line, so the row stays open for ``databugs review``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from databugs.corrections.plan import FixPlan, scanned_files
from databugs.corrections.relabel import Relabelling
from databugs.data.io import LoadedTable
from databugs.data.keys import row_ids
from databugs.data.ledger import LEDGER_COLUMNS, REVIEW_COLUMNS, read_strictly
from databugs.data.splits import ScannedFiles, scanned_file_names
from databugs.data.tags import scanned_labels
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.text import count

FILE_COLUMNS = [*LEDGER_COLUMNS, *REVIEW_COLUMNS, "data_sha256", "new_class"]
"""A decisions file's columns: the ledger's, the scanned data's sha256, and ``new_class``
(``yes`` where the reviewer gave a label that is not a class yet, on purpose)."""
TAKEN = ("accepted", "rejected", "edited")
RELABELLING = ("accepted", "edited")


@dataclass(frozen=True)
class Scanned:
    """What a decisions file is checked against: the scan's data, classes and rows."""

    source: LoadedTable
    sha256: str
    relabelling: Relabelling
    labels: list[str | None]
    ids: list[str | None]
    placed: ScannedFiles
    file_names: tuple[str, ...]
    """The scanned files' names as report.json gives them (a decisions file names them)."""

    def scanned_row(self, file: str, row: int) -> int | None:
        """The scanned row that is row ``row`` of ``file``, or None: report.html names each
        row by its own file (with a test file, ``test.csv`` row 68, not joined row 968)."""
        if file not in self.file_names:
            return None
        index = self.file_names.index(file)
        found = np.flatnonzero((self.placed.file_index == index) & (self.placed.file_rows == row))
        return int(found[0]) if len(found) else None


@dataclass(frozen=True)
class ReviewedPlan:
    """A fix made of decisions files: the plan, every reviewer, the rows they disagree on."""

    plan: FixPlan
    reviewers: list[str]
    lines: pd.DataFrame
    """Every reviewer's last decision per row, as read (outcome: the label they chose)."""
    conflicts: list[int]


def plan_from_decision_files(
    report: dict[str, Any],
    files: list[str | Path],
    *,
    prefer: str | None = None,
    data: str | Path | None = None,
) -> ReviewedPlan:
    """Check every file against the scan, then decide row by row what is applied."""
    inputs = scanned_files(report, data)
    source = inputs.table
    scanned = Scanned(
        source=source,
        sha256=report["input"]["sha256"],
        relabelling=Relabelling.of_scan(report, source.frame, str(source.path)),
        labels=scanned_labels(source.frame, report["input"]["label"], source=str(source.path)),
        ids=row_ids(source.frame, report["input"].get("id")),
        placed=inputs,
        file_names=scanned_file_names(report["input"]),
    )
    lines = pd.concat([read_decision_file(Path(f), scanned) for f in files], ignore_index=True)
    reviewers = sorted(set(lines["reviewer"]))
    if prefer is not None and prefer not in reviewers:
        raise DatabugsError(
            f"{option('prefer')} {prefer!r}: no decisions file is by that reviewer",
            code=ErrorCode.BAD_OPTION,
            hint=f"reviewers: {', '.join(reviewers)}",
        )
    latest = lines.drop_duplicates(["reviewer", "row"], keep="last")
    latest = latest.assign(outcome=_outcomes(latest))
    ordered, applied, conflicts = _settle_rows(latest, prefer)
    decisions = pd.concat([ordered, _conflict_lines(latest, conflicts)])
    named = decisions.assign(file=[inputs.name_of(int(row)) for row in decisions["row"]])
    plan = FixPlan(
        scanned=inputs,
        label=report["input"]["label"],
        decisions=named[LEDGER_COLUMNS + REVIEW_COLUMNS].reset_index(drop=True),
        notes=_conflict_notes(latest, conflicts),
        applied=applied,
    )
    return ReviewedPlan(plan, reviewers, latest, conflicts)


def _outcomes(lines: pd.DataFrame) -> list[str]:
    """The label each decision leaves: the new one if taken, else the one given."""
    return [
        line.new_label if line.decision in RELABELLING else line.old_label
        for line in lines.itertuples(index=False)
    ]


def _settle_rows(
    latest: pd.DataFrame, prefer: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """Every line, each row's deciding line last; the lines applied; the rows in conflict."""
    ordered, applied, conflicts = [], [], []
    for row, lines in latest.groupby("row", sort=True):
        winner = _winner(lines, prefer)
        if winner is None:
            conflicts.append(int(row))
            ordered.append(lines)
            continue
        ordered.append(pd.concat([lines.drop(index=winner.name), winner.to_frame().T]))
        if winner["decision"] in RELABELLING and winner["new_label"] != winner["old_label"]:
            applied.append(winner)
    columns = [*latest.columns]
    taken = pd.DataFrame(applied, columns=columns) if applied else pd.DataFrame(columns=columns)
    return pd.concat(ordered), taken, conflicts


def _winner(lines: pd.DataFrame, prefer: str | None) -> pd.Series | None:
    """The line that decides a row: the last when reviewers agree, else the preferred one's."""
    if lines["outcome"].nunique() == 1:
        return lines.iloc[-1]
    chosen = lines[lines["reviewer"] == prefer]
    return chosen.iloc[-1] if len(chosen) else None


def _conflict_lines(latest: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    """An ``undone`` line ending each row in conflict: the row stays open for review."""
    time = datetime.now(UTC).isoformat(timespec="seconds")
    lines = []
    for row in rows:
        first = latest[latest["row"] == row].iloc[0]
        lines.append(
            {
                "time": time,
                "file": "",  # the name of the row's file, set with every line's
                "decision": "undone",
                "row": row,
                "id": first["id"],
                "old_label": first["old_label"],
                "new_label": first["old_label"],
                "comment": "reviewers disagree: " + _views(latest, row),
                "reviewer": "",
            }
        )
    return pd.DataFrame(lines, columns=LEDGER_COLUMNS + REVIEW_COLUMNS)


def _views(latest: pd.DataFrame, row: int) -> str:
    lines = latest[latest["row"] == row]
    return "; ".join(f"{line.reviewer} {line.outcome!r}" for line in lines.itertuples())


def _conflict_notes(latest: pd.DataFrame, rows: list[int]) -> tuple[str, ...]:
    if not rows:
        return ()
    shown = [f"row {row} ({_views(latest, row)})" for row in rows[:10]]
    more = " ..." if len(rows) > 10 else ""
    return (
        f"{count(len(rows), 'row')} left as they are, reviewers disagree: "
        f"{', '.join(shown)}{more}; settle them in review or with {option('prefer')} NAME",
    )


def read_decision_file(path: Path, scanned: Scanned) -> pd.DataFrame:
    """One decisions file, every line checked against the scan (see the module's note)."""
    if not path.is_file():
        raise DatabugsError(f"{path}: no such file", code=ErrorCode.MISSING_FILE)
    try:
        lines = read_strictly(path)
    except DatabugsError as error:
        why = error.message.removeprefix(f"{path}, ")
        raise _bad(path, why.replace("not a databugs ledger", "not a decisions file")) from None
    missing = [column for column in FILE_COLUMNS if column not in lines.columns]
    if missing:
        raise _bad(path, f"not a decisions file from report.html: no column {missing[0]!r}")
    if lines.empty:
        raise _bad(path, "holds no decisions")
    checked = [
        _check_line(path, number, line, scanned)
        for number, line in enumerate(lines.to_dict("records"), start=2)
    ]
    rows, labels = zip(*checked, strict=True)
    return lines.assign(row=rows, new_label=labels)[FILE_COLUMNS]


def _check_line(path: Path, number: int, line: dict[str, str], scanned: Scanned) -> tuple[int, str]:
    """The scanned row a line is about and the label it gives it (an edited value written
    as the column writes its values), once the line is checked against the scan."""
    where = f"line {number}"
    if line["data_sha256"] != scanned.sha256:
        raise _bad(path, f"{where}: decisions about other data (its sha256 is not the scan's)")
    if line["decision"] not in TAKEN:
        raise _bad(path, f"{where}: decision {line['decision']!r} is not one of {TAKEN}")
    if not line["reviewer"].strip():
        raise _bad(path, f"{where}: no reviewer named")
    row = scanned.scanned_row(line["file"], int(line["row"]))
    if row is None or (line["id"] or None) != scanned.ids[row]:
        raise DatabugsError(
            f"{path}, {where}: row {line['row']} (id {line['id']!r}) is not a row of "
            f"{line['file'] or 'the scanned data'} in the scan",
            code=ErrorCode.UNKNOWN_ROW,
            hint="the file was made from another report",
        )
    if line["old_label"] != (scanned.labels[row] or ""):
        said = f"{where}: the file says row {line['row']} is labelled {line['old_label']!r}"
        raise _bad(path, f"{said}, the data has {scanned.labels[row]!r}")
    new = line["new_label"]
    if line["new_class"] not in ("", "yes"):
        raise _bad(path, f"{where}: new_class {line['new_class']!r} is neither yes nor empty")
    try:
        label = scanned.relabelling.checked(new, row, new=line["new_class"] == "yes")
    except DatabugsError as error:
        raise _bad(path, f"{where}: {error.message}") from None
    return row, label if line["decision"] in RELABELLING else new


def _bad(path: Path, why: str) -> DatabugsError:
    return DatabugsError(
        f"{path}, {why}",
        code=ErrorCode.BAD_DECISIONS,
        hint="download the decisions again from report.html; nothing was applied",
    )
