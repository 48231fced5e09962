"""Read labelled tables from disk and write outputs without ever leaving half a file.

Text formats are read with every cell as a string, exactly as written, so that labels such as
``007`` or ``-1`` survive untouched into every output; ``features`` decides later which columns
are numbers.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from databugs.engines import Engine, LocalEngine
from databugs.errors import DatabugsError

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
        f"{path}: unknown file format", code="unknown_format", hint=f"use one of {known}"
    )


def file_sha256(path: Path) -> str:
    """The sha256 of the file's bytes, read in chunks so big files need little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_table(path: str | os.PathLike[str], engine: Engine | None = None) -> LoadedTable:
    """Read a CSV, TSV, Parquet or JSON Lines file (text formats may be gzipped), or a Parquet
    dataset: a folder of Parquet files or a glob such as ``data/part-*.parquet``, whose files
    ``engine`` reads (on a Dask cluster: the workers, one task per file).

    Every problem becomes a :class:`DatabugsError` naming the file and, where known, the line.
    """
    if is_parquet_dataset(path):
        return read_parquet_dataset(str(path), engine or LocalEngine())
    path = Path(path)
    fmt, _ = detect_format(path)
    if not path.exists():
        raise DatabugsError(f"{path}: no such file", code="missing_file")
    if path.is_dir():
        raise DatabugsError(f"{path}: is a folder, not a data file", code="missing_file")
    if path.stat().st_size == 0:
        raise DatabugsError(f"{path}: the file is empty", code="empty_file")
    readers = {"csv": _read_delimited, "tsv": _read_delimited, "parquet": _read_parquet}
    try:
        frame = readers.get(fmt, _read_jsonl)(path, fmt)
    except UnicodeDecodeError as exc:
        raise DatabugsError(
            f"{path}: not UTF-8 text (byte {exc.start})", code="unreadable_file"
        ) from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DatabugsError(f"{path}: cannot be read: {exc}", code="unreadable_file") from None
    if len(frame) == 0:
        raise DatabugsError(f"{path}: the file has no rows", code="empty_file")
    return LoadedTable(frame=frame, path=path, format=fmt, sha256=file_sha256(path))


def _gzipped(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _open_text(path: Path, mode: str = "rt") -> io.TextIOBase:
    opener = gzip.open if _gzipped(path) else open
    return opener(path, mode, encoding="utf-8-sig", newline="")  # a BOM is not part of a name


def _check_unique_columns(path: Path, columns: list[str]) -> None:
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise DatabugsError(
                f"{path}: the column name {column!r} appears more than once",
                code="duplicate_column",
                hint="rename one of them",
            )
        seen.add(column)


def _read_delimited(path: Path, fmt: str) -> pd.DataFrame:
    with _open_text(path) as handle:
        header = next(csv.reader(handle, delimiter=DELIMITERS[fmt]), None)
    if not header:
        raise DatabugsError(f"{path}: the file is empty", code="empty_file")
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
        raise DatabugsError(f"{path}: {_describe_parser_error(exc)}", code="bad_row") from None
    except pd.errors.EmptyDataError:
        raise DatabugsError(f"{path}: the file is empty", code="empty_file") from None


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
            f"{path}: not a readable Parquet file ({exc})", code="unreadable_file"
        ) from None


def is_parquet_dataset(path: str | os.PathLike[str]) -> bool:
    """A folder or a glob (``data/part-*.parquet``) stands for a Parquet dataset."""
    if Path(path).is_file():  # a file named data[v2].csv is a file, not a pattern
        return False
    return any(mark in str(path) for mark in "*?[") or Path(path).is_dir()


def read_parquet_dataset(pattern: str, engine: Engine) -> LoadedTable:
    """The files of a Parquet dataset, listed and read by ``engine``, in name order.

    The sha256 covers every file's name and bytes, so the OOF cache sees any change.
    """
    files = engine.map(dataset_files, [pattern])[0]
    if not files:
        raise DatabugsError(
            f"{pattern}: no such file, and no Parquet files (.parquet, .pq) match it",
            code="missing_file",
            hint="give a folder of Parquet files or a glob such as 'data/part-*.parquet'",
        )
    parts = engine.map(read_parquet_part, files)
    columns = list(parts[0][0].columns)
    digest = hashlib.sha256()
    for file, (part, sha256) in zip(files, parts, strict=True):
        if list(part.columns) != columns:
            raise DatabugsError(
                f"{file}: its columns differ from those of {files[0]}",
                code="unreadable_file",
                hint="every file of a dataset needs the same columns in the same order",
            )
        digest.update(f"{Path(file).name}:{sha256}\n".encode())
    frame = pd.concat([part for part, _ in parts], ignore_index=True)
    if len(frame) == 0:
        raise DatabugsError(f"{pattern}: the dataset has no rows", code="empty_file")
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
        raise DatabugsError(f"{path}: cannot be read: {exc}", code="unreadable_file") from None


