"""Write files without ever leaving half of one, and write data back changing only labels.

The data is rewritten from the file itself, not from the parsed frame, so that every byte the
corrections do not touch stays as it was.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import math
import os
import re
import secrets
import tempfile
from collections.abc import Mapping, Sequence
from json.decoder import scanstring
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from databugs.data.io import (
    DELIMITERS,
    LoadedTable,
    column_names,
    delimited_records,
    field_spans,
    gzipped,
    json_records,
)
from databugs.data.tags import tag_column_cells
from databugs.errors import DatabugsError, ErrorCode


def write_relabelled(
    source: LoadedTable,
    destination: Path,
    label: str | Sequence[str],
    new_labels: Mapping[int, str],
    added: tuple[str, Sequence[str | None]] | None = None,
) -> None:
    """Write ``source`` to ``destination`` in the same format, changing only some labels.

    ``new_labels`` maps 0-based row positions to the label text to write (the label column is
    added if the data has none); ``label`` a list of 0/1 tag columns: to the tags to set, as
    report.json writes them, and only the cells of tags that change are written. ``added`` is a
    new column (name, one value per row) appended at the end. Everything else (columns, order,
    values, types) is carried over from the file itself, not from the parsed frame.
    """
    write_bytes_atomically(destination, relabelled_bytes(source, label, new_labels, added))


def relabelled_bytes(
    source: LoadedTable,
    label: str | Sequence[str],
    new_labels: Mapping[int, str],
    added: tuple[str, Sequence[str | None]] | None = None,
) -> bytes:
    """What :func:`write_relabelled` writes, built in memory: so that a fix of several files
    prepares every one (and refuses, if one changed) before it replaces the first."""
    if isinstance(label, str):
        columns, cells = [label], {row: {label: text} for row, text in new_labels.items()}
    else:
        columns, cells = list(label), tag_column_cells(source.frame, label, dict(new_labels))
    writers = {"csv": _relabel_delimited, "tsv": _relabel_delimited, "parquet": _relabel_parquet}
    payload = writers.get(source.format, _relabel_jsonl)(source, columns, cells, added)
    compressed = source.format != "parquet" and gzipped(source.path)
    return gzip.compress(payload, mtime=0) if compressed else payload


Cells = Mapping[int, Mapping[str, str]]
"""The cells to write: row position -> column -> text."""


def _relabel_delimited(
    source: LoadedTable,
    labels: list[str],
    cells: Cells,
    added: tuple[str, Sequence[str | None]] | None,
) -> bytes:
    """Each record read as the scan read it; only the fields that change are written anew, in
    the record's own quoting, and every other byte (line endings, quotes, blank lines) is
    copied from the file."""
    delimiter = source.delimiter or DELIMITERS[source.format]
    pieces: list[str] = []
    width = row = -1
    index: dict[str, int] = {}
    for _, raw, fields in delimited_records(source.path, delimiter):
        if fields is None:
            changes = {}
        elif width < 0:  # the header: the new columns' names go at its end
            header = column_names(fields)
            width = len(header)
            new_columns = [name for name in labels if name not in header]
            index = {name: header.index(name) for name in labels if name in header}
            index |= {name: width + i for i, name in enumerate(new_columns)}
            new_columns += [added[0]] if added else []
            changes = dict(enumerate(new_columns, width))
        else:
            row += 1
            changes = _row_changes(row, index, cells, added, width)
        pieces.append(edit_fields(raw, delimiter, changes))
    _check_rows(source, row + 1)
    return _bom(source) + "".join(pieces).encode("utf-8")


def _row_changes(
    row: int,
    index: Mapping[str, int],
    cells: Cells,
    added: tuple[str, Sequence[str | None]] | None,
    width: int,
) -> dict[int, str]:
    """The fields of one row to write: its new labels, and its cells of the new columns (the
    label's, when the file has none, then ``added``)."""
    changes = {index[name]: text for name, text in cells.get(row, {}).items()}
    for position in index.values():
        if position >= width:
            changes.setdefault(position, "")
    if added is not None:
        changes[max([width - 1, *index.values()]) + 1] = added[1][row] or ""
    return changes


def edit_fields(raw: str, delimiter: str, changes: Mapping[int, str]) -> str:
    """One record's raw text with the fields at ``changes``' positions replaced (a position
    past its last field adds fields, empty up to it). A new value is quoted when it must be,
    or when the record quotes fields that need no quotes (a fully quoted file)."""
    if not changes:
        return raw
    spans, _ = field_spans(raw, delimiter)
    quote_all = any(_needlessly_quoted(raw[start:end], delimiter) for start, end in spans)
    pieces, position = [], 0
    for index in sorted(index for index in changes if index < len(spans)):
        start, end = spans[index]
        pieces += [raw[position:start], _field(changes[index], delimiter, quote_all)]
        position = end
    end_of_fields = spans[-1][1]
    added = range(len(spans), max(changes) + 1)
    pieces.append(raw[position:end_of_fields])
    pieces += [delimiter + _field(changes.get(index, ""), delimiter, quote_all) for index in added]
    return "".join([*pieces, raw[end_of_fields:]])


def _must_quote(value: str, delimiter: str) -> bool:
    return any(char in value for char in (delimiter, '"', "\r", "\n"))


def _needlessly_quoted(field: str, delimiter: str) -> bool:
    return field.startswith('"') and not _must_quote(field[1:-1].replace('""', ""), delimiter)


def _field(value: str, delimiter: str, quote: bool) -> str:
    if quote or _must_quote(value, delimiter):
        return '"' + value.replace('"', '""') + '"'
    return value


def _check_rows(source: LoadedTable, rows: int) -> None:
    """The file must still hold the rows it held when it was read (nothing lands elsewhere)."""
    if rows != len(source.frame):
        raise DatabugsError(
            f"{source.path}: changed while being corrected ({rows} rows, "
            f"{len(source.frame)} when read)",
            code=ErrorCode.DATA_CHANGED,
            hint="nothing was written; scan it again",
        )


def _bom(source: LoadedTable) -> bytes:
    """The UTF-8 byte-order mark, if the source file had one (it is written back the same)."""
    with (gzip.open if gzipped(source.path) else open)(source.path, "rb") as f:
        return codecs.BOM_UTF8 if f.read(3) == codecs.BOM_UTF8 else b""


def _relabel_jsonl(
    source: LoadedTable,
    labels: list[str],
    cells: Cells,
    added: tuple[str, Sequence[str | None]] | None,
) -> bytes:
    """Only the labels' values (and an added member) are written anew in a changed line; every
    other byte of the line, numbers such as ``1e400`` or ``1.10`` included, is kept."""
    pieces: list[str] = []
    row = -1
    kinds = {name: _column_kind(source.frame, name) for name in labels}
    for _, raw, record in json_records(source.path):
        row += record is not None
        members = {}
        if record is not None:
            for name, text in cells.get(row, {}).items():
                members[name] = _typed_like(record.get(name), text, kinds[name])
        if record is not None and added is not None:
            members[added[0]] = added[1][row]
        pieces.append(set_members(raw, members) if members else raw)
    _check_rows(source, row + 1)
    return _bom(source) + "".join(pieces).encode("utf-8")


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def set_members(raw: str, members: Mapping[str, object]) -> str:
    """A JSON object's raw text with the values of ``members`` written in place (a member it
    lacks is added after its last one); nothing else in the text changes."""
    spans, last = _member_spans(raw)
    pieces, position = [], 0
    for start, end, value in sorted(
        (*spans[key], value) for key, value in members.items() if key in spans
    ):
        pieces += [raw[position:start], json.dumps(value, ensure_ascii=False)]
        position = end
    new = [
        json.dumps(key, ensure_ascii=False) + ": " + json.dumps(value, ensure_ascii=False)
        for key, value in members.items()
        if key not in spans
    ]
    if not new:
        return "".join([*pieces, raw[position:]])
    joined = ", ".join(new)
    pieces.append(raw[position:last] + (", " + joined if spans else joined))
    return "".join([*pieces, raw[last:]])


def _member_spans(raw: str) -> tuple[dict[str, tuple[int, int]], int]:
    """Where the value of each top-level member of a (valid) JSON object starts and ends,
    and where the text of its last member ends (just after the ``{`` when it has none)."""
    spans: dict[str, tuple[int, int]] = {}
    position = _SPACE.match(raw, _SPACE.match(raw).end() + 1).end()  # past "{"
    last = position
    while raw[position] != "}":
        key, position = scanstring(raw, position + 1)
        start = _SPACE.match(raw, _SPACE.match(raw, position).end() + 1).end()  # past ":"
        _, last = _DECODER.raw_decode(raw, start)
        spans[key] = (start, last)
        position = _SPACE.match(raw, last).end()
        if raw[position] == ",":
            position = _SPACE.match(raw, position + 1).end()
    return spans, last


def _column_kind(frame: pd.DataFrame, label: str) -> str:
    """What the label column holds: ``bool``, ``int``, ``float`` or ``text``."""
    if label not in frame:
        return "text"
    found = pd.api.types.infer_dtype(frame[label], skipna=True)
    kinds = {"boolean": "bool", "integer": "int", "floating": "float"}
    return kinds.get(found, "float" if found == "mixed-integer-float" else "text")


def _typed_like(old: object, text: str, kind: str) -> object:
    """The new label as a value of the type the cell had (an empty cell: of the column's
    kind): ``True`` for a boolean, ``1`` for an integer (also from ``1.0``, the spelling kept
    where a column writes ``1`` and ``1.0``); text that is none stays text."""
    if old is not None:
        kind = {bool: "bool", int: "int", float: "float"}.get(type(old), "text")
    if kind == "bool":
        return {"true": True, "false": False}.get(text.lower(), text)
    if kind not in ("int", "float"):
        return text
    if kind == "int" and re.fullmatch(r"[+-]?\d+", text.strip()):
        return int(text)  # exact, however many digits
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if kind == "int" and number.is_integer() else number


def _relabel_parquet(
    source: LoadedTable,
    labels: list[str],
    cells: Cells,
    added: tuple[str, Sequence[str | None]] | None,
) -> bytes:
    table = pq.read_table(source.path)
    for label in labels:
        table = _relabelled_column(table, source, label, cells)
    if added is not None:
        table = table.append_column(added[0], pa.array(list(added[1]), type=pa.string()))
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **_layout(pq.ParquetFile(source.path).metadata))
    return buffer.getvalue()


