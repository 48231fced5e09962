"""Writing data back: only the label cells change, every other byte and type is kept."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from databugs.data.io import read_table
from databugs.data.validate import label_texts
from databugs.data.write import (
    write_bytes_atomically,
    write_files_atomically,
    write_relabelled,
)
from databugs.errors import DatabugsError, ErrorCode


def test_relabel_csv_changes_only_the_label_cells(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('id,text,label\r\n1,"hello, ""world""",a\r\n\r\n2,x,-1\r\n')
    out = tmp_path / "out.csv"
    write_relabelled(read_table(path), out, "label", {1: "b"})
    assert out.read_bytes() == b'id,text,label\r\n1,"hello, ""world""",a\r\n\r\n2,x,b\r\n'


def test_relabel_jsonl_keeps_other_lines_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    lines = ['{"label": 1, "x": 1.0}', '{"x":  2.50, "label": 2}', '{"label": 3, "x": 3}']
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    write_relabelled(read_table(path), out, "label", {2: "1"})
    written = out.read_text().splitlines()
    assert written[:2] == lines[:2]
    assert json.loads(written[2]) == {"label": 1, "x": 3}


def test_relabel_parquet_keeps_types(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    table = pa.table({"label": pa.array([1, 2, 3], pa.int16()), "x": [0.5, 1.5, 2.5]})
    pq.write_table(table, path)
    out = tmp_path / "out.parquet"
    write_relabelled(read_table(path), out, "label", {0: "3"})
    written = pq.read_table(out)
    assert written.schema == table.schema
    assert written.column("label").to_pylist() == [3, 2, 3]
    assert written.column("x").to_pylist() == [0.5, 1.5, 2.5]


def test_relabel_parquet_keeps_a_categorical_labels_categories_and_the_file_layout(
    tmp_path: Path,
) -> None:
    """An ordered category's order is its meaning (grade C < B < A): rewritten in order of
    appearance, `label < "B"` counted other rows. Compression and row groups stay too."""
    path = tmp_path / "d.parquet"
    grades = pd.Categorical(
        ["A", "C", "B", "A", "C", "B"], categories=["C", "B", "A"], ordered=True
    )
    frame = pd.DataFrame({"grade": grades, "x": range(6)})
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False),
        path,
        compression="zstd",
        row_group_size=2,
    )
    out = tmp_path / "out.parquet"
    write_relabelled(read_table(path), out, "grade", {0: "B", 1: "A+"})
    written = pd.read_parquet(out)["grade"]
    assert written.tolist() == ["B", "A+", "B", "A", "C", "B"]
    assert written.cat.categories.tolist() == ["C", "B", "A", "A+"] and written.cat.ordered
    metadata = pq.ParquetFile(out).metadata
    assert metadata.num_row_groups == 3 and metadata.row_group(0).column(0).compression == "ZSTD"


def test_a_byte_order_mark_is_not_part_of_the_header_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xef\xbb\xbflabel,x\r\na,1\r\nb,2\r\n")
    table = read_table(path)
    assert list(table.frame.columns) == ["label", "x"]
    out = tmp_path / "out.csv"
    write_relabelled(table, out, "label", {0: "b"})
    assert out.read_bytes() == b"\xef\xbb\xbflabel,x\r\nb,1\r\nb,2\r\n"


def _relabelled(path: Path, new_labels: dict[int, str], label: str = "label") -> bytes:
    out = path.with_name("out" + "".join(path.suffixes))
    write_relabelled(read_table(path), out, label, new_labels)
    return out.read_bytes()


