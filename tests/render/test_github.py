"""GitHub Actions output: the step summary page and annotations on the data file's lines."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run


def test_github_actions_summary_and_annotations(tmp_path: Path, blobs_csv: Path) -> None:
    summary = tmp_path / "step-summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run(
        "scan", blobs_csv, "--out", tmp_path / "r", "-q", "--fail-on", "label_issues>0", env=env
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("::error title=databugs gate::label_issues>0 failed")
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    worst = report["issues"][0]
    assert f"file={blobs_csv},line={worst['row'] + 2}" in lines[1]
    assert "## Gate: **failed**" in summary.read_text()
