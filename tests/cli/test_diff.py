"""databugs diff: what changed between two scans, as text and as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.conftest import run


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
