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
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from databugs.data.exports import read_export
from databugs.errors import DatabugsError, ErrorCode
from databugs.text import NUMBER

FORMATS = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".tsv": "tsv",
    ".tsv.gz": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".json": "json",  # a labelling tool's export (data/exports): Label Studio or Argilla
    ".ndjson": "jsonl",
    ".ndjson.gz": "jsonl",
}
DELIMITERS = {"csv": ",", "tsv": "\t"}
OTHER_DELIMITERS = (";", "\t", "|", ",")
"""What a file read as one column may be delimited by instead (a semicolon CSV from Excel)."""
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
    delimiter: str = ""
    """The field delimiter of a CSV or TSV file, as found in its header."""
    nested: tuple[str, ...] = ()
    """Columns of a JSONL file with JSON arrays or objects in some cells (in ``frame`` as their
    JSON text): readable as features, never as labels, which ``fix`` could not write back."""
    fields: tuple[str, ...] = ()
    """Columns of a JSONL file that are a field inside its objects (``user.age``, named as
    pandas' ``json_normalize`` names them): features, never labels, since ``fix`` writes a
    line's own members."""


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
    """The sha256 of the file's bytes, read in chunks so big files need little memory; a file
    that cannot be read (permission denied) is one line naming it."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as error:
        raise DatabugsError(
            f"{path}: cannot be read ({error.strerror or error})", code=ErrorCode.UNREADABLE_FILE
        ) from None
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
    delimiter, nested, fields = "", (), ()
    try:
        if fmt in DELIMITERS:
            delimiter = sniff_delimiter(path, DELIMITERS[fmt])
            frame = _read_delimited(path, delimiter)
            _refuse_repeated_header(path, frame)
        elif fmt == "json":
            frame, fmt = read_export(path)
        elif fmt == "parquet":
            frame = _read_parquet(path)
        else:
            frame, nested, fields = _read_jsonl(path)
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DatabugsError(
            f"{path}: cannot be read: {exc}", code=ErrorCode.UNREADABLE_FILE
        ) from None
    if len(frame) == 0:
        raise DatabugsError(f"{path}: the file has no rows", code=ErrorCode.EMPTY_FILE)
    digest = sha256 or file_sha256(path)
    return LoadedTable(frame, path, fmt, digest, delimiter, nested, fields)


def _refuse_repeated_header(path: Path, frame: pd.DataFrame) -> None:
    """A row that is the header again (files joined with their headers) would be a row of a
    class named like the label column, and text cells among the numbers: refused."""
    named = [column for column in frame.columns if not str(column).startswith("Unnamed: ")]
    if len(named) < 2:
        return
    rows = np.flatnonzero((frame[named[0]] == named[0]).to_numpy(dtype=bool))  # cheap first
    for column in named[1:]:
        rows = rows[(frame[column].iloc[rows] == column).to_numpy(dtype=bool)]
    if len(rows):
        row = int(rows[0])
        line = record_lines(path, [row]).get(row, row + 2)
        raise DatabugsError(
            f"{path}: line {line} repeats the header (files joined with their headers?)",
            code=ErrorCode.BAD_ROW,
            hint="delete that line",
        )


UTF32_MARKS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
"""Byte-order marks: a UTF-16 file read byte by byte is no Windows-1252 text."""


def _not_utf8(path: Path) -> DatabugsError:
    """Which line is not UTF-8, as it would read in Windows' Western encoding (Excel's
    default on Windows writes ``Zürich`` so), or that the file is UTF-16 or UTF-32."""
    opener = gzip.open if gzipped(path) else open
    with opener(path, "rb") as handle:
        start = handle.read(4)
    if start[:2] in UTF16_MARKS or start in UTF32_MARKS:
        width = 32 if start in UTF32_MARKS else 16  # UTF-32LE's mark begins with UTF-16LE's
        return DatabugsError(
            f"{path}: the file is UTF-{width} text, not UTF-8 (Excel's 'Unicode Text' is saved so)",
            code=ErrorCode.UNREADABLE_FILE,
            hint=f"save the file as UTF-8 (Excel: CSV UTF-8; or iconv -f utf-{width} -t utf-8)",
        )
    number, shown = _first_line_not_utf8(path)
    return DatabugsError(
        f"{path}: line {number} is not UTF-8 text (read as Windows-1252: {shown!r})",
        code=ErrorCode.UNREADABLE_FILE,
        hint="save the file as UTF-8 (Excel: CSV UTF-8; or iconv -f cp1252 -t utf-8)",
    )


def _first_line_not_utf8(path: Path) -> tuple[int, str]:
    opener = gzip.open if gzipped(path) else open
    with opener(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                around = line[max(0, error.start - 20) : error.end + 20]
                return number, around.decode("cp1252", "replace").strip()
    return 0, ""


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


def delimited_records(path: Path, delimiter: str) -> Iterator[tuple[int, str, list[str] | None]]:
    """Yield ``(line_number, raw_text, fields)`` for every record of a CSV or TSV file, in
    order; the raw text (its line ending included) of all records is the whole file.

    ``fields`` is None for a blank line (empty or white space only: not a row, as in pandas);
    a line of two quotes is a row. Scan and fix both read rows through this one function, so
    they agree on which record is row ``n``.
    """
    with open_text(path) as handle:
        lines = handle.readlines()  # the lines a record spans give its raw text
    yield from _records(path, lines, delimiter)


def record_lines(path: Path, rows: Iterable[int]) -> dict[int, int]:
    """The line each of ``rows`` starts on in a CSV or TSV file, as the scan counted rows
    (the header is not a row, blank lines are none, a quoted field may span lines)."""
    wanted = set(rows)
    found: dict[int, int] = {}
    delimiter = sniff_delimiter(path, DELIMITERS[detect_format(path)[0]])
    records = (line for line, _, fields in delimited_records(path, delimiter) if fields)
    next(records, None)  # the header
    for row, line in enumerate(records):
        if row in wanted:
            found[row] = line
            if len(found) == len(wanted):
                break
    return found


def _records(
    path: Path, lines: list[str], delimiter: str
) -> Iterator[tuple[int, str, list[str] | None]]:
    reader = csv.reader(lines, delimiter=delimiter)
    start, last, raw = 0, 1, ""
    try:
        for fields in reader:
            end = reader.line_num
            raw = lines[start] if end == start + 1 else "".join(lines[start:end])
            yield start + 1, raw, None if _blank(fields, raw) else fields
            start, last = end, start + 1
    except csv.Error as exc:
        raise DatabugsError(f"{path}: line {start + 1}: {exc}", code=ErrorCode.BAD_ROW) from None
    if field_spans(raw, delimiter)[1]:  # csv reads an unclosed quote to the end of the file
        raise DatabugsError(
            f"{path}: line {last}: a quoted field is not closed",
            code=ErrorCode.BAD_ROW,
        )


def _blank(fields: list[str], raw: str) -> bool:
    return not fields or (len(fields) == 1 and not fields[0].strip() and '"' not in raw)


def field_spans(raw: str, delimiter: str) -> tuple[list[tuple[int, int]], bool]:
    """Where each field of one record's raw text starts and ends (its quotes included), read
    as :mod:`csv` reads it, and whether the text ends inside a quoted field."""
    unquoted = re.compile(f"[^{re.escape(delimiter)}\r\n]*")
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        start = position
        if raw.startswith('"', position):
            position = _after_closing_quote(raw, position)
            if position < 0:
                return [*spans, (start, len(raw))], True
        position = unquoted.match(raw, position).end()  # text after a closing quote counts too
        spans.append((start, position))
        if not raw.startswith(delimiter, position):
            return spans, False
        position += len(delimiter)


def _after_closing_quote(raw: str, opening: int) -> int:
    """Where the quoted field opened at ``opening`` ends (just past its closing quote, a
    doubled quote being a quote inside it), or -1 if it is not closed."""
    position = raw.find('"', opening + 1)
    while position >= 0 and raw.startswith('"', position + 1):
        position = raw.find('"', position + 2)
    return position + 1 if position >= 0 else -1


def _goes_on_after_its_quote(raw: str, delimiter: str) -> bool:
    """Whether a quoted field of the record ``raw`` has text after its closing quote (``"a
    ... ok "fine``), which no writer that quotes fields writes."""
    text = raw.rstrip("\r\n")
    for start, _ in field_spans(text, delimiter)[0]:
        if text.startswith('"', start):
            end = _after_closing_quote(text, start)
            if 0 < end < len(text) and not text.startswith(delimiter, end):
                return True
    return False


def column_names(header: list[str]) -> list[str]:
    """The columns a header names; an empty name is ``Unnamed: <position>``, as in pandas."""
    return [name or f"Unnamed: {position}" for position, name in enumerate(header)]


def _header(path: Path, delimiter: str) -> tuple[int, str, list[str]] | None:
    """The first record that is not a blank line (read from the first lines only)."""
    with open_text(path) as handle:
        lines = list(itertools.islice(handle, HEADER_LINES))
    return next(filter(itemgetter(2), _records(path, lines, delimiter)), None)


HEADER_LINES = 1000


def sniff_delimiter(path: Path, delimiter: str) -> str:
    """The format's delimiter; but when the header is one column by it and another delimiter
    (``;``, tab, ``|``, ``,``) splits it, that one (``a;b;label`` in a ``.csv``)."""
    header = _header(path, delimiter)
    if header is None or len(header[2]) > 1:
        return delimiter
    raw = header[1]
    splits = {
        other: len(next(csv.reader(io.StringIO(raw, newline=""), delimiter=other)))
        for other in OTHER_DELIMITERS
        if other != delimiter
    }
    best = max(splits, key=splits.__getitem__)
    return best if splits[best] > 1 else delimiter


def _read_delimited(path: Path, delimiter: str) -> pd.DataFrame:
    """Every field a string as written; a short line gets empty cells, a long one is refused
    (pandas would take its first field for an index and shift every column)."""
    with open_text(path) as handle:
        lines = handle.readlines()
    parts = _even_rows(path, lines, delimiter) or _rows_one_by_one(path, lines, delimiter)
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if len(frame) + 1 < len(lines):  # a record spans lines (or a line is blank)
        _refuse_swallowed_lines(path, lines, delimiter, frame)
    return frame


def _refuse_swallowed_lines(
    path: Path, lines: list[str], delimiter: str, frame: pd.DataFrame
) -> None:
    """A field that starts with a quote is quoted until the next quote, however many lines
    later: a stray quote (``"Great`` as a review's first word) joins the lines up to the next
    one into one cell, rows silently lost. Such a field spans lines and goes on after its
    closing quote (``... ok "fine"``), which a field written quoted never does; or it closes
    at another stray quote (an inch mark: ``TV 12",b``) and each line it spans reads as a
    whole row (:func:`_lines_are_rows`), which a quoted text across lines does not."""
    shapes = None
    for number, raw, fields in _records(path, lines, delimiter):
        if fields is None or len(raw.splitlines()) < 2:
            continue
        if _goes_on_after_its_quote(raw, delimiter):
            why = "goes on after its closing quote"
        else:
            shapes = _column_shapes(frame) if shapes is None else shapes
            if not _lines_are_rows(raw, delimiter, shapes):
                continue
            why = "each line reads as a whole row"
        raise DatabugsError(
            f"{path}: line {number}: a quoted field runs over {len(raw.splitlines())} lines "
            f'and {why}: a stray quote (") joined them into one cell',
            code=ErrorCode.BAD_ROW,
            hint="a field starting with a quote is quoted up to the next quote; remove the "
            "stray quote or write the field quoted with its quotes doubled",
        )


MAX_CODES = 20
"""A column of at most this many distinct values is a column of codes (a label, a flag)."""


def _column_shapes(frame: pd.DataFrame) -> list[set[str] | re.Pattern | None]:
    """What each column's cells look like, where that can be said: its few values (codes),
    or a number in every filled cell; None for any other column."""
    shapes: list[set[str] | re.Pattern | None] = []
    for column in frame.columns:
        filled = frame[column][frame[column].str.strip() != ""].str.strip()
        values = set(filled.unique()[: MAX_CODES + 1])
        if len(values) <= MAX_CODES and len(filled) > 2 * len(values):
            shapes.append(values)
        elif len(filled) and filled.str.fullmatch(NUMBER.pattern).all():
            shapes.append(NUMBER)
        else:
            shapes.append(None)
    return shapes


LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _lines_are_rows(raw: str, delimiter: str, shapes: list) -> bool:
    """Whether every line of a record that spans lines, read without quotes, has the header's
    fields, each field of a column of codes or numbers one of them, at least two such filled
    in each line (one, a label, is too easily met by the end of a quoted text)."""
    checked = [position for position, shape in enumerate(shapes) if shape is not None]
    for line in LINE_BREAK.split(raw.rstrip("\r\n")):
        fields = next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
        if len(fields) != len(shapes):
            return False
        cells = [(fields[at].strip().strip('"').strip(), shapes[at]) for at in checked]
        filled = [(cell, shape) for cell, shape in cells if cell]
        if len(filled) < 2 or not all(_fits(cell, shape) for cell, shape in filled):
            return False
    return True


def _fits(cell: str, shape: set[str] | re.Pattern) -> bool:
    return cell in shape if isinstance(shape, set) else bool(shape.fullmatch(cell))


def _even_rows(path: Path, lines: list[str], delimiter: str) -> list[pd.DataFrame] | None:
    """The common file, read at C speed: a header of two fields or more, then records of
    exactly as many, the last one closed. Such a file has no blank, short or long line, so
    :func:`delimited_records` would yield the same rows; None for any other file."""
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader, [])
        _check_unique_columns(path, column_names(header))
        parts, chunk = [], []
        while rows := list(itertools.islice(reader, CHUNK_ROWS)):
            if len(header) < 2 or set(map(len, rows)) != {len(header)}:
                return None
            parts.append(_string_frame(column_names(header), rows))
            chunk = rows
    except csv.Error:
        return None
    return parts if chunk and _last_line_is_last_record(lines[-1], chunk[-1], delimiter) else None


