"""GitHub Actions output: the step summary page and annotations on the data file's lines."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.conftest import run


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
