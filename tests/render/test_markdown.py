"""report.md from hostile data: each value stays in its table cell, on its row."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import SWAPPED_ROWS, run

HOSTILE_LABELS = {
    "cat": "c|a|t\n::error title=X::pwned",
    "dog": "dog\r| x |\u2028y",
    "bird": "b`|`",
}
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def test_labels_with_pipes_and_newlines_keep_every_table_whole(
    blobs_csv: Path, tmp_path: Path
) -> None:
    text = blobs_csv.read_text()
    for plain, hostile in HOSTILE_LABELS.items():
        text = text.replace(f",{plain}\n", f',"{hostile}"\n')
    data = tmp_path / "hostile.csv"
    data.write_text(text)
    result = run("scan", data, "--out", tmp_path / "r", "-q", "--jobs", "1")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "r" / "report.md").read_text().split("\n")
    tables = [[]]
    for line in lines:
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    rows = [row for table in tables for row in table]
    assert len(rows) > len(SWAPPED_ROWS) + 10
    for table in filter(None, tables):
        cells = {len(UNESCAPED_PIPE.findall(row)) for row in table}
        assert len(cells) == 1, table  # as many cells in every row as in the header
    assert not any(line.lstrip().startswith("::") for line in lines)
    assert any("c\\|a\\|t ::error title=X::pwned" in row for row in rows)
