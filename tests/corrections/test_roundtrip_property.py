"""fix changes exactly the accepted labels: over random tables, CSV dialects and decisions,
every byte outside the accepted rows' label fields is kept, through the real ``databugs.fix``.

The report a scan would write is built here from what the test itself wrote into the file
(rows and labels), so a reader that saw other rows than those makes fix refuse or the
comparison fail.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import databugs
from databugs.data.io import file_sha256, read_table
from databugs.errors import DatabugsError, ErrorCode
from databugs.report.schema import SCHEMA
from tests.conftest import make_blobs_table, run, scan

CELL = st.text(
    alphabet=st.sampled_from(list("ab 0-=,;|\t\"'\n\ré日💥\u2028")), min_size=0, max_size=6
)
LABEL = st.sampled_from(["-1", "007", "a", "b", 'x"y', "c,d", "é", " sp ", "1.0", "l\nm", "q;r"])


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    quote_all: bool
    line_end: str
    final_newline: bool
    bom: bool


DIALECT = st.builds(
    Dialect,
    delimiter=st.sampled_from([",", ";", "\t"]),
    quote_all=st.booleans(),
    line_end=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
    bom=st.booleans(),
)


def _field(text: str, dialect: Dialect) -> str:
    """A cell as csv.writer would write it: quoted when it must be, or always."""
    special = any(char in text for char in (dialect.delimiter, '"', "\r", "\n"))
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if dialect.quote_all or special else text


@dataclass
class Written:
    """A CSV written field by field, with where each row's label field sits in it."""

    text: str
    label_spans: list[tuple[int, int]]


def _write_csv(header: list[str], rows: list[list[str]], label: int, dialect: Dialect) -> Written:
    text, spans = "", []
    for number, cells in enumerate([header, *rows]):
        for position, cell in enumerate(cells):
            if position:
                text += dialect.delimiter
            if number and position == label:
                spans.append((len(text), len(text) + len(_field(cell, dialect))))
            text += _field(cell, dialect)
        if number < len(rows) or dialect.final_newline:
            text += dialect.line_end
    return Written(text, spans)


def _report(folder: Path, data: Path, labels: list[str], new: dict[int, str]) -> Path:
    """The report.json a scan of ``data`` would hold, with a correction for each row of
    ``new``; the given labels are those the test wrote."""
    issues = [
        {
            "rank": rank,
            "kind": "label_issue",
            "row": row,
            "id": None,
            "given_label": labels[row],
            "suggested_label": suggestion,
            "score": 0.5,
            "group": None,
            "cluster": None,
            "key": None,
            "label_quality": 0.1,
            "detail": "",
            "content": None,
            "evidence": None,
        }
        for rank, (row, suggestion) in enumerate(sorted(new.items()), start=1)
    ]
    parts = {part: {} for part in ("options", "features", "notes", "kinds")}
    parts["summary"] = {"rows": len(labels), "counts": {}}  # as every report.json has
    report = {
        "schema": SCHEMA,
        "input": {
            "path": str(data),
            "format": "csv",
            "rows": len(labels),
            "sha256": file_sha256(data),
            "label": "label",
            "id": None,
        },
        **parts,
        "classes": [],
        "issues": issues,
    }
    path = folder / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


@st.composite
def cases(draw: st.DrawFn) -> tuple:
    width = draw(st.integers(1, 3))
    label = draw(st.integers(0, width))
    header = [f"c{number}" for number in range(width)]
    header.insert(label, "label")
    count = draw(st.integers(1, 6))
    rows = []
    for _ in range(count):
        cells = draw(st.lists(CELL, min_size=width, max_size=width))
        cells.insert(label, draw(LABEL))
        rows.append(cells)
    decided = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=count, unique=True))
    accepted = draw(st.sets(st.sampled_from(decided)))
    new = {
        row: draw(LABEL.filter(lambda text, row=row: text != rows[row][label])) for row in decided
    }
    return header, rows, label, draw(DIALECT), new, accepted, draw(st.booleans())


def _follows(output: str, position: int, piece: str) -> int:
    assert output.startswith(piece, position), (output[position:], piece)
    return position + len(piece)


