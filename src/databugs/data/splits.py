"""Train/valid/test splits: a second file (``--test``) or a column naming each row's split
(``--split-col``), turned into one table and each row's split.

The scan sees one table (the test file's rows after the training file's), so that every
detector reads the same arrays; :class:`Splits` remembers which file and which row of it each
scanned row came from, so that reports and ``fix`` can name and write them back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from databugs.data.guard import same_file
from databugs.data.io import LoadedTable, PartReader, read_table
from databugs.data.validate import check_columns_exist, label_texts
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.text import listed

SPLIT_NAMES = ("train", "valid", "test")
"""The splits a split column may name (compared without case and surrounding space; ``val``,
``validation`` and ``dev`` name ``valid``)."""
TRAIN = "train"
SYNONYMS = {"val": "valid", "validation": "valid", "dev": "valid"}
"""Other names of the validation split that split columns use."""


@dataclass(frozen=True)
class Splits:
    """Each scanned row's split (``names``), the file it is in (``files[file_index]``) and its
    row in that file (``file_rows``)."""

    names: np.ndarray
    files: tuple[str, ...]
    file_index: np.ndarray
    file_rows: np.ndarray
    digests: tuple[str, ...] = ()
    """Each file's sha256 (``--test``; empty for a DataFrame): what ``fix`` checks each against."""

    def present(self) -> list[str]:
        """The splits that have rows, in the order train, valid, test."""
        found = set(self.names.tolist())
        return [name for name in SPLIT_NAMES if name in found]

    def rows_of(self, name: str) -> np.ndarray:
        """The scanned rows in split ``name``."""
        return np.flatnonzero(self.names == name)

    def where(self, row: int) -> dict[str, object]:
        """The split, file and file row of scanned row ``row``, for an issue's evidence."""
        file, file_row = self.file_row(row)
        return {"split": str(self.names[row]), "file": file, "file_row": file_row}

    def row_name(self, row: int) -> str:
        """How a person finds scanned row ``row``: ``test:137`` (split and row in its file)
        when the splits are two files, else the row itself (one file's row numbers)."""
        if len(self.files) < 2:
            return str(row)
        return f"{self.names[row]}:{int(self.file_rows[row])}"

    def file_row(self, row: int) -> tuple[str, int]:
        """The file scanned row ``row`` is in and its row there."""
        return self.files[self.file_index[row]], int(self.file_rows[row])


def column_splits(frame: pd.DataFrame, column: str, *, source: str) -> Splits:
    """The splits named by ``column``; any other value is refused, naming it."""
    check_columns_exist(frame, [column], named_by="split_col", source=source)
    folded = (
        "" if text is None else text.strip().casefold() for text in label_texts(frame[column])
    )
    values = [SYNONYMS.get(value, value) for value in folded]
    unknown = sorted(set(values) - set(SPLIT_NAMES))
    if unknown:
        shown = ", ".join(repr(value) if value else "an empty cell" for value in unknown[:5])
        raise DatabugsError(
            f"{source}: column {column!r} (given with {option('split_col')}) holds {shown}, "
            "not a split",
            code=ErrorCode.BAD_COLUMN,
            hint=f"each row's split must be one of {', '.join(SPLIT_NAMES)} (or val, dev)",
        )
    rows = len(frame)
    return Splits(
        names=np.array(values, dtype=object),
        files=(source,),
        file_index=np.zeros(rows, dtype=int),
        file_rows=np.arange(rows),
    )


def joined_tables(train: LoadedTable, test: LoadedTable) -> tuple[LoadedTable, Splits]:
    """The test file's rows after the training file's, as one table, and each row's split.

    Both files must have the same columns (in any order); the joined table's digest covers
    both files, so that a changed test file is a changed scan.
    """
    sides = [
        f"{listed(sorted(map(str, only)))} only in {table.path}"
        for table, only in (
            (train, set(train.frame.columns) - set(test.frame.columns)),
            (test, set(test.frame.columns) - set(train.frame.columns)),
        )
        if only
    ]
    if sides:
        raise DatabugsError(
            f"{train.path} and {test.path} (given with {option('test')}) do not have the same "
            f"columns: {'; '.join(sides)}",
            code=ErrorCode.BAD_COLUMN,
            hint="the training and the test file need the same columns",
        )
    frame = pd.concat([train.frame, test.frame[list(train.frame.columns)]], ignore_index=True)
    digest = hashlib.sha256(f"{train.sha256}:{test.sha256}".encode()).hexdigest()
    nested = tuple(dict.fromkeys(train.nested + test.nested))
    fields = tuple(dict.fromkeys(train.fields + test.fields))
    joined = LoadedTable(frame, train.path, train.format, digest, train.delimiter, nested, fields)
    sizes = (len(train.frame), len(test.frame))
    splits = Splits(
        names=np.array([TRAIN] * sizes[0] + ["test"] * sizes[1], dtype=object),
        files=(str(train.path), str(test.path)),
        file_index=np.repeat([0, 1], sizes),
        file_rows=np.concatenate([np.arange(sizes[0]), np.arange(sizes[1])]),
        digests=(train.sha256, test.sha256),
    )
    return joined, splits


def scanned_splits(
    frame: pd.DataFrame, split_col: str | None, joined: Splits | None, *, source: str
) -> Splits | None:
    """The splits of a scan: from ``--test`` (``joined``) or the split column, not both."""
    if split_col is not None and joined is not None:
        raise DatabugsError(
            f"{option('test')} and {option('split_col')} were both given",
            code=ErrorCode.BAD_OPTION,
            hint="give the test rows as a file or name them in a column, not both",
        )
    return joined if split_col is None else column_splits(frame, split_col, source=source)


