"""Writing data back: only the label cells change, every other byte and type is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from databugs.data.io import read_table
from databugs.data.write import write_relabelled


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


def test_a_byte_order_mark_is_not_part_of_the_header_and_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b"\xef\xbb\xbflabel,x\r\na,1\r\nb,2\r\n")
    table = read_table(path)
    assert list(table.frame.columns) == ["label", "x"]
    out = tmp_path / "out.csv"
    write_relabelled(table, out, "label", {0: "b"})
    assert out.read_bytes() == b"\xef\xbb\xbflabel,x\r\nb,1\r\nb,2\r\n"
