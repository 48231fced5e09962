"""No command writes over the file it reads; review and next say in one line when they cannot
write."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from databugs.cli import app
from tests.conftest import EXAMPLES, RULES, make_blobs_table, run, runner, scan


def _refused(result, *says: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    for text in says:
        assert text in result.output


@pytest.mark.parametrize("name", ["issues.csv", "corrected_labels.csv"])
def test_scan_never_writes_its_outputs_over_the_data(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    data = folder / name
    make_blobs_table(120).to_csv(data, index=False)
    before = data.read_bytes()
    result = run("scan", data, "--out", folder, "--jobs", "1", "--format", "plain")
    _refused(result, f"{data}: is the data")
    assert data.read_bytes() == before and sorted(os.listdir(folder)) == [name]


def test_scan_never_writes_its_outputs_over_the_gold_answers(tmp_path: Path) -> None:
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv").head(120)
    frame = frame.assign(ann_a=frame["label"], ann_b=frame["label"])
    data, out = tmp_path / "answers.csv", tmp_path / "rep"
    frame.to_csv(data, index=False)
    out.mkdir()
    gold = out / "issues.csv"
    frame[["message_id", "label"]].head(20).set_axis(["id", "label"], axis=1).to_csv(gold)
    before = gold.read_bytes()
    result = run(
        "scan",
        data,
        "--id",
        "message_id",
        "--annotators",
        "ann_a,ann_b",
        "--gold",
        gold,
        "--out",
        out,
        "--format",
        "plain",
    )
    _refused(result, f"{gold}: is the gold answers")
    assert gold.read_bytes() == before and sorted(os.listdir(out)) == ["issues.csv"]


def test_label_never_writes_over_its_data(tmp_path: Path) -> None:
    data = tmp_path / "weak_labels.csv"
    shutil.copy(EXAMPLES / "sms_sample.csv", data)
    before = data.read_bytes()
    result = run("label", data, "--rules", RULES, "--out", tmp_path, "--jobs", "1")
    _refused(result, f"{data}: is the input")
    assert data.read_bytes() == before


def test_next_never_writes_over_its_data(tmp_path: Path) -> None:
    frame = make_blobs_table(150)
    frame.loc[40:, "label"] = ""
    data = tmp_path / "to_label.csv"
    frame.to_csv(data, index=False)
    before = data.read_bytes()
    result = run("next", data, "--budget", "5", "--out", tmp_path)
    _refused(result, "is the data")
    assert data.read_bytes() == before


def test_next_into_an_unwritable_folder_is_one_line(tmp_path: Path, monkeypatch) -> None:
    frame = make_blobs_table(150)
    frame.loc[40:, "label"] = ""
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    (tmp_path / "taken").write_text("a file")
    _refused(run("next", data, "--budget", "5", "--out", tmp_path / "taken"), "cannot write")

    def full(_: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("databugs.data.write.os.fsync", full)
    result = run("next", data, "--budget", "5", "--out", tmp_path / "r")
    _refused(result, "to_label.csv", "No space left on device")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("review")
    frame = make_blobs_table(200, seed=7)
    for row in range(0, 200, 25):
        frame.loc[row, "label"] = "bird" if frame.loc[row, "label"] != "bird" else "cat"
    data = folder / "animals.csv"
    frame.to_csv(data, index=False)
    scan(data, folder / "r")
    return data, folder / "r"


def test_review_that_cannot_record_says_so_before_the_first_row(scanned, tmp_path) -> None:
    data = tmp_path / "animals.csv"
    shutil.copy(scanned[0], data)
    (tmp_path / "databugs-decisions.csv").mkdir()  # cannot be written, even by root
    review = runner.invoke(
        app, ["review", "--report", str(scanned[1]), "--data", str(data)], input="a\nq\n"
    )
    _refused(review, "databugs-decisions.csv", "cannot write")


def test_review_on_a_full_disk_is_one_line(scanned, tmp_path, monkeypatch) -> None:
    data = tmp_path / "animals.csv"
    shutil.copy(scanned[0], data)

    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("databugs.data.ledger.os.fsync", full)
    review = runner.invoke(
        app, ["review", "--report", str(scanned[1]), "--data", str(data)], input="a\nq\n"
    )
    assert review.exit_code == 2, review.output
    assert "Traceback" not in review.output
    assert "databugs-decisions.csv: cannot write (No space left on device)" in review.output


def test_review_and_fix_record_formulas_defused_and_read_them_back(scanned, tmp_path) -> None:
    data = tmp_path / "animals.csv"
    shutil.copy(scanned[0], data)
    command = [sys.executable, "-m", "databugs.cli", "review", "--report", str(scanned[1])]
    subprocess.run(
        [*command, "--data", str(data)],
        input="e\n+=cmd|' /C calc'!A0\nq\n",
        capture_output=True,
        text=True,
        check=True,
    )
    ledger = pd.read_csv(tmp_path / "databugs-decisions.csv", dtype=str, keep_default_na=False)
    assert ledger["new_label"].tolist() == ["'=cmd|' /C calc'!A0"]
    result = run("fix", "--report", scanned[1], "--data", data)
    assert result.exit_code == 0, result.output
    assert "applied 1 correction from the review" in result.output
    fixed = pd.read_csv(tmp_path / "animals.fixed.csv", dtype=str, keep_default_na=False)
    assert "=cmd|' /C calc'!A0" in fixed["label"].tolist()


def test_scan_writes_no_report_through_a_link_planted_in_its_folder(tmp_path: Path) -> None:
    """A link committed into the report folder (issues.csv -> the ledger, report.md -> a git
    hook) would aim the scan's write at that file: refused before the scan, nothing written."""
    data, out = tmp_path / "d.csv", tmp_path / "rep"
    make_blobs_table(120).to_csv(data, index=False)
    out.mkdir()
    hook = tmp_path / "pre-commit"
    hook.write_text("#!/bin/sh\n")
    (out / "report.md").symlink_to(hook)
    result = run("scan", data, "--out", out, "--jobs", "1", "--format", "plain")
    _refused(result, "report.md", "symbolic link")
    assert hook.read_text() == "#!/bin/sh\n" and sorted(os.listdir(out)) == ["report.md"]
