"""Read labelled tables from disk: CSV, TSV, Parquet (a file or a dataset), JSON Lines.

Text formats are read with every cell as a string, exactly as written, so that labels such as
``007`` or ``-1`` survive untouched into every output; ``features`` decides later which columns
are numbers. Every problem becomes a one-line :class:`DatabugsError` naming the file and line.
"""

from __future__ import annotations

import csv
import glob
import gzip
import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from databugs.errors import DatabugsError, ErrorCode

FORMATS = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".tsv": "tsv",
    ".tsv.gz": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson": "jsonl",
    ".ndjson.gz": "jsonl",
}
DELIMITERS = {"csv": ",", "tsv": "\t"}
csv.field_size_limit(2**31 - 1)  # long texts are data too; the default stops at 128 KB


class PartReader(Protocol):
    """What reads the files of a Parquet dataset: this process, or an engine's workers."""

    def map(self, function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]: ...


class InProcess:
    """Reads each file here, one after the other."""

    def map(self, function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        return [function(item) for item in items]


@dataclass(frozen=True)
class LoadedTable:
    """A table as read from ``path``, with what ``fix`` needs to write it back the same way."""

    frame: pd.DataFrame
    path: Path
    format: str
    sha256: str


def detect_format(path: Path) -> tuple[str, str]:
    """Return ``(format, suffix)`` of ``path`` from its name, e.g. ``("csv", ".csv.gz")``."""
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix], suffix
    known = ", ".join(sorted(FORMATS))
    raise DatabugsError(
        f"{path}: unknown file format", code=ErrorCode.UNKNOWN_FORMAT, hint=f"use one of {known}"
    )


def file_sha256(path: Path) -> str:
    """The sha256 of the file's bytes, read in chunks so big files need little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_table(
    path: str | os.PathLike[str], parts: PartReader | None = None, *, sha256: str | None = None
) -> LoadedTable:
    """Read a CSV, TSV, Parquet or JSON Lines file (text formats may be gzipped), or a Parquet
    dataset: a folder of Parquet files or a glob such as ``data/part-*.parquet``, whose files
    ``parts`` reads (an engine: on a Dask cluster, the workers, one task per file).

    ``sha256`` is the file's digest when the caller has already computed it (it reads the
    whole file). Every problem becomes a :class:`DatabugsError` naming the file and, where
    known, the line.
    """
    if is_parquet_dataset(path):
        return read_parquet_dataset(str(path), parts or InProcess())
    path = Path(path)
    fmt, _ = detect_format(path)
    if not path.exists():
        raise DatabugsError(f"{path}: no such file", code=ErrorCode.MISSING_FILE)
    if path.is_dir():
        raise DatabugsError(f"{path}: is a folder, not a data file", code=ErrorCode.MISSING_FILE)
    if path.stat().st_size == 0:
        raise DatabugsError(f"{path}: the file is empty", code=ErrorCode.EMPTY_FILE)
    readers = {"csv": _read_delimited, "tsv": _read_delimited, "parquet": _read_parquet}
    try:
        frame = readers.get(fmt, _read_jsonl)(path, fmt)
    except UnicodeDecodeError as exc:
        raise DatabugsError(
            f"{path}: not UTF-8 text (byte {exc.start})", code=ErrorCode.UNREADABLE_FILE
        ) from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DatabugsError(
            f"{path}: cannot be read: {exc}", code=ErrorCode.UNREADABLE_FILE
        ) from None
    if len(frame) == 0:
        raise DatabugsError(f"{path}: the file has no rows", code=ErrorCode.EMPTY_FILE)
    return LoadedTable(frame=frame, path=path, format=fmt, sha256=sha256 or file_sha256(path))


def gzipped(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def open_text(path: Path, mode: str = "rt") -> io.TextIOBase:
    opener = gzip.open if gzipped(path) else open
    return opener(path, mode, encoding="utf-8-sig", newline="")  # a BOM is not part of a name


def _check_unique_columns(path: Path, columns: list[str]) -> None:
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise DatabugsError(
                f"{path}: the column name {column!r} appears more than once",
                code=ErrorCode.DUPLICATE_COLUMN,
                hint="rename one of them",
            )
        seen.add(column)


def _read_delimited(path: Path, fmt: str) -> pd.DataFrame:
    with open_text(path) as handle:
        header = next(csv.reader(handle, delimiter=DELIMITERS[fmt]), None)
    if not header:
        raise DatabugsError(f"{path}: the file is empty", code=ErrorCode.EMPTY_FILE)
    _check_unique_columns(path, header)
    try:
        return pd.read_csv(
            path,
            sep=DELIMITERS[fmt],
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
            compression="infer",
        )
    except pd.errors.ParserError as exc:
        raise DatabugsError(
            f"{path}: {_describe_parser_error(exc)}", code=ErrorCode.BAD_ROW
        ) from None
    except pd.errors.EmptyDataError:
        raise DatabugsError(f"{path}: the file is empty", code=ErrorCode.EMPTY_FILE) from None


def _describe_parser_error(exc: Exception) -> str:
    """Turn pandas' tokenizer message into 'line 7 has 4 fields, expected 3'."""
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if found:
        expected, line, saw = found.groups()
        return f"line {line} has {saw} fields, expected {expected}"
    return f"unreadable row: {str(exc).strip().splitlines()[-1]}"