def _last_line_is_last_record(line: str, record: list[str], delimiter: str) -> bool:
    """A last record that spans lines may hold a quote left open: then read one by one."""
    return (
        not field_spans(line, delimiter)[1]
        and next(csv.reader([line], delimiter=delimiter)) == record
    )


def _rows_one_by_one(path: Path, lines: list[str], delimiter: str) -> list[pd.DataFrame]:
    """Any file, record by record: blank lines skipped, short lines padded, long ones refused."""
    records = filter(itemgetter(2), _records(path, lines, delimiter))  # blank lines: None
    first = next(records, None)
    if first is None:
        raise DatabugsError(f"{path}: the file is empty", code=ErrorCode.EMPTY_FILE)
    _check_unique_columns(path, column_names(first[2]))
    header = column_names(first[2])
    parts = []  # a chunk's cells are Python strings at a time, not all of them
    while chunk := list(itertools.islice(records, CHUNK_ROWS)):
        for number, _, fields in chunk:
            if len(fields) != len(header):
                _pad(path, number, fields, len(header))
        parts.append(_string_frame(header, list(map(itemgetter(2), chunk))))
    return parts or [_string_frame(header, [])]


CHUNK_ROWS = 100_000


def _pad(path: Path, number: int, fields: list[str], width: int) -> None:
    """Empty cells for the fields a short line lacks; a long line is an error."""
    if len(fields) > width:
        raise DatabugsError(
            f"{path}: line {number} has {len(fields)} fields, the header {width}",
            code=ErrorCode.BAD_ROW,
            hint="every line needs the header's fields; a trailing comma adds one",
        )
    fields += [""] * (width - len(fields))


