"""The decisions ledger: every accepted or rejected correction, kept beside the data.

``databugs fix`` and ``databugs review`` append to it; a later scan reads it so that a row a
reviewer rejected is not flagged again while its label is unchanged.

The ledger is a record people keep and edit by hand, so databugs only ever appends to it
(every earlier byte stays), under a lock, and reads it strictly: a line it cannot read is an
error naming the line, never a guess. Cells are defused like every CSV databugs writes (a
leading ``'`` before formula-like text, and before text that starts with ``'``), and restored
when read back.

``fix`` replaces the data and appends its decisions; so that a run killed in between loses
neither, the lines go first to a pending note beside the data (:func:`pending_decisions`). If
the run dies, the next reader sees whether the file was replaced: if so, the lines count (and
the next writer appends them); if not, they are dropped.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from databugs.data.io import file_sha256
from databugs.data.locks import holding
from databugs.data.write import refuse_link, write_bytes_atomically
from databugs.errors import DatabugsError, ErrorCode
from databugs.text import spreadsheet_safe, spreadsheet_value

LEDGER_NAME = "databugs-decisions.csv"
LEDGER_COLUMNS = ["time", "file", "decision", "row", "id", "old_label", "new_label"]
REVIEW_COLUMNS = ["comment", "reviewer"]
"""Columns a ledger gains when the first decision that has them (from a reviewer) comes."""
DECISIONS = ("accepted", "rejected", "edited", "undone")
ROW_NUMBER = re.compile(r"[0-9]+")
"""A row as the ledger writes it: ASCII digits only."""
_REQUIRED = ("decision", "row", "old_label", "new_label")
PENDING_SUFFIX = ".databugs-pending.json"


def ledger_path(data: Path) -> Path:
    """The ledger that belongs to a data file: in the same folder."""
    if data.name == LEDGER_NAME:
        raise DatabugsError(
            f"{data}: {LEDGER_NAME} is the name of the decisions ledger, kept beside the data",
            code=ErrorCode.BAD_OPTION,
            hint="rename the data file",
        )
    return data.parent / LEDGER_NAME


def read_ledger(path: Path) -> pd.DataFrame:
    """All recorded decisions, oldest first; an empty table when there are none yet.

    Includes the lines of a ``fix`` that replaced its file but died before appending them.
    """
    raw = _bytes(path)
    for note in _pending_notes(path.parent):
        if _replaced(note):
            raw = _with_lines(raw, note)
    header, lines = _parse(path, raw)
    frame = pd.DataFrame(lines, columns=header, dtype=object)
    # older ledgers: no file column; ledgers no reviewer added to: no comment, no reviewer
    frame = frame.reindex(columns=LEDGER_COLUMNS + REVIEW_COLUMNS, fill_value="")
    frame["row"] = pd.array([int(row) if row else None for row in frame["row"]], dtype="Int64")
    return frame


def read_strictly(path: Path) -> pd.DataFrame:
    """Any file in the ledger's form (a decisions file from report.html), every column it
    has, read as strictly as the ledger: a line that cannot be read is an error naming it."""
    header, lines = _parse(path, _bytes(path))
    return pd.DataFrame(lines, columns=header, dtype=object)


def _bytes(path: Path) -> bytes:
    """The ledger's bytes (none if there is no ledger yet)."""
    try:
        return path.read_bytes() if path.exists() else b""
    except OSError as error:
        raise DatabugsError(
            f"{path}: cannot read the decisions ledger ({error.strerror or error})",
            code=ErrorCode.UNREADABLE_FILE,
        ) from None