def _read_parquet(path: Path, fmt: str) -> pd.DataFrame:
    try:
        _check_unique_columns(path, list(pq.read_schema(path).names))
        return pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as exc:  # a bad footer, or bad data past a good one
        raise DatabugsError(
            f"{path}: not a readable Parquet file ({exc})", code=ErrorCode.UNREADABLE_FILE
        ) from None


def is_parquet_dataset(path: str | os.PathLike[str]) -> bool:
    """A folder or a glob (``data/part-*.parquet``) stands for a Parquet dataset."""
    if Path(path).is_file():  # a file named data[v2].csv is a file, not a pattern
        return False
    return any(mark in str(path) for mark in "*?[") or Path(path).is_dir()


def read_parquet_dataset(pattern: str, parts: PartReader) -> LoadedTable:
    """The files of a Parquet dataset, listed and read by ``parts``, in name order.

    The sha256 covers every file's name and bytes, so the OOF cache sees any change.
    """
    files = parts.map(dataset_files, [pattern])[0]
    if not files:
        raise DatabugsError(
            f"{pattern}: no such file, and no Parquet files (.parquet, .pq) match it",
            code=ErrorCode.MISSING_FILE,
            hint="give a folder of Parquet files or a glob such as 'data/part-*.parquet'",
        )
    read = parts.map(read_parquet_part, files)
    columns = list(read[0][0].columns)
    digest = hashlib.sha256()
    for file, (part, sha256) in zip(files, read, strict=True):
        if list(part.columns) != columns:
            raise DatabugsError(
                f"{file}: its columns differ from those of {files[0]}",
                code=ErrorCode.UNREADABLE_FILE,
                hint="every file of a dataset needs the same columns in the same order",
            )
        digest.update(f"{Path(file).name}:{sha256}\n".encode())
    frame = pd.concat([part for part, _ in read], ignore_index=True)
    if len(frame) == 0:
        raise DatabugsError(f"{pattern}: the dataset has no rows", code=ErrorCode.EMPTY_FILE)
    return LoadedTable(frame=frame, path=Path(pattern), format="parquet", sha256=digest.hexdigest())


def dataset_files(pattern: str) -> list[str]:
    """The Parquet files a folder holds or a glob matches, in natural name order (runs where
    the data is: on a Dask worker for the Dask engine)."""
    if os.path.isdir(pattern):  # a folder named data[2024] is a name, not a pattern
        pattern = os.path.join(glob.escape(pattern), "*")
    return sorted(
        (
            name
            for name in glob.glob(pattern)
            if os.path.isfile(name) and name.lower().endswith((".parquet", ".pq"))
        ),
        key=lambda name: (_natural_order(name), name),  # part-1, part-01: one order
    )


def _natural_order(name: str) -> list[tuple[int, int | str]]:
    """part-2 before part-10, as Spark and Dask number their files."""
    return [
        (0, int(piece)) if piece.isdigit() else (1, piece) for piece in re.split(r"(\d+)", name)
    ]


def read_parquet_part(file: str) -> tuple[pd.DataFrame, str]:
    """One file of a dataset and its sha256, read as a single Parquet file is."""
    path = Path(file)
    try:
        return _read_parquet(path, "parquet"), file_sha256(path)
    except OSError as exc:
        raise DatabugsError(
            f"{path}: cannot be read: {exc}", code=ErrorCode.UNREADABLE_FILE
        ) from None


def json_records(path: Path) -> Iterator[tuple[int, str, dict | None]]:
    """Yield ``(line_number, raw_line, record)``; blank lines give ``None``."""
    with open_text(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                yield number, raw, None
                continue
            try:
                record = json.loads(raw, object_pairs_hook=lambda pairs: _unique_keys(path, pairs))
            except json.JSONDecodeError as exc:
                raise DatabugsError(
                    f"{path}: line {number} is not valid JSON ({exc.msg})", code=ErrorCode.BAD_ROW
                ) from None
            if not isinstance(record, dict):
                raise DatabugsError(
                    f"{path}: line {number} is not a JSON object", code=ErrorCode.BAD_ROW
                )
            yield number, raw, record


def _unique_keys(path: Path, pairs: list[tuple[str, object]]) -> dict:
    _check_unique_columns(path, [key for key, _ in pairs])
    return dict(pairs)


def _read_jsonl(path: Path, fmt: str) -> pd.DataFrame:
    records = [record for _, _, record in json_records(path) if record is not None]
    columns = list(dict.fromkeys(key for record in records for key in record))
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in frame.columns:  # nested values become their JSON text, as written
        if frame[column].map(lambda value: isinstance(value, dict | list)).any():
            frame[column] = frame[column].map(
                lambda value: json.dumps(value) if isinstance(value, dict | list) else value
            )
    return frame
