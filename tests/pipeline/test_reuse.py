"""Re-checking a gate without rescanning: new rules on unchanged data reuse the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run


def test_new_gate_rules_on_unchanged_data_reuse_the_report(
    tmp_path: Path, blobs_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("scan", blobs_csv, "--out", tmp_path / "r", "-q").exit_code == 0
    issues = json.loads((tmp_path / "r" / "report.json").read_text())["issues"]

    def no_scan(*args, **kwargs):
        raise AssertionError("scanned again")

    monkeypatch.setattr("databugs.pipeline.scan.scan", no_scan)
    result = run(
        "scan",
        blobs_csv,
        "--out",
        tmp_path / "r",
        "--format",
        "plain",
        "--fail-on",
        "label_issues>0",
    )
    assert result.exit_code == 1
    assert "gate FAIL: label_issues>0" in result.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["issues"] == issues
    assert report["options"]["fail_on"] == "label_issues>0"
    assert report["gate"]["passed"] is False
    assert "## Gate: **failed**" in (tmp_path / "r" / "report.md").read_text()
    with blobs_csv.open("a") as data:  # new data: scanned again
        data.write("0.1,0.2,red,cat\n")
    monkeypatch.undo()
    again = run("scan", blobs_csv, "--out", tmp_path / "r", "-q")
    assert again.exit_code == 0
    assert json.loads((tmp_path / "r" / "report.json").read_text())["input"]["rows"] == 301
