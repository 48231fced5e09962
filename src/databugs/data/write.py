"""Write files without ever leaving half of one, and write data back changing only labels.

The data is rewritten from the file itself, not from the parsed frame, so that every byte the
corrections do not touch stays as it was.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from databugs.data.io import DELIMITERS, LoadedTable, gzipped, json_records, open_text
from databugs.errors import DatabugsError, ErrorCode


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
    compressed = source.format != "parquet" and gzipped(source.path)
    write_bytes_atomically(destination, gzip.compress(payload, mtime=0) if compressed else payload)


def _relabel_delimited(
    source: LoadedTable,
    label: str,
    new_labels: Mapping[int, str],
    added: tuple[str, Sequence[str | None]] | None,
) -> bytes:
    with open_text(source.path) as handle:
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
    with (gzip.open if gzipped(source.path) else open)(source.path, "rb") as f:
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
    for _, raw, record in json_records(source.path):
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
            code=ErrorCode.BAD_LABEL_TYPE,
        ) from None
    buffer = io.BytesIO()
    pq.write_table(table.set_column(index, field, column), buffer)
    return buffer.getvalue()


def write_bytes_atomically(path: Path, payload: bytes) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=temporary_prefix(path))
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


def temporary_prefix(path: Path) -> str:
    """How the temporary files of :func:`write_bytes_atomically` start: ``.<name>.databugs-tmp-``
    (recognisable, so that one left by a killed run can be removed)."""
    return f".{path.name}.databugs-tmp-"


def _default_mode() -> int:
    """What ``open()`` would give a new file: 0o666 less the umask (mkstemp gives 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_files_atomically(folder: Path, files: Mapping[str, str]) -> None:
    """Write several text files: all are rendered first, then each is renamed into place."""
    for name, text in files.items():
        write_bytes_atomically(folder / name, text.encode("utf-8"))