def _string_frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    """Rows of strings as columns of pandas' ``str`` type: one Arrow array of every cell,
    then each column taken out of it (no Python loop over cells)."""
    cells = pa.array(list(itertools.chain.from_iterable(rows)), type=pa.large_string())
    width = len(header)
    return pd.DataFrame(
        {
            name: pd.Series(cells.take(np.arange(position, len(cells), width)), dtype=str)
            for position, name in enumerate(header)
        }
    )


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        _check_unique_columns(path, list(pq.read_schema(path).names))
        return _with_nullable_integers(pq.read_table(path))
    except (pa.ArrowException, OSError) as exc:  # a bad footer, or bad data past a good one
        raise DatabugsError(
            f"{path}: not a readable Parquet file ({exc})", code=ErrorCode.UNREADABLE_FILE
        ) from None


def _with_nullable_integers(table: pa.Table) -> pd.DataFrame:
    """The table as pandas, an integer column with gaps as pandas' nullable integers: as
    floats, its labels would read ``1.0`` (classes that are not what the file holds); a
    binary column as text (bytes that are no UTF-8 shown as ``\\xNN``), as every cell is
    shown, compared and hashed as text."""
    frame = table.to_pandas()
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_integer(column.type) and column.null_count:
            frame[name] = column.to_pandas(types_mapper=_NULLABLE_INTEGERS.get)
        elif _is_binary(column.type):
            frame[name] = bytes_as_text(column.to_pylist())
    return frame


