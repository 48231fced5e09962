"""GitHub Actions output: the step summary page and annotations on the data file's lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from tests.conftest import FAST, planted_letters, run


def test_github_actions_summary_and_annotations(tmp_path: Path, blobs_csv: Path) -> None:
    summary = tmp_path / "step-summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run(
        "scan", blobs_csv, "--out", tmp_path / "r", "-q", "--fail-on", "label_issues>0", env=env
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()  # the annotations; -q says the failed rule on stderr
    assert result.stderr.startswith("gate FAIL: label_issues>0")
    assert lines[0].startswith("::error title=databugs gate::label_issues>0 failed")
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    worst = report["issues"][0]
    assert f"file={blobs_csv},line={worst['row'] + 2}" in lines[1]
    assert "## Gate: **failed**" in summary.read_text()


def test_an_outlier_annotation_names_no_suggested_label(tmp_path: Path, blobs_csv: Path) -> None:
    frame = pd.read_csv(blobs_csv)
    frame.loc[7, "weight"] = 1e6  # a broken record: an outlier, for a person to decide
    data = tmp_path / "broken.csv"
    frame.to_csv(data, index=False)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    result = run("scan", data, "--out", tmp_path / "r", "-q", env=env)
    outliers = [line for line in result.stdout.splitlines() if "title=databugs outlier" in line]
    assert outliers and all("None" not in line and "->" not in line for line in outliers)


def test_annotations_point_at_the_line_each_row_starts_on(tmp_path: Path, blobs_csv: Path):
    """The line was row + 2, wrong below any cell holding a line break."""
    frame = pd.read_csv(blobs_csv)
    frame["note"] = ["seen twice\nby the vet" if row % 3 == 0 else "" for row in range(300)]
    data = tmp_path / "notes.csv"
    frame.to_csv(data, index=False)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    result = run("scan", data, "--out", tmp_path / "r", "-q", "--ignore", "note", env=env)
    found = re.findall(r"line=(\d+),title=[^:]*::row (\d+):", result.stdout)
    assert len(found) >= 3
    for line, row in found:  # rows 0, 3, 6, ... before this one take two lines each
        assert int(line) == 2 + int(row) + len(range(0, int(row), 3))


def test_annotations_of_a_test_row_name_the_test_file(tmp_path: Path) -> None:
    frame = planted_letters()
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    frame.iloc[:450].to_csv(train, index=False)
    frame.iloc[450:].to_csv(test, index=False)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    out = tmp_path / "r"
    result = run("scan", train, "--test", test, "--out", out, "-q", *FAST, env=env)
    issues = json.loads((out / "report.json").read_text())["issues"]
    flagged = {(i["split"], i["file_row"]) for i in issues if i["row"] is not None}
    said = re.findall(
        r"file=([^,]+),line=(\d+),title=[^:]*::row (train|test):(\d+):", result.stdout
    )
    assert {split for *_, split, _ in said} == {"train", "test"}
    for path, line, split, row in said:
        assert path == str(test if split == "test" else train) and int(line) == int(row) + 2
        assert (split, int(row)) in flagged


def test_a_label_holding_a_line_break_is_shown_as_one_not_as_a_space(
    tmp_path: Path, blobs_csv: Path
) -> None:
    """``ham\\nspam`` was annotated as ``ham spam``, which a real label may be."""
    frame = pd.read_csv(blobs_csv)
    frame["label"] = frame["label"].replace({"dog": "big\ndog"})
    data = tmp_path / "broken.csv"
    frame.to_csv(data, index=False)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    result = run("scan", data, "--out", tmp_path / "r", "-q", env=env)
    rows = [line for line in result.stdout.splitlines() if "title=databugs label_issue" in line]
    assert any("big\\ndog" in line for line in rows), rows
    assert not any("big dog" in line for line in rows)