def _iter_json_records(path: Path) -> Iterator[tuple[int, str, dict | None]]:
    """Yield ``(line_number, raw_line, record)``; blank lines give ``None``."""
    with _open_text(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                yield number, raw, None
                continue
            try:
                record = json.loads(raw, object_pairs_hook=lambda pairs: _unique_keys(path, pairs))
            except json.JSONDecodeError as exc:
                raise DatabugsError(
                    f"{path}: line {number} is not valid JSON ({exc.msg})", code="bad_row"
                ) from None
            if not isinstance(record, dict):
                raise DatabugsError(f"{path}: line {number} is not a JSON object", code="bad_row")
            yield number, raw, record


def _unique_keys(path: Path, pairs: list[tuple[str, object]]) -> dict:
    _check_unique_columns(path, [key for key, _ in pairs])
    return dict(pairs)


def _read_jsonl(path: Path, fmt: str) -> pd.DataFrame:
    records = [record for _, _, record in _iter_json_records(path) if record is not None]
    columns = list(dict.fromkeys(key for record in records for key in record))
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in frame.columns:  # nested values become their JSON text, as written
        if frame[column].map(lambda value: isinstance(value, dict | list)).any():
            frame[column] = frame[column].map(
                lambda value: json.dumps(value) if isinstance(value, dict | list) else value
            )
    return frame


def write_relabelled(
    source: LoadedTable,
    destination: Path,
    label: str,
    new_labels: Mapping[int, str],
    added: tuple[str, Sequence[str | None]] | None = None,
) -> None:
    """Write ``source`` to ``destination`` in the same format, changing only some labels.

    ``new_labels`` maps 0-based row positions to the label text to write (the label column is
    added if the data has none). ``added`` is a new column (name, one value per row) appended at
    the end. Everything else (columns, order, values, types) is carried over from the file
    itself, not from the parsed frame.
    """
    writers = {"csv": _relabel_delimited, "tsv": _relabel_delimited, "parquet": _relabel_parquet}
    payload = writers.get(source.format, _relabel_jsonl)(source, label, new_labels, added)
    compressed = source.format != "parquet" and _gzipped(source.path)
    write_bytes_atomically(destination, gzip.compress(payload, mtime=0) if compressed else payload)


def _relabel_delimited(
    source: LoadedTable,
    label: str,
    new_labels: Mapping[int, str],
    added: tuple[str, Sequence[str | None]] | None,
) -> bytes:
    with _open_text(source.path) as handle:
        first_line = handle.readline()
        handle.seek(0)
        rows = list(csv.reader(handle, delimiter=DELIMITERS[source.format]))
    terminator = "\r\n" if first_line.endswith("\r\n") else "\n"
    records = [fields for fields in rows[1:] if not _blank(fields)]  # as pandas skips them
    if label not in rows[0]:
        rows[0].append(label)
        for fields in records:
            fields.append("")
    column = rows[0].index(label)
    for row, text in new_labels.items():
        records[row][column] = text
    if added is not None:
        rows[0].append(added[0])
        for fields, value in zip(records, added[1], strict=True):
            fields.append("" if value is None else value)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=DELIMITERS[source.format], lineterminator=terminator).writerows(
        rows
    )
    return _bom(source) + buffer.getvalue().encode("utf-8")


def _blank(fields: list[str]) -> bool:
    """A line pandas skips: empty, or white space only."""
    return len(fields) <= 1 and not "".join(fields).strip()


def _bom(source: LoadedTable) -> bytes:
    """The UTF-8 byte-order mark, if the source file had one (it is written back the same)."""
    with (gzip.open if _gzipped(source.path) else open)(source.path, "rb") as f:
        return codecs.BOM_UTF8 if f.read(3) == codecs.BOM_UTF8 else b""


def _relabel_jsonl(
    source: LoadedTable,
    label: str,
    new_labels: Mapping[int, str],
    added: tuple[str, Sequence[str | None]] | None,
) -> bytes:
    lines: list[str] = []
    row = -1
    numbers = label in source.frame and pd.api.types.is_numeric_dtype(source.frame[label])
    for _, raw, record in _iter_json_records(source.path):
        if record is not None:
            row += 1
        if record is None or (row not in new_labels and added is None):
            lines.append(raw)
            continue
        if row in new_labels:
            record[label] = _typed_like(record.get(label), new_labels[row], numbers)
        if added is not None:
            record[added[0]] = added[1][row]
        ending = "\r\n" if raw.endswith("\r\n") else "\n" if raw.endswith("\n") else ""
        lines.append(json.dumps(record, ensure_ascii=False) + ending)
    return _bom(source) + "".join(lines).encode("utf-8")


def _typed_like(old: object, text: str, numbers: bool = False) -> object:
    """Keep a label a number when it was one and the new label is one too; an empty cell of a
    number column (``numbers``) gets a number too."""
    if old is None and numbers:
        old = 0 if text.lstrip("-").isdigit() else 0.0
    if isinstance(old, bool) or not isinstance(old, int | float):
        return text
    try:
        return int(text) if isinstance(old, int) else float(text)
    except ValueError:
        return text


def _relabel_parquet(
    source: LoadedTable,
    label: str,
    new_labels: Mapping[int, str],
    added: tuple[str, Sequence[str | None]] | None,
) -> bytes:
    table = pq.read_table(source.path)
    if label not in table.schema.names:
        table = table.append_column(label, pa.array([None] * table.num_rows, type=pa.string()))
    index = table.schema.get_field_index(label)
    values = table.column(index).to_pylist()
    field = table.schema.field(index)
    numbers = pa.types.is_integer(field.type) or pa.types.is_floating(field.type)
    for row, text in new_labels.items():
        values[row] = _typed_like(values[row], text, numbers)
    if added is not None:
        table = table.append_column(added[0], pa.array(list(added[1]), type=pa.string()))
    try:
        column = pa.array(values, type=field.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise DatabugsError(
            f"{source.path}: a corrected label does not fit the column {label!r} "
            f"of type {field.type}",
            code="bad_label_type",
        ) from None
    buffer = io.BytesIO()
    pq.write_table(table.set_column(index, field, column), buffer)
    return buffer.getvalue()


def write_bytes_atomically(path: Path, payload: bytes) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else _default_mode())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _default_mode() -> int:
    """What ``open()`` would give a new file: 0o666 less the umask (mkstemp gives 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_files_atomically(folder: Path, files: Mapping[str, str]) -> None:
    """Write several text files: all are rendered first, then each is renamed into place."""
    for name, text in files.items():
        write_bytes_atomically(folder / name, text.encode("utf-8"))