def test_a_line_of_two_quotes_is_a_row_the_writer_counts_too(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('text,label\nhello,a\n""\nworld,b\n')
    assert _relabelled(path, {2: "c"}) == b'text,label\nhello,a\n""\nworld,c\n'


def test_a_fully_quoted_csv_changes_only_the_accepted_label_fields(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    lines = ['"id","text","label"', '"1","a, ""b""","x"', '"2","c\r\nd","y"', '"3","e","x"']
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    expected = [*lines[:2], '"2","c\r\nd","z"', '"3","e","""q"""']
    assert _relabelled(path, {1: "z", 2: '"q"'}) == ("\r\n".join(expected) + "\r\n").encode()


def test_mixed_line_endings_and_no_final_newline_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"id,label\r\n1,x\n2,y\r\n3,x")
    assert _relabelled(path, {0: "y", 2: "a,b"}) == b'id,label\r\n1,y\n2,y\r\n3,"a,b"'


def test_a_semicolon_csv_is_written_back_with_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("x;label\n1,5;a\n2,5;b\n")
    assert _relabelled(path, {1: "a"}) == b"x;label\n1,5;a\n2,5;a\n"


def test_jsonl_changes_only_the_label_value(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    lines = ['{"big": 1e400, "p": 1.10, "label": "a"}', '{"label" : "b" , "p":1.10}']
    path.write_text("\n".join(lines) + "\n")
    written = _relabelled(path, {0: "c", 1: 'd "é"'}).decode()
    assert (
        written == '{"big": 1e400, "p": 1.10, "label": "c"}\n{"label" : "d \\"é\\"" , "p":1.10}\n'
    )


def test_jsonl_booleans_stay_booleans(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"x": 1, "label": false}\n{"x": 2, "label": true}\n{"x": 3}\n')
    table = read_table(path)
    assert label_texts(table.frame["label"]) == ["false", "true", None]  # as the file says
    written = _relabelled(path, {0: "true", 1: "false", 2: "true"}).decode()
    assert written == '{"x": 1, "label": true}\n{"x": 2, "label": false}\n{"x": 3, "label": true}\n'


def test_jsonl_numbers_stay_numbers_in_the_cell_s_own_type(tmp_path: Path) -> None:
    """Where a column writes ``1`` and ``1.0`` (one class, kept as ``1.0``), an integer cell
    relabelled ``1.0`` was written as the text ``"1.0"``."""
    path = tmp_path / "d.jsonl"
    path.write_text('{"label": 0}\n{"label": 2.5}\n{"label": 1}\n{"label": 3}\n')
    written = _relabelled(path, {0: "1.0", 1: "1.0", 2: "inf", 3: "2.5"}).decode()
    assert written == '{"label": 1}\n{"label": 1.0}\n{"label": "inf"}\n{"label": 2.5}\n'
    path.write_text('{"label": 2.5}\n{"label": 1}\n')
    written = _relabelled(path, {0: "3", 1: "12345678901234567890"}).decode()
    assert written == '{"label": 3.0}\n{"label": 12345678901234567890}\n'  # each cell's type


def test_parquet_booleans_and_integers_with_gaps_are_relabelled(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    table = pa.table(
        {"flag": pa.array([True, False, None]), "label": pa.array([1, None, 0], pa.int64())}
    )
    pq.write_table(table, path)
    write_relabelled(read_table(path), tmp_path / "a.parquet", "flag", {0: "False", 2: "True"})
    assert pq.read_table(tmp_path / "a.parquet").column("flag").to_pylist() == [False, False, True]
    write_relabelled(read_table(path), tmp_path / "b.parquet", "label", {0: "0", 1: "1"})
    written = pq.read_table(tmp_path / "b.parquet")
    assert written.schema == table.schema
    assert written.column("label").to_pylist() == [0, 1, 0]


def test_writing_through_a_symlink_replaces_the_target_not_the_link(tmp_path: Path) -> None:
    """Only where asked (the data file of fix --in-place): a link names the user's data."""
    target = tmp_path / "real" / "d.csv"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "d.csv"
    link.symlink_to(target)
    write_bytes_atomically(link, b"new", through_link=True)
    assert link.is_symlink() and link.resolve() == target
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["d.csv"]


def test_no_write_goes_through_a_link_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "hook"
    target.write_text("old")
    link = tmp_path / "report.md"
    link.symlink_to(target)
    with pytest.raises(DatabugsError, match="symbolic link") as refused:
        write_files_atomically(tmp_path, {"issues.csv": "a", "report.md": "b"})
    assert refused.value.code is ErrorCode.CANNOT_WRITE
    assert target.read_text() == "old" and not (tmp_path / "issues.csv").exists()


def test_files_written_together_are_all_put_back_when_one_cannot_be(
    tmp_path: Path, monkeypatch
) -> None:
    """A rename failing half-way (a folder in the way, a full disk) leaves every file as it was."""
    for name in ("a.json", "b.md"):
        (tmp_path / name).write_text(f"old {name}")
    renames = []

    def failing_second(source, destination):
        renames.append(destination)
        if len(renames) == 2 and Path(destination).name == "b.md":
            raise OSError(28, "No space left on device")
        return os_replace(source, destination)

    os_replace = os.replace
    monkeypatch.setattr("databugs.data.write.os.replace", failing_second)
    with pytest.raises(OSError):
        write_files_atomically(tmp_path, {"a.json": "new a", "b.md": "new b", "c.csv": "new c"})
    assert (tmp_path / "a.json").read_text() == "old a.json"
    assert (tmp_path / "b.md").read_text() == "old b.md"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.md"]
