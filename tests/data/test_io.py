"""Reading tables: every format as written, one clear error per bad file, Parquet datasets."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from databugs.data.io import detect_format, read_table
from databugs.data.validate import label_texts
from databugs.errors import DatabugsError
from tests.conftest import make_blobs_table, run, scan


def test_reads_every_format_with_the_same_content(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a b c", "d e f"], "label": ["x", "y"]})
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_csv(tmp_path / "d.tsv", sep="\t", index=False)
    frame.to_csv(tmp_path / "d.csv.gz", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    frame.to_json(tmp_path / "d.jsonl", orient="records", lines=True)
    with gzip.open(tmp_path / "d.jsonl.gz", "wt") as out:
        out.write(frame.to_json(orient="records", lines=True))
    for name in ["d.csv", "d.tsv", "d.csv.gz", "d.parquet", "d.jsonl", "d.jsonl.gz"]:
        table = read_table(tmp_path / name)
        assert table.frame["label"].tolist() == ["x", "y"], name
        assert len(table.sha256) == 64


def test_csv_cells_are_kept_exactly_as_written(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("label,x\n007,1.50\n-1,NA\n")
    frame = read_table(path).frame
    assert frame["label"].tolist() == ["007", "-1"]
    assert frame["x"].tolist() == ["1.50", "NA"]


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [
        ("d.xlsx", "x", "unknown_format", "unknown file format"),
        ("d.csv", "", "empty_file", "empty"),
        ("d.csv", "a,label\n", "empty_file", "no rows"),
        ("d.csv", "a,a\n1,2\n", "duplicate_column", "'a' appears more than once"),
        ("d.csv", "a,label\n1,x\n2,y,3\n", "bad_row", "line 3 has 3 fields, the header 2"),
        ("d.csv", "a,b,label\n1,2,x,\n3,4,y,\n", "bad_row", "line 2 has 4 fields, the header 3"),
        ("d.csv", 'a,label\n1,x\n2,"y\n3,z\n', "bad_row", "line 3: a quoted field is not closed"),
        ("d.jsonl", '{"a": 1}\n{"a": \n', "bad_row", "line 2 is not valid JSON"),
        ("d.jsonl", '{"a": 1, "a": 2}\n', "duplicate_column", "appears more than once"),
        ("d.parquet", "not parquet", "unreadable_file", "not a readable Parquet"),
    ],
)
def test_bad_files_raise_one_clear_error(
    tmp_path: Path, name: str, content: str, code: str, words: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DatabugsError) as caught:
        read_table(path)
    assert caught.value.code == code
    assert words in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatabugsError, match="no such file"):
        read_table(tmp_path / "nope.csv")


def test_detect_format_knows_gzip_suffixes() -> None:
    assert detect_format(Path("a.b.csv.gz")) == ("csv", ".csv.gz")
    assert detect_format(Path("A.PARQUET")) == ("parquet", ".parquet")


def test_a_parquet_folder_or_glob_reads_as_one_table_in_file_order(tmp_path):
    from typer.testing import CliRunner

    from databugs.cli import app

    frame = pd.DataFrame({"x": [v % 7 * 1.5 for v in range(30)], "label": ["a", "b", "c"] * 10})
    parts = tmp_path / "parts"
    parts.mkdir()
    for number in (2, 0, 1):  # written out of order: read in name order
        frame.iloc[number * 10 : number * 10 + 10].to_parquet(parts / f"part-{number}.parquet")
    (parts / "notes.txt").write_text("not data")
    for given in (parts, f"{parts}/part-*.parquet", f"{parts}/"):
        table = read_table(given)
        assert table.format == "parquet"
        pd.testing.assert_frame_equal(table.frame, frame)
    runner = CliRunner()
    scanned = runner.invoke(app, ["scan", str(parts), "--out", str(tmp_path / "out"), "-q"])
    assert scanned.exit_code in (0, 1), scanned.output
    refused = runner.invoke(app, ["fix", "--report", str(tmp_path / "out"), "--accept-top", "1"])
    assert refused.exit_code == 2
    assert "written to single files only" in refused.output


def test_a_file_whose_name_looks_like_a_glob_is_still_a_file(tmp_path):
    path = tmp_path / "labels[v2].csv"
    path.write_text("x,label\n1,a\n2,b\n")
    assert read_table(path).frame["label"].tolist() == ["a", "b"]


def test_dataset_parts_are_read_in_natural_order(tmp_path):
    for number in (10, 2, 1):
        pd.DataFrame({"part": [number]}).to_parquet(tmp_path / f"part-{number}.parquet")
    assert read_table(tmp_path).frame["part"].tolist() == [1, 2, 10]


def test_a_folder_named_like_a_pattern_is_read_as_a_folder(tmp_path):
    folder = tmp_path / "labels[2024]"
    folder.mkdir()
    pd.DataFrame({"x": [1, 2]}).to_parquet(folder / "part-0.parquet")
    assert read_table(folder).frame["x"].tolist() == [1, 2]


def test_parts_numbered_alike_are_read_in_one_order(tmp_path):
    pd.DataFrame({"part": ["1"]}).to_parquet(tmp_path / "part-1.parquet")
    pd.DataFrame({"part": ["01"]}).to_parquet(tmp_path / "part-01.parquet")
    assert read_table(tmp_path).frame["part"].tolist() == ["01", "1"]


def test_a_changed_part_changes_the_dataset_fingerprint(tmp_path, dataset, letters):
    from databugs.data.io import read_table

    _, parts = dataset
    before = read_table(parts)
    letters.iloc[:10].to_parquet(parts / "part-9.parquet")
    after = read_table(parts)
    assert len(after.frame) == len(before.frame) + 10
    assert after.sha256 != before.sha256


def test_a_line_of_two_quotes_is_a_row_and_blank_lines_are_not(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('a,b,label\n1,2,x\n""\n   \n\n3,4,y\n')
    frame = read_table(path).frame
    assert frame.to_dict("list") == {
        "a": ["1", "", "3"],
        "b": ["2", "", "4"],
        "label": ["x", "", "y"],
    }


def test_quoted_fields_may_hold_delimiters_quotes_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b'"text","label"\r\n"a, ""b""\r\nc","x"\n"d",y\r\n')
    assert read_table(path).frame.to_dict("list") == {
        "text": ['a, "b"\r\nc', "d"],
        "label": ["x", "y"],
    }


def test_a_short_line_is_padded_with_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,b,label\n1\n2,3,y\n")
    assert read_table(path).frame["label"].tolist() == ["", "y"]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_a_csv_with_another_delimiter_is_read_by_it(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        delimiter.join(["x", "text", "label"]) + "\n" + delimiter.join(["1,5", "a, b", "y"]) + "\n"
    )
    table = read_table(path)
    assert table.frame.to_dict("list") == {"x": ["1,5"], "text": ["a, b"], "label": ["y"]}
    assert table.delimiter == delimiter


def test_integer_labels_with_gaps_stay_integers(tmp_path: Path) -> None:
    pq.write_table(pa.table({"label": pa.array([1, None, 0], pa.int64())}), tmp_path / "d.parquet")
    (tmp_path / "d.jsonl").write_text('{"label": 1}\n{"label": null}\n{"label": 0}\n')
    for name in ("d.parquet", "d.jsonl"):
        labels = label_texts(read_table(tmp_path / name).frame["label"])
        assert labels == ["1", None, "0"], name


def test_json_arrays_as_labels_are_refused_and_as_features_scanned(tmp_path: Path) -> None:
    """Tag lists written as JSON arrays were read as classes such as '["a", "b"]', and fix
    wrote the suggestion as text over the array."""
    frame = make_blobs_table(150)
    tags = [["warm", "round"] if c == "red" else ["cold"] for c in frame["colour"]]
    records = frame.drop(columns="label").assign(tags=tags).to_dict("records")
    data = tmp_path / "tagged.jsonl"
    data.write_text("".join(json.dumps(record) + "\n" for record in records))
    result = run("scan", data, "--label", "tags", "--out", tmp_path / "r", "--jobs", "1")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "column 'tags' holds JSON arrays or objects, not labels" in result.output
    assert not (tmp_path / "r").exists()
    records = frame.assign(tags=tags).to_dict("records")  # the arrays beside a plain label
    data.write_text("".join(json.dumps(record) + "\n" for record in records))
    assert scan(data, tmp_path / "r2", "--label", "label").exit_code == 0


def test_a_parquet_binary_column_is_read_as_text(tmp_path: Path) -> None:
    """Bytes that are no UTF-8 ended the scan in a traceback wherever a cell became text."""
    path = tmp_path / "d.parquet"
    blobs = [b"\xff\xfe\x00", b"plain", None]
    pq.write_table(pa.table({"label": ["a", "b", "a"], "blob": pa.array(blobs, pa.binary())}), path)
    read = read_table(path).frame["blob"].tolist()
    assert read[:2] == ["\\xff\\xfe\x00", "plain"] and pd.isna(read[2])


@pytest.mark.parametrize("delimiter", ["\t", ","])
def test_a_stray_quote_is_refused_not_left_to_swallow_rows(tmp_path: Path, delimiter: str) -> None:
    """``"Great`` opening a review joined it and the next two rows into one cell, the file read
    as 2 rows of 4 with no word; quoted fields holding delimiters, quotes and line breaks, as
    writers quote them, still read."""
    data = tmp_path / ("reviews.tsv" if delimiter == "\t" else "reviews.csv")
    rows = ["id,text,label", '1,"Great phone,pos', "2,bad one,neg", '3,ok "fine",pos', "4,meh,neg"]
    data.write_text("\n".join(row.replace(",", delimiter) for row in rows) + "\n")
    with pytest.raises(
        DatabugsError, match=r"line 2: a quoted field runs over 3 lines and goes on"
    ):
        read_table(data)
    fine = tmp_path / ("fine.tsv" if delimiter == "\t" else "fine.csv")
    cells = [f"a{delimiter}b", "two\nlines", f'say "hi"{delimiter}\nthen']
    pd.DataFrame({"text": cells, "label": ["x", "y", "z"]}).to_csv(fine, sep=delimiter, index=False)
    assert read_table(fine).frame["text"].tolist() == cells


@pytest.mark.parametrize("delimiter", ["\t", ","])
def test_a_stray_quote_closed_by_an_inch_mark_is_refused(tmp_path: Path, delimiter: str) -> None:
    """``"Great product`` opening a review and ``TV 12"`` (an inch mark) two lines on made
    one quoted cell of rows 1 and 2, properly closed, and the file read a row short with no
    word. Each line it spans reads as a whole row (an id, a label of the column's); a text
    quoted across lines, commas and all, does not (nor do bbc_news, sms_spam and banking77
    written by pandas: none refused)."""
    rows = ["id,text,label", "0,fine,neg", '1,"Great product,pos', '2,TV 12",neg', "3,ok,pos"]
    rows += [f"{n},review {n},{'neg' if n % 2 else 'pos'}" for n in range(4, 10)]
    data = tmp_path / ("inch.tsv" if delimiter == "\t" else "inch.csv")
    data.write_text("\n".join(row.replace(",", delimiter) for row in rows) + "\n")
    with pytest.raises(DatabugsError, match=r"line 3: a quoted field runs over 2 lines and each"):
        read_table(data)
    cells = [f"Hi{delimiter} there\nBye{delimiter} now", *[f"text {n}" for n in range(9)]]
    quoted = pd.DataFrame({"id": range(10), "text": cells, "label": ["pos", "neg"] * 5})
    fine = tmp_path / ("fine.tsv" if delimiter == "\t" else "fine.csv")
    quoted.to_csv(fine, sep=delimiter, index=False)
    assert read_table(fine).frame["text"].tolist() == cells
    labelled = f'"Intro"{delimiter}"Hello{delimiter} a\nBye{delimiter} b"{delimiter}a\n'
    rest = "".join(f"t{n}{delimiter}b{n}{delimiter}{'ab'[n % 2]}\n" for n in range(5))
    fine.write_text(f"title{delimiter}body{delimiter}label\n" + labelled + rest)
    assert len(read_table(fine).frame) == 6  # only a label to fit on each line: no evidence


def test_empty_columns_past_the_data_are_read_and_left_out_as_empty(tmp_path: Path) -> None:
    """Lines ending ``,,`` (a spreadsheet selection wider than the data) were refused: "the
    column name '' appears more than once"."""
    from databugs.data.features import build_features

    data = tmp_path / "export.csv"
    data.write_text("size,label,,\n1.5,x,,\n2.5,y,,\n3.5,x,,\n")
    frame = read_table(data).frame
    assert list(frame.columns) == ["size", "label", "Unnamed: 2", "Unnamed: 3"]
    uses = {use.column: use for use in build_features(frame, exclude=["label"]).columns}
    assert uses["Unnamed: 2"].reason == uses["Unnamed: 3"].reason == "empty"
    with pytest.raises(DatabugsError, match="the column name 'a' appears more than once"):
        (tmp_path / "twice.csv").write_text("a,a,label\n1,2,x\n")
        read_table(tmp_path / "twice.csv")


def test_a_windows_encoded_file_is_refused_naming_its_line_and_how_to_save_it(
    tmp_path: Path,
) -> None:
    """Excel on Windows writes Windows-1252: the refusal said "byte 40" of a decoded chunk."""
    data = tmp_path / "cities.csv"
    frame = pd.DataFrame({"city": ["Bern"] * 30 + ["Zürich"], "label": ["a", "b"] * 15 + ["a"]})
    frame.to_csv(data, encoding="cp1252", index=False)
    with pytest.raises(DatabugsError) as raised:
        read_table(data)
    assert str(raised.value).startswith(f"{data}: line 32 is not UTF-8 text")
    assert "'Zürich,a'" in str(raised.value) and "iconv -f cp1252 -t utf-8" in raised.value.hint


def test_a_header_repeated_inside_the_file_is_refused_naming_its_line(tmp_path: Path) -> None:
    """Two exports joined: the second header became a row of class 'label' (a rare class)."""
    data = tmp_path / "joined.csv"
    data.write_text("size,label\n1.5,x\n2.5,y\n\nsize,label\n3.5,x\n")
    with pytest.raises(DatabugsError, match=r"joined.csv: line 5 repeats the header"):
        read_table(data)
    (tmp_path / "fine.csv").write_text("size,label\n1.5,x\nsize,y\n")  # one cell alike: a value
    assert len(read_table(tmp_path / "fine.csv").frame) == 2


def test_a_utf16_file_is_refused_as_utf16_not_as_windows_text(tmp_path: Path) -> None:
    """Excel's 'Unicode Text' is UTF-16 with a byte-order mark: it was called Windows-1252."""
    data = tmp_path / "unicode.tsv"
    data.write_text("text\tlabel\nhello there\tspam\nbye now\tham\n", encoding="utf-16")
    with pytest.raises(DatabugsError) as raised:
        read_table(data)
    assert str(raised.value).startswith(
        f"{data}: the file is UTF-16 text, not UTF-8 (Excel's 'Unicode Text' is saved so)"
    )
    assert "iconv -f utf-16 -t utf-8" in raised.value.hint
    data.write_text("text\tlabel\nhello there\tspam\n", encoding="utf-32")  # little-endian
    with pytest.raises(DatabugsError) as raised:
        read_table(data)
    assert str(raised.value).startswith(f"{data}: the file is UTF-32 text, not UTF-8")
    assert "iconv -f utf-32 -t utf-8" in raised.value.hint


def test_objects_in_a_jsonl_file_are_a_column_per_field(tmp_path: Path) -> None:
    """An export with ``{"user": {"age": 31, ...}}`` was scanned on the object's JSON text, a
    few words of TF-IDF: the age that carries the label was no number. Its fields are columns
    now (``user.age``), a label among them is refused (``fix`` writes a line's own members),
    and ``fix`` leaves every other byte of a line as it was."""
    frame = make_blobs_table(300, seed=4)
    records = [
        {"user": {"weight": w, "height": h, "colour": {"name": c}}, "label": label}
        for w, h, c, label in frame[["weight", "height", "colour", "label"]].itertuples(False)
    ]
    records[0]["user"] = None
    data = tmp_path / "export.jsonl"
    data.write_text("".join(json.dumps(record) + "\n" for record in records))
    table = read_table(data)
    assert list(table.frame.columns) == ["user.weight", "user.height", "user.colour.name", "label"]
    assert table.frame["user.weight"].iloc[1:].tolist() == frame["weight"].iloc[1:].tolist()
    result = run("scan", data, "--label", "user.colour.name", "--out", tmp_path / "r")
    assert result.exit_code == 2 and "is a field inside the lines' JSON objects" in result.output
    dogs = frame.index[frame["label"] == "dog"][1:6]
    for row in dogs:
        records[row]["label"] = "cat"
    data.write_text("".join(json.dumps(record) + "\n" for record in records))
    assert scan(data, tmp_path / "r", "--label", "label").exit_code == 0
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    uses = {use["column"]: use["used_as"] for use in report["features"]}
    assert uses["user.weight"] == uses["user.height"] == "numeric"
    flagged = {issue["row"] for issue in report["issues"] if issue["kind"] == "label_issue"}
    assert len(set(dogs) & flagged) >= 4
    fixed = tmp_path / "fixed.jsonl"
    accepted = run("fix", "--report", tmp_path / "r", "--accept-top", "5", "--output", fixed)
    assert accepted.exit_code == 0
    lines = fixed.read_text().splitlines()
    assert json.loads(lines[dogs[0]])["user"] == records[dogs[0]]["user"]
    assert sum(json.loads(line)["label"] == "dog" for line in lines) > sum(
        record["label"] == "dog" for record in records
    )


def test_an_object_of_many_sparse_keys_stays_its_json_text(tmp_path: Path) -> None:
    """Attributes as an object of 3,000 possible keys, ten a line, became 3,000 mostly empty
    columns: a scan of 5,000 lines took 190 s and 2 GB (9 s as JSON text). An object of
    more than MAX_FIELDS fields is its JSON text; a small one next to it is still fields."""
    rng = np.random.default_rng(0)
    records = [
        {
            "attrs": {f"k{key}": 1 for key in rng.choice(3000, 10, replace=False)},
            "user": {"age": int(rng.integers(18, 90))},
            "label": "a",
        }
        for _ in range(300)
    ]
    data = tmp_path / "export.jsonl"
    data.write_text("".join(json.dumps(record) + "\n" for record in records))
    table = read_table(data)
    assert list(table.frame.columns) == ["attrs", "user.age", "label"]
    assert table.nested == ("attrs",) and table.fields == ("user.age",)
    assert json.loads(table.frame["attrs"].iloc[7]) == records[7]["attrs"]


def test_deep_or_clashing_objects_in_jsonl_stay_json_text(tmp_path: Path) -> None:
    """Objects 900 levels deep stopped the scan with a RecursionError traceback (pandas'
    ``json_normalize`` copies each object), 1,200 levels already in ``json``; a field written
    both ways (``{"c.d": 1, "c": {"d": 2}}``) lost one of its values."""
    data = tmp_path / "deep.jsonl"
    deep = '{"y": ' * 900 + "1" + "}" * 900
    data.write_text("".join(f'{{"x": {deep}, "label": "{c}"}}\n' for c in "abab"))
    table = read_table(data)
    assert list(table.frame.columns) == ["x" + ".y" * 9, "label"]  # nine levels as fields
    assert table.frame.iloc[0, 0] == '{"y": ' * 891 + "1" + "}" * 891
    data.write_text('{"x": ' + '{"y": ' * 1200 + "1" + "}" * 1201 + ', "label": "a"}\n')
    with pytest.raises(DatabugsError, match=r"line 1 nests JSON objects or arrays too deep"):
        read_table(data)
    data.write_text('{"b": {"c.d": 1, "c": {"d": 2}}, "label": "a"}\n' * 2)
    assert read_table(data).frame["b"].tolist() == ['{"c.d": 1, "c": {"d": 2}}'] * 2