def _check_only_labels_changed(
    original: Written, output: str, rows: list[list[str]], label: int, new: dict[int, str]
) -> None:
    """``output`` is ``original`` with each changed label field written anew (quoted or not,
    both are right), every byte between them as it was."""
    position, kept_from = 0, 0
    for row in sorted(new):
        start, end = original.label_spans[row]
        position = _follows(output, position, original.text[kept_from:start])
        renderings = {f'"{new[row].replace(chr(34), chr(34) * 2)}"', new[row]}
        following = original.text[end : end + 1]
        matching = [r for r in renderings if output.startswith(r + following, position)]
        assert matching, (output[position:], renderings)
        position, kept_from = position + len(max(matching, key=len)), end
    _follows(output, position, original.text[kept_from:])
    assert len(output) == position + len(original.text) - kept_from


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_fix_changes_exactly_the_accepted_labels(case: tuple) -> None:
    header, rows, label, dialect, new, accepted, in_place = case
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / ("d.tsv" if dialect.delimiter == "\t" else "d.csv")
        written = _write_csv(header, rows, label, dialect)
        original = (b"\xef\xbb\xbf" if dialect.bom else b"") + written.text.encode("utf-8")
        data.write_bytes(original)
        report = _report(Path(folder), data, [cells[label] for cells in rows], new)
        rejected = sorted(set(new) - accepted)
        result = databugs.fix(
            report,
            accept=[str(row) for row in sorted(accepted)],
            reject=[str(row) for row in rejected],
            in_place=in_place,
        )
        if not accepted:
            assert result.written is None and data.read_bytes() == original
            return
        output = result.written.read_bytes()
        assert output.startswith(b"\xef\xbb\xbf") == dialect.bom
        changed = {row: new[row] for row in accepted}
        text = output.decode("utf-8").removeprefix("\ufeff")
        _check_only_labels_changed(written, text, rows, label, changed)
        expected = [changed.get(row, cells[label]) for row, cells in enumerate(rows)]
        assert read_table(result.written).frame["label"].tolist() == expected
        kept = Path(folder) / f"d.orig{data.suffix}" if in_place else data
        assert kept.read_bytes() == original


def test_fix_refuses_when_the_file_holds_other_labels_than_the_scan_saw(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("text,label\nhello,a\nworld,b\n")
    report = _report(tmp_path, data, ["a", "a"], {1: "c"})  # a reader that saw row 1 as "a"
    with pytest.raises(DatabugsError, match="changed since the scan") as caught:
        databugs.fix(report, accept=["1"])
    assert caught.value.code is ErrorCode.DATA_CHANGED
    assert not (tmp_path / "d.fixed.csv").exists()


def test_fix_refuses_when_the_file_has_other_rows_than_the_scan_saw(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("text,label\nhello,a\nworld,b\n")
    report = _report(tmp_path, data, ["a", "b", "a"], {1: "c"})  # a reader that saw 3 rows
    with pytest.raises(DatabugsError, match="changed since the scan") as caught:
        databugs.fix(report, accept=["1"])
    assert caught.value.code is ErrorCode.DATA_CHANGED


def test_fix_in_place_through_a_symlink_writes_the_file_it_points_to(
    tmp_path: Path, blobs_csv: Path
) -> None:
    link = tmp_path / "linked" / "animals.csv"
    link.parent.mkdir()
    link.symlink_to(blobs_csv)
    original = blobs_csv.read_bytes()
    scan(link, tmp_path / "r")
    result = run("fix", "--report", tmp_path / "r", "--accept-top", "3", "--in-place")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == blobs_csv.resolve()
    assert blobs_csv.read_bytes() != original
    changed = [
        a != b
        for a, b in zip(original.splitlines(), blobs_csv.read_bytes().splitlines(), strict=True)
    ]
    assert sum(changed) == 3


def test_integer_labels_with_gaps_are_fixed_as_integers(tmp_path: Path) -> None:
    frame = make_blobs_table(300)
    labels = (frame["label"] == "dog").astype(int).to_numpy().copy()
    labels[[5, 40, 77, 120]] = 1 - labels[[5, 40, 77, 120]]
    column = pa.array([None if row % 50 == 0 else int(v) for row, v in enumerate(labels)])
    data = tmp_path / "d.parquet"
    pq.write_table(pa.table({"w": frame["weight"], "h": frame["height"], "label": column}), data)
    scan(data, tmp_path / "r")
    classes = json.loads((tmp_path / "r" / "report.json").read_text())["classes"]
    assert [entry["label"] for entry in classes] == ["0", "1"]
    result = run("fix", "--report", tmp_path / "r", "--accept-top", "3")
    assert result.exit_code == 0, result.output
    fixed = pq.read_table(tmp_path / "d.fixed.parquet")
    assert fixed.schema == pq.read_table(data).schema
    before, after = np.array(column.to_pylist()), np.array(fixed.column("label").to_pylist())
    assert (before != after).sum() == 3