def _parse(path: Path, raw: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and every line, each as many cells as the header; checked, restored."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _bad_line(path, raw[: error.start].count(b"\n") + 1, "not UTF-8") from None
    records = ((n, cells) for n, cells in _records(path, text) if "".join(cells).strip())
    header = next(records, (1, LEDGER_COLUMNS))[1]  # an empty ledger: no decisions yet
    _check_header(path, header)
    lines = []
    for number, cells in records:
        if len(cells) > len(header):
            why = f"{len(cells)} fields, the header has {len(header)}"
            raise _bad_line(path, number, why)
        line = [spreadsheet_value(cell) for cell in cells] + [""] * (len(header) - len(cells))
        _check_line(path, number, dict(zip(header, line, strict=True)))
        lines.append(line)
    return header, lines


def _records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the number of the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            why = "a quote is never closed" if "end of data" in str(error) else str(error)
            raise _bad_line(path, start, why) from None
        yield start, cells
        start = reader.line_num + 1


def _check_header(path: Path, header: list[str]) -> None:
    missing = [column for column in _REQUIRED if column not in header]
    if missing:
        raise _bad_line(path, 1, f"not a databugs ledger: no column {missing[0]!r}")
    if len(set(header)) < len(header):
        raise _bad_line(path, 1, "a column is named twice")


def _check_line(path: Path, number: int, line: Mapping[str, str]) -> None:
    if line["decision"] not in DECISIONS:
        why = f"decision {line['decision']!r} is not one of {', '.join(DECISIONS)}"
        raise _bad_line(path, number, why)
    if not ROW_NUMBER.fullmatch(line["row"]):  # isdigit() passes "³", which int() refuses
        raise _bad_line(path, number, f"row {line['row']!r} is not a row number")


def _bad_line(path: Path, number: int, why: str) -> DatabugsError:
    return DatabugsError(
        f"{path}, line {number}: {why}",
        code=ErrorCode.BAD_LEDGER,
        hint="correct or delete that line; databugs only appends to this file",
    )


def append_decisions(path: Path, decisions: pd.DataFrame) -> None:
    """Add decisions to the end of the ledger, every earlier byte kept."""
    columns = _columns(decisions)
    with holding(path):
        _extend(path, _ready(path, columns) + _lines(path, decisions, columns))


def _columns(decisions: pd.DataFrame) -> list[str]:
    """The ledger's columns these decisions need: the review ones only if they have them."""
    return LEDGER_COLUMNS + [column for column in REVIEW_COLUMNS if column in decisions.columns]


@contextmanager
def pending_decisions(
    path: Path, decisions: pd.DataFrame, target: Path, target_sha256: str | None
) -> Iterator[None]:
    """Record ``decisions`` around the block that replaces ``target`` (whose sha256 is
    ``target_sha256`` before, None if absent): first in a pending note beside the ledger, then,
    when the block is done, in the ledger. A run that dies in the block leaves the note; the
    next run appends its lines if ``target`` was replaced and drops them if not."""
    columns = _columns(decisions)
    with holding(path):
        chunk = _ready(path, columns) + _lines(path, decisions, columns)
        size = path.stat().st_size if path.exists() else 0
        note = {"target": str(target.resolve()), "target_sha256": target_sha256}
        note |= {"ledger_size": size, "lines": chunk.decode("utf-8")}
        note_path = path.parent / f".{target.name}{PENDING_SUFFIX}"
        write_bytes_atomically(note_path, json.dumps(note).encode("utf-8"))
        try:
            yield
        finally:
            _settle(path, note_path)


def settle_pending(path: Path) -> None:
    """Append the lines a killed ``fix`` left pending if it replaced its file, else drop them.

    Call it holding the ledger's lock: a pending note then is a dead run's."""
    for note_path in sorted(path.parent.glob(f".*{PENDING_SUFFIX}")):
        _settle(path, note_path)


def _ready(path: Path, columns: list[str]) -> bytes:
    """Settle pending notes, check the ledger, give it every one of ``columns``: what must go
    before new lines (a newline if the last line has none)."""
    settle_pending(path)
    raw = _bytes(path)
    header, _ = _parse(path, raw)
    missing = [column for column in columns if column not in header]
    if raw.strip() and missing:  # an older ledger: the header line alone is rewritten
        end = raw.index(b"\n") + 1 if b"\n" in raw else len(raw)
        write_bytes_atomically(path, _row([*header, *missing]) + raw[end:])
        raw = path.read_bytes()
    return b"\n" if raw and not raw.endswith(b"\n") else b""


def _lines(path: Path, decisions: pd.DataFrame, columns: list[str]) -> bytes:
    """The decisions as ledger lines, in the ledger's own column order (header first, of
    ``columns``, if the ledger is new or empty)."""
    raw = _bytes(path)
    header = _parse(path, raw)[0] if raw.strip() else columns
    head = b"" if raw.strip() else _row(columns)
    body = b"".join(
        _row(["" if pd.isna(line.get(c, "")) else str(line.get(c, "")) for c in header])
        for line in decisions.to_dict("records")
    )
    return head + body


def _row(cells: Sequence[str]) -> bytes:
    """One ledger line; quoted throughout where a cell holds a carriage return, which the csv
    module would leave bare with ``\\n`` lines (and a reader then splits the line there)."""
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if any("\r" in cell for cell in cells) else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, lineterminator="\n", quoting=quoting)
    writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8")