def bytes_as_text(values: list[bytes | None]) -> list[str | None]:
    """Bytes as UTF-8 text, those that are not shown as ``\\xNN``: a cell databugs shows,
    compares and hashes is text."""
    return [None if cell is None else cell.decode("utf-8", "backslashreplace") for cell in values]


def _is_binary(kind: pa.DataType) -> bool:
    binary = (pa.types.is_binary, pa.types.is_large_binary, pa.types.is_fixed_size_binary)
    return any(test(kind) for test in binary)


_NULLABLE_INTEGERS = {
    getattr(pa, f"{sign}int{bits}")(): pd.api.types.pandas_dtype(f"{sign.upper()}Int{bits}")
    for sign in ("", "u")
    for bits in (8, 16, 32, 64)
}


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
        return _read_parquet(path), file_sha256(path)
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
            except RecursionError:
                raise DatabugsError(
                    f"{path}: line {number} nests JSON objects or arrays too deep to read",
                    code=ErrorCode.BAD_ROW,
                ) from None
            if not isinstance(record, dict):
                raise DatabugsError(
                    f"{path}: line {number} is not a JSON object", code=ErrorCode.BAD_ROW
                )
            yield number, raw, record


def _unique_keys(path: Path, pairs: list[tuple[str, object]]) -> dict:
    _check_unique_columns(path, [key for key, _ in pairs])
    return dict(pairs)