def _layout(metadata: pq.FileMetaData) -> dict[str, object]:
    """The source's compression and row-group size, to write the copy like it."""
    if metadata.num_row_groups == 0 or metadata.num_columns == 0:
        return {}
    first = metadata.row_group(0)
    codec = first.column(0).compression.lower()
    return {
        "row_group_size": max(first.num_rows, 1),
        "compression": "none" if codec == "uncompressed" else codec,
    }


def _relabelled_column(table: pa.Table, source: LoadedTable, label: str, cells: Cells) -> pa.Table:
    """``table`` with the cells of column ``label`` in ``cells`` written, typed like it."""
    if label not in table.schema.names:
        table = table.append_column(label, pa.array([None] * table.num_rows, type=pa.string()))
    index = table.schema.get_field_index(label)
    values = table.column(index).to_pylist()
    field = table.schema.field(index)
    kind = _column_kind(pd.DataFrame({label: pd.Series(values, dtype=object)}), label)
    for row, changes in cells.items():
        if label in changes:
            values[row] = _typed_like(values[row], changes[label], kind)
    try:
        column = (
            _categories_kept(table.column(index), values, field.type)
            if pa.types.is_dictionary(field.type)
            else pa.array(values, type=field.type)
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise DatabugsError(
            f"{source.path}: a corrected label does not fit the column {label!r} "
            f"of type {field.type}",
            code=ErrorCode.BAD_LABEL_TYPE,
        ) from None
    return table.set_column(index, field, column)


def _categories_kept(
    column: pa.ChunkedArray, values: list[object], kind: pa.DictionaryType
) -> pa.DictionaryArray:
    """A categorical column's ``values`` over its own categories, in their order (an ordered
    one's order is its meaning), a new label's category added at the end."""
    own = column.unify_dictionaries().chunk(0).dictionary if column.num_chunks else pa.array([])
    categories = own.to_pylist()
    categories += [v for v in dict.fromkeys(values) if v is not None and v not in categories]
    position = {category: number for number, category in enumerate(categories)}
    indices = pa.array([None if v is None else position[v] for v in values], type=kind.index_type)
    dictionary = pa.array(categories, type=kind.value_type)
    return pa.DictionaryArray.from_arrays(indices, dictionary, ordered=kind.ordered)


def write_bytes_atomically(path: Path, payload: bytes, *, through_link: bool = False) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half.

    A symbolic link at ``path`` is refused (one planted in an output folder would aim the write
    at any file: a ledger, a kept original, a git hook), except ``through_link``: the data
    file of ``fix --in-place``, where a link names the user's data."""
    path = _destination(path, through_link)
    staged = _staged(path, payload)
    try:
        os.replace(staged, path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def _destination(path: Path, through_link: bool) -> Path:
    """Where a write of ``path`` lands: its folder's real place (a linked folder is followed),
    the name itself only ``through_link``."""
    if through_link:
        return Path(os.path.realpath(path))
    refuse_link(path)
    return Path(os.path.realpath(path.parent)) / path.name


def refuse_link(path: Path) -> None:
    """A one-line refusal where ``path`` is a symbolic link: databugs writes no file through one."""
    if os.path.islink(path):
        raise DatabugsError(
            f"{path}: is a symbolic link; databugs does not write through one",
            code=ErrorCode.CANNOT_WRITE,
            hint="remove the link, or name the file it points to",
        )


def refuse_linked_folders(root: Path, folder: Path) -> None:
    """A one-line refusal where ``root`` or a folder between it and ``folder`` is a symbolic
    link: a link committed into a reports tree (``.databugs/data -> ../../.git/hooks``) would
    aim every report written there at another folder."""
    current = root
    refuse_link(current)
    for part in folder.relative_to(root).parts:
        current = current / part
        refuse_link(current)


def _staged(path: Path, payload: bytes) -> Path:
    """``payload`` in a synced temporary file beside ``path``, with the mode ``path`` has (or
    a new file would have), ready to be renamed onto it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=temporary_prefix(path))
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else _default_mode())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


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
    """Write several text files, all or none: every one staged first (a link among them is
    refused before anything is written), then each renamed into place; should a rename fail,
    the files already replaced get their former content back."""
    targets = {name: _destination(folder / name, False) for name in files}
    staged: dict[Path, Path] = {}
    try:
        for name, text in files.items():
            staged[targets[name]] = _staged(targets[name], text.encode("utf-8"))
        _swap_in(staged)
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)


def _swap_in(staged: Mapping[Path, Path]) -> None:
    """Rename each staged file onto its target, keeping a hard link to the target's former
    content until all are in (then dropped; on a failure, put back)."""
    former: dict[Path, Path | None] = {}
    try:
        for target, temporary in staged.items():
            former[target] = _kept_aside(target)
            os.replace(temporary, target)
    except BaseException:
        for target, kept in former.items():
            if kept is None:
                target.unlink(missing_ok=True)
            else:  # a no-op where the rename failed: still one file, two names
                os.replace(kept, target)
                kept.unlink(missing_ok=True)
        raise
    for kept in former.values():
        if kept is not None:
            kept.unlink(missing_ok=True)


def _kept_aside(target: Path) -> Path | None:
    """A second name for ``target``'s current content (None if there is none)."""
    if not target.is_file():
        return None
    kept = target.parent / f"{temporary_prefix(target)}{secrets.token_hex(8)}"
    try:
        os.link(target, kept)
    except OSError:  # a file system without hard links: a copy
        kept.write_bytes(target.read_bytes())
    return kept