def _extend(path: Path, chunk: bytes, keep: int | None = None) -> None:
    """Append ``chunk`` (after cutting the file to ``keep`` bytes: a torn append of ours)."""
    refuse_link(path)  # a ledger planted as a link would aim the append at any file
    with open(path, "ab") as handle:
        if keep is not None:
            handle.truncate(keep)
        handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())


def _pending_notes(folder: Path) -> list[dict[str, Any]]:
    return [_note(path) for path in sorted(folder.glob(f".*{PENDING_SUFFIX}"))]


def _note(path: Path) -> dict[str, Any]:
    """A pending note, checked to be one a ``fix`` of this folder's file wrote: anything else
    (planted, mangled) is refused, never appended to the ledger."""
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        note = None
    fields = {"target": str, "ledger_size": int, "lines": str}
    if not (
        isinstance(note, dict)
        and all(isinstance(note.get(name), kind) for name, kind in fields.items())
        and isinstance(note.get("target_sha256"), str | None)
        and path.name == f".{Path(note['target']).name}{PENDING_SUFFIX}"
    ):
        raise _not_a_note(path, "not a note databugs wrote")
    return note


def _not_a_note(path: Path, why: str) -> DatabugsError:
    return DatabugsError(
        f"{path}: {why}", code=ErrorCode.BAD_LEDGER, hint="delete it if no fix is running"
    )


def _replaced(note: Mapping[str, Any]) -> bool:
    """Whether the file a pending note is about was replaced (its bytes changed)."""
    target = Path(note["target"])
    return (file_sha256(target) if target.is_file() else None) != note["target_sha256"]


def _with_lines(raw: bytes, note: Mapping[str, Any]) -> bytes:
    """The ledger's bytes with a pending note's lines at the end, once."""
    size, chunk = note["ledger_size"], note["lines"].encode("utf-8")
    tail = raw[size:]
    if tail.startswith(chunk):
        return raw  # appended already
    if chunk.startswith(tail):
        return raw[:size] + chunk  # the append was cut short
    return raw + chunk


def _settle(path: Path, note_path: Path) -> None:
    """Append a pending note's lines if its file was replaced; then remove the note."""
    note = _note(note_path)
    if _replaced(note):
        raw = _bytes(path)
        wanted = _with_lines(raw, note)
        try:
            _parse(path, wanted)
        except DatabugsError:
            raise _not_a_note(note_path, "its lines are no decisions for this ledger") from None
        keep = len(raw) if wanted.startswith(raw) else note["ledger_size"]
        if wanted != raw:
            _extend(path, wanted[keep:], keep)
    note_path.unlink()


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


def decisions_about_scan(
    files: Sequence[Path | None],
    file_index: np.ndarray,
    file_rows: np.ndarray,
    ids: Sequence[str | None],
) -> pd.DataFrame:
    """:func:`decisions_about` for a scan of one file or of several joined (a training and a
    test file): each file's decisions, from the ledger beside it and about its own rows, with
    ``row`` the scanned row. ``file_index`` and ``file_rows`` say which file (None: not a file)
    and which row of it each scanned row is."""
    parts = [pd.DataFrame(columns=LEDGER_COLUMNS + REVIEW_COLUMNS)]
    for index, path in enumerate(files):
        if path is None:
            continue
        rows = np.flatnonzero(file_index == index)[np.argsort(file_rows[file_index == index])]
        latest = decisions_about(path, [ids[row] for row in rows])
        parts.append(latest.assign(row=pd.array(rows[latest["row"].astype(int)], dtype="Int64")))
    found = pd.concat([part for part in parts if len(part)] or parts[:1], ignore_index=True)
    return found.sort_values("row", kind="stable")


def settled_rows(latest: pd.DataFrame, labels: Sequence[str | None]) -> frozenset[int]:
    """Rows whose latest decision (see :func:`decisions_about`) is a rejection made while the
    label was what it is now."""
    return frozenset(
        int(entry.row)
        for entry in latest.itertuples(index=False)
        if entry.decision == "rejected" and labels[int(entry.row)] == entry.old_label
    )