def _read_jsonl(path: Path) -> tuple[pd.DataFrame, tuple[str, ...], tuple[str, ...]]:
    """The rows; the columns with arrays (or objects beside other values), kept as JSON text;
    and the columns that are fields of objects (:func:`_with_fields`)."""
    records = [record for _, _, record in json_records(path) if record is not None]
    columns = list(dict.fromkeys(key for record in records for key in record))
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in frame.columns[frame.dtypes.map(lambda dtype: dtype.kind == "f")]:
        values = [record.get(column) for record in records]
        if all(type(value) in (int, type(None)) for value in values):
            frame[column] = pd.array(values, dtype="Int64")  # integers with gaps: 1, not 1.0
    frame, fields = _with_fields(frame)
    nested = []
    for column in frame.columns:  # nested values become their JSON text, as written
        if frame[column].map(lambda value: isinstance(value, dict | list)).any():
            nested.append(str(column))
            frame[column] = frame[column].map(
                lambda value: json.dumps(value) if isinstance(value, dict | list) else value
            )
    return frame, tuple(nested), fields


def _is_missing(value: object) -> bool:
    return not isinstance(value, list) and bool(pd.isna(value))


MAX_FIELDS = 100
"""An object column with more fields than this stays its JSON text: its keys are a bag of
attributes (3,000 keys, ten per line), which as 3,000 mostly empty columns took a scan of
5,000 lines from 9 s to 190 s and 2 GB."""
MAX_FIELD_DEPTH = 8
"""Objects nested deeper than this are their JSON text in the field that holds them."""


def _with_fields(frame: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Each column whose filled cells are all JSON objects as a column per field, objects
    within objects too (``{"user": {"age": 31}}`` -> ``user.age``): a model can use an age,
    not the object's JSON text. An object whose fields cannot all be columns of their own
    (:func:`_field_columns`) stays its JSON text."""
    fields: list[str] = []
    for column in list(frame.columns):
        flat = _field_columns(str(column), frame[column].to_list(), set(map(str, frame.columns)))
        if flat is None:
            continue
        at = frame.columns.get_loc(column)
        parts = [frame.iloc[:, :at], flat.set_index(frame.index), frame.iloc[:, at + 1 :]]
        frame = pd.concat(parts, axis=1)
        fields += list(flat.columns)
    return frame, tuple(fields)


def _field_columns(column: str, values: list, taken: set[str]) -> pd.DataFrame | None:
    """The fields of a column of objects (or gaps) as columns, or None: not objects, more
    than :data:`MAX_FIELDS` fields, or a field name written twice (``{"c.d": 1, "c": {"d":
    2}}``) or taken by another column."""
    if not any(isinstance(value, dict) for value in values):
        return None
    if not all(isinstance(value, dict) or _is_missing(value) for value in values):
        return None
    if len({key for value in values if isinstance(value, dict) for key in value}) > MAX_FIELDS:
        return None
    records = []
    for value in values:
        pairs = list(_flat_fields(value, column)) if isinstance(value, dict) else []
        record = dict(pairs)
        if len(record) < len(pairs) or taken & record.keys():
            return None
        records.append(record)
    flat = pd.DataFrame.from_records(records)
    return None if flat.columns.empty or len(flat.columns) > MAX_FIELDS else flat


def _flat_fields(record: dict, prefix: str, depth: int = 0) -> Iterator[tuple[str, object]]:
    """``{"user": {"age": 31}}`` as ``("user.age", 31)`` (pandas' ``json_normalize`` names;
    it copies every object first, and so fails on deep ones), down to ``MAX_FIELD_DEPTH``."""
    for key, value in record.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict) and value and depth < MAX_FIELD_DEPTH:
            yield from _flat_fields(value, name, depth + 1)
        else:
            yield name, value
