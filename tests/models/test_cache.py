"""The model cache: a second scan of unchanged data fits no model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run


def test_a_second_scan_of_unchanged_data_reuses_the_models(
    tmp_path: Path, blobs_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run("scan", blobs_csv, "--out", tmp_path / "r", "-q")
    assert first.exit_code == 0
    before = (tmp_path / "r" / "report.json").read_bytes()

    def no_fitting(*args, **kwargs):
        raise AssertionError("models were fitted again")

    monkeypatch.setattr("databugs.pipeline.fit.out_of_fold_probabilities", no_fitting)
    second = run("scan", blobs_csv, "--out", tmp_path / "r", "-q", "--fail-on", "label_issues>90%")
    assert second.exit_code == 0, second.output
    after = json.loads((tmp_path / "r" / "report.json").read_text())
    assert after["issues"] == json.loads(before)["issues"]