def check_training_rows(splits: Splits | None, labelled: np.ndarray, *, source: str) -> None:
    """The models of a split scan learn from the labelled training rows: there must be some."""
    if splits is not None and not np.any(splits.names[labelled] == TRAIN):
        raise DatabugsError(
            f"{source}: no labelled row is in the training split",
            code=ErrorCode.BAD_COLUMN,
            hint="the test rows are scored by models trained on the training rows",
        )


def load_test(
    train: LoadedTable, test: pd.DataFrame | str | Path | None, parts: PartReader | None = None
) -> tuple[LoadedTable, Splits | None]:
    """``train`` joined with the ``test`` table (a file or a DataFrame), when one is given."""
    if test is None:
        return train, None
    if isinstance(test, pd.DataFrame):
        loaded = LoadedTable(
            frame=test, path=Path("<test dataframe>"), format="dataframe", sha256=""
        )
    else:
        if train.path.is_file() and same_file(Path(test), train.path):
            raise DatabugsError(
                f"{test}: {option('test')} names the data itself",
                code=ErrorCode.BAD_OPTION,
                hint="give the held-out rows' own file",
            )
        loaded = read_table(test, parts)
    return joined_tables(train, loaded)


def split_input(splits: Splits | None) -> dict[str, object]:
    """What report.json's ``input`` says of the splits: rows per split and the files."""
    if splits is None:
        return {}
    counts = {name: len(splits.rows_of(name)) for name in splits.present()}
    digests = {"split_sha256": list(splits.digests)} if splits.digests else {}
    return {"splits": counts, "split_files": list(splits.files)} | digests


def ledger_files(
    splits: Splits | None, table: LoadedTable, rows: int
) -> tuple[list[Path | None], np.ndarray, np.ndarray]:
    """The files whose ledgers hold decisions about a scan's ``rows`` rows, which of them each
    scanned row is in and its row there (a table given as a DataFrame has no ledger: left
    out). One file: scanned row = ledger row (a crowd's items, not its answer lines)."""
    if splits is None or len(splits.files) == 1:
        paths = [] if table.format == "dataframe" else [table.path]
        return paths, np.zeros(rows, dtype=int), np.arange(rows)
    named = zip(splits.files, splits.digests, strict=True)
    paths = [Path(file) if digest else None for file, digest in named]
    return paths, splits.file_index, splits.file_rows


def scanned_file_names(scan_input: dict) -> tuple[str, ...]:
    """How a decisions file from report.html names the files a scan read (report.json's
    ``input``): the data, or the training and the test file; by name, or by path as given
    where the two share a name."""
    files = [str(file) for file in scan_input.get("split_files") or [scan_input["path"]]]
    names = tuple(Path(file).name for file in files)
    return names if len(set(names)) == len(names) else tuple(files)


@dataclass(frozen=True)
class ScannedFiles:
    """The files a scan read, read again (by ``fix`` and ``review``): the table the scan saw
    (with a test file: both joined, the test rows after the training rows), each file as read,
    and which file and which row of it each scanned row is."""

    table: LoadedTable
    files: tuple[LoadedTable, ...]
    file_index: np.ndarray
    file_rows: np.ndarray

    @classmethod
    def of(cls, tables: list[LoadedTable]) -> ScannedFiles:
        """One file as it is, or a training and a test file joined as the scan joined them."""
        if len(tables) == 1:
            rows = len(tables[0].frame)
            return cls(tables[0], (tables[0],), np.zeros(rows, dtype=int), np.arange(rows))
        joined, splits = joined_tables(*tables)
        return cls(joined, tuple(tables), splits.file_index, splits.file_rows)

    @property
    def paths(self) -> list[Path]:
        return [table.path for table in self.files]

    def name_of(self, row: int) -> str:
        """The name of the file scanned row ``row`` is in (the ledger's ``file``)."""
        return self.files[self.file_index[row]].path.name

    def by_file(self, lines: pd.DataFrame) -> list[pd.DataFrame]:
        """Decision lines about scanned rows, split by file (in the order of ``files``): each
        part's ``row`` the row in its own file, its ``file`` that file's name."""
        rows = lines["row"].astype(int).to_numpy()
        parts = []
        for index, table in enumerate(self.files):
            mine = self.file_index[rows] == index
            part = lines[mine].assign(row=self.file_rows[rows[mine]], file=table.path.name)
            parts.append(part)
        return parts


def with_split_fields(records: list[dict], splits: Splits | None) -> list[dict]:
    """Issue records (their ``row`` a scanned row) with each row's split and file row."""
    if splits is None:
        return records
    for record in records:
        row = record["row"]
        record["split"] = None if row is None else str(splits.names[row])
        record["file_row"] = None if row is None else int(splits.file_rows[row])
    return records


def with_split_columns(rows: pd.DataFrame, splits: Splits | None) -> pd.DataFrame:
    """The per-row table with each row's split and its row in that split's file."""
    if splits is None:
        return rows
    return rows.assign(split=splits.names, file_row=splits.file_rows)


def held_out_rows(splits: Splits | None, labelled: np.ndarray) -> np.ndarray | None:
    """Which ``labelled`` rows are outside the training split (``--test``, ``--split-col``):
    no fold trains on them, and they tune nothing. None without splits."""
    return None if splits is None else splits.names[labelled] != TRAIN
