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


def test_a_report_edited_or_planted_in_the_folder_is_not_reused(
    tmp_path: Path, blobs_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull request can commit a report folder: its report.json with the counts zeroed and a
    reuse record computed from the data's sha256 passed a command-line gate. The record is
    sealed with this machine's key over the report's bytes, so such a report is scanned anew."""
    gate = ("--format", "plain", "--fail-on", "label_issues>0")
    out = tmp_path / "r"
    assert run("scan", blobs_csv, "--out", out, *gate).exit_code == 1
    report = json.loads((out / "report.json").read_text())
    forged = report | {"issues": [], "summary": report["summary"] | {"label_issues": 0}}
    (out / "report.json").write_text(json.dumps(forged))
    assert run("scan", blobs_csv, "--out", out, *gate).exit_code == 1  # scanned again
    assert json.loads((out / "report.json").read_text())["issues"] == report["issues"]

    from databugs.data import seal

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))
    seal._key.cache_clear()
    try:  # the same folder, copied to a machine with another key: its record is no one's

        def no_reuse(*args, **kwargs):
            raise AssertionError("reused")

        monkeypatch.setattr("databugs.pipeline.run.rewrite_reused", no_reuse)
        assert run("scan", blobs_csv, "--out", out, *gate).exit_code == 1
    finally:
        seal._key.cache_clear()
