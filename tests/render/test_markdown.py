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


def test_gate_rules_read_as_written_in_a_real_renderer(blobs_csv: Path, tmp_path: Path) -> None:
    """A rule is shown in a code span: inside one, `\\_` and `&gt;` would appear literally."""
    from markdown_it import MarkdownIt

    rules = "label_issues>2%,label_health<99.5%"
    result = run("scan", blobs_csv, "--out", tmp_path / "r", "-q", "--fail-on", rules)
    assert result.exit_code == 1, result.output
    page = (
        MarkdownIt("commonmark").enable("table").render((tmp_path / "r" / "report.md").read_text())
    )
    codes = re.findall(r"<td><code>(.*?)</code></td>", page)
    assert codes == [
        "label_issues&gt;2%",
        "label_health&lt;99.5%",
    ]  # HTML-escaped once: shown as typed
    assert "\\_" not in page and "&amp;gt;" not in page


def test_edge_spaces_of_labels_show_and_worst_labels_count_from_one(tmp_path: Path) -> None:
    """'Spam ' folded to 'Spam' reads as a label that needs no fix; the worst-labels list
    numbers its rows 1, 2, 3 even where other kinds hold ranks in between."""
    import pandas as pd

    from tests.conftest import EXAMPLES

    frame = pd.read_csv(EXAMPLES / "sms_sample.csv")
    spam = frame.index[frame["label"] == "spam"]
    frame.loc[spam[:20], "label"] = "Spam "
    data = tmp_path / "sms.csv"
    frame.to_csv(data, index=False)
    result = run("scan", data, "--out", tmp_path / "r", "--format", "plain", "--jobs", "1")
    assert result.exit_code == 0, result.output
    report = (tmp_path / "r" / "report.md").read_text()
    assert "| Spam␠ | spam |" in report
    worst = re.findall(r"^  #(\d+) row", result.output, flags=re.M)
    assert worst == [str(n) for n in range(1, len(worst) + 1)] and len(worst) == 10


def _sections(report_md: Path) -> set[str]:
    return {
        line[3:].split(" (")[0]
        for line in report_md.read_text().splitlines()
        if line.startswith("## ")
    }


def test_a_report_has_sections_only_for_what_its_scan_looked_at(
    sms_report: Path, tmp_path: Path
) -> None:
    """A class scan's report.md said "None found." under every multi-label, annotator and
    split kind, as if it had looked for tag issues in data with no tags."""
    from tests.conftest import scanned_two_files

    alone = _sections(sms_report / "report.md")
    assert {"label_issue", "label_spelling", "outlier", "empty_cells"} <= alone
    assert not alone & {"tag_issue", "rare_tag", "split_leakage", "split_shift"}
    assert not alone & {"annotator_disagreement", "annotator_systematic"}
    summary = (sms_report / "report.md").read_text().split("## ")[0]
    assert "tag\\_issue" not in summary and "label\\_issue" in summary
    page = (sms_report / "report.html").read_text()
    listed = page.split('<ul class="counts">')[1].split("</ul>")[0]
    assert "label_issue" in listed and "tag_issue" not in listed and "split_leakage" not in listed
    *_, out = scanned_two_files(tmp_path)
    split = _sections(out / "report.md")
    assert {"split_leakage", "split_shift", "label_issue"} <= split
