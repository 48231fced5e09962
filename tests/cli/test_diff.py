"""databugs diff: what changed between two scans, as text and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from databugs.gate.baseline import render_comparison
from tests.conftest import EXAMPLES, run


def test_diff_command(tmp_path: Path, blobs_csv: Path) -> None:
    run("scan", blobs_csv, "--out", tmp_path / "a", "--format", "plain")
    frame = pd.read_csv(blobs_csv)
    frame.loc[100, "label"] = "bird" if frame.loc[100, "label"] != "bird" else "dog"
    frame.to_csv(blobs_csv, index=False)
    run("scan", blobs_csv, "--out", tmp_path / "b", "--format", "plain")
    result = run("diff", tmp_path / "a", tmp_path / "b/report.json")
    assert result.exit_code == 0
    assert "new: label_issue 1" in result.output
    as_json = json.loads(run("diff", tmp_path / "a", tmp_path / "b", "--format", "json").output)
    assert as_json["new_issues"][0]["row"] == 100
    assert as_json["warnings"] == []
    assert "warning" not in result.output


def test_diff_of_unrelated_datasets_warns(tmp_path: Path, blobs_csv: Path) -> None:
    run("scan", blobs_csv, "--out", tmp_path / "a", "--format", "plain")
    sms = tmp_path / "sms.csv"
    sms.write_bytes((EXAMPLES / "sms_sample.csv").read_bytes())
    run("scan", sms, "--out", tmp_path / "b", "--format", "plain")
    result = run("diff", tmp_path / "a", tmp_path / "b")
    assert result.exit_code == 0
    warning = "warning: the two scans share no column besides the label; are they scans of"
    assert f"{warning} the same dataset?" in result.output


def test_dataset_level_issues_are_not_given_a_row(tmp_path: Path, blobs_csv: Path) -> None:
    run("scan", blobs_csv, "--out", tmp_path / "a", "--format", "plain")
    frame = pd.read_csv(blobs_csv)
    frame.loc[frame.index[frame["label"] == "bird"][5:], "label"] = "cat"  # birds become rare
    frame.to_csv(blobs_csv, index=False)
    run("scan", blobs_csv, "--out", tmp_path / "b", "--format", "plain")
    comparison = json.loads(run("diff", tmp_path / "a", tmp_path / "b", "--format", "json").output)
    dataset_level = [issue for issue in comparison["new_issues"] if issue["row"] is None]
    assert {issue["kind"] for issue in dataset_level} >= {"class_imbalance", "confusable_classes"}
    shown = render_comparison({**comparison, "new_issues": dataset_level})
    assert "+ class_imbalance: 'bird' has 5 rows" in shown
    assert "row None" not in shown
