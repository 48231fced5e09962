"""The command line as a user runs it: CliRunner for most, a real subprocess for the edge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from databugs.cli import app
from tests.conftest import SWAPPED_ROWS

runner = CliRunner()


def run(*args: str) -> object:
    return runner.invoke(app, [str(arg) for arg in args])


def scan(data: Path, out: Path, *extra: str) -> object:
    result = run("scan", data, "--out", out, "--format", "plain", "--jobs", "1", *extra)
    assert result.exit_code == 0, result.output
    return result


def test_scan_writes_every_output_as_spec_says(blobs_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = scan(blobs_csv, out)
    assert "label health" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["schema"] == "databugs.report/1"
    assert report["input"]["rows"] == 300 and report["input"]["label"] == "label"
    assert len(report["input"]["sha256"]) == 64
    corrected = pd.read_csv(out / "corrected_labels.csv", keep_default_na=False)
    assert list(corrected.columns) == [
        "row",
        "id",
        "given_label",
        "suggested_label",
        "label_quality",
        "is_label_issue",
    ]
    assert corrected["row"].tolist() == list(range(300))
    flagged = set(corrected.loc[corrected["is_label_issue"], "row"])
    assert len(flagged & SWAPPED_ROWS) >= 5, flagged
    assert len(flagged - SWAPPED_ROWS) <= 2, flagged
    unflagged = corrected[~corrected["is_label_issue"]]
    assert (unflagged["suggested_label"] == unflagged["given_label"]).all()
    issues = pd.read_csv(out / "issues.csv", keep_default_na=False)
    assert list(issues.columns) == [
        "rank",
        "kind",
        "row",
        "id",
        "given_label",
        "suggested_label",
        "score",
        "group",
        "detail",
    ]
    assert issues["rank"].tolist() == list(range(1, len(issues) + 1))
    assert issues["score"].is_monotonic_decreasing
    assert "## label_issue" in (out / "report.md").read_text()


def test_same_input_and_seed_give_identical_outputs(blobs_csv: Path, tmp_path: Path) -> None:
    scan(blobs_csv, tmp_path / "a", "--jobs", "1")
    scan(blobs_csv, tmp_path / "b", "--jobs", "2")
    for name in ["report.json", "report.md", "issues.csv", "corrected_labels.csv"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_json_format_prints_the_summary(blobs_csv: Path, tmp_path: Path) -> None:
    result = run("scan", blobs_csv, "--out", tmp_path / "r", "--format", "json")
    payload = json.loads(result.output)
    assert payload["summary"]["rows"] == 300
    assert payload["outputs"]["report.json"].endswith("report.json")


def test_labels_are_kept_exactly_as_written(tmp_path: Path, blobs) -> None:
    frame = blobs.assign(label=blobs["label"].map({"cat": "-1", "dog": "007", "bird": "=bird"}))
    frame.loc[3, "label"] = "007" if frame.loc[3, "label"] != "007" else "-1"
    frame.loc[10, "label"] = ""
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    scan(path, tmp_path / "r")
    corrected = (tmp_path / "r" / "corrected_labels.csv").read_text().splitlines()
    given = {line.split(",")[2] for line in corrected[1:]}
    assert given == {"-1", "007", "'=bird", ""}  # a formula-like label is defused, -1 is not
    row10 = corrected[11].split(",")
    assert row10[2:] == ["", "", "", "false"]  # unlabelled: not scored, not flagged
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["summary"]["unlabelled"] == 1
    assert {c["label"] for c in report["classes"]} == {"-1", "007", "=bird"}


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("a,b\n1,x\n2,y\n", [], "no label column"),
        ("a,label\n1,x\n2,x\n", [], "only the class 'x'"),
        ("a,label\n1,x\n2,y\n", ["--label", "nope"], "no column 'nope'"),
        ("a,label\n1,x\n2,y\n", ["--id", "a", "--ignore", "zz"], "no column 'zz'"),
        ("k,a,label\n1,1,x\n1,2,y\n", ["--id", "k"], "appears more than once"),
        ("a,label\n1,x\n2,y\n", ["--folds", "1"], "--folds 1 is below 2"),
        ("a,label\n1,x\n2,y\n", ["--model", "gpt"], "not a known model"),
        ("a,label,label\n1,x,y\n", [], "appears more than once"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, content: str, args: list[str], message: str
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(content)
    out = tmp_path / "r"
    result = run("scan", path, "--out", out, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing half-written


def test_a_class_smaller_than_the_folds_does_not_crash(blobs_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(blobs_csv)
    frame.loc[[0, 1], "label"] = "fish"
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    scan(path, tmp_path / "r")
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert any("'fish' has 2 rows" in note for note in report["notes"])


def test_scan_then_fix_round_trip(blobs_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    scan(blobs_csv, out)
    issues = pd.read_csv(out / "issues.csv", keep_default_na=False)
    issues = issues[issues["kind"] == "label_issue"]
    top = issues.head(3)
    original = blobs_csv.read_bytes()

    dry = run("fix", "--report", out, "--accept-top", "3", "--dry-run")
    assert dry.exit_code == 0 and "would write" in dry.output
    assert not (tmp_path / "animals.fixed.csv").exists()

    rejected_row = int(issues["row"].iat[3])
    result = run("fix", "--report", out, "--accept-top", "3", "--reject", str(rejected_row))
    assert result.exit_code == 0, result.output
    assert blobs_csv.read_bytes() == original  # the input is never modified
    before = pd.read_csv(blobs_csv, dtype=str, keep_default_na=False)
    after = pd.read_csv(tmp_path / "animals.fixed.csv", dtype=str, keep_default_na=False)
    changed = before.index[(before != after).any(axis=1)].tolist()
    assert changed == sorted(top["row"].astype(int).tolist())
    assert after.loc[top["row"].astype(int), "label"].tolist() == top["suggested_label"].tolist()
    assert (before.drop(columns="label") == after.drop(columns="label")).all().all()

    ledger = pd.read_csv(tmp_path / "databugs-decisions.csv", keep_default_na=False)
    assert sorted(ledger["decision"]) == ["accepted"] * 3 + ["rejected"]

    rescan = scan(blobs_csv, tmp_path / "r2")
    again = pd.read_csv(tmp_path / "r2" / "corrected_labels.csv")
    assert not again.loc[rejected_row, "is_label_issue"]
    assert "rejected in databugs-decisions.csv" in rescan.output


def test_fix_refuses_changed_data(blobs_csv: Path, tmp_path: Path) -> None:
    scan(blobs_csv, tmp_path / "r")
    blobs_csv.write_text(blobs_csv.read_text() + "1,1,red,cat\n")
    result = run("fix", "--report", tmp_path / "r", "--accept-top", "2")
    assert result.exit_code == 2
    assert "changed since the scan" in result.output
    assert not (tmp_path / "animals.fixed.csv").exists()


def test_fix_in_place_keeps_the_original(tmp_path: Path, blobs_csv: Path) -> None:
    parquet = tmp_path / "animals.parquet"
    pd.read_csv(blobs_csv).to_parquet(parquet)
    scan(parquet, tmp_path / "r")
    original = parquet.read_bytes()
    result = run("fix", "--report", tmp_path / "r", "--min-quality", "0.2", "--in-place")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "animals.orig.parquet").read_bytes() == original
    fixed = pd.read_parquet(parquet)
    assert fixed.dtypes.equals(pd.read_parquet(tmp_path / "animals.orig.parquet").dtypes)


def test_fix_by_id(tmp_path: Path, blobs_csv: Path) -> None:
    frame = pd.read_csv(blobs_csv)
    frame.insert(0, "animal_id", [f"a{i}" for i in range(len(frame))])
    path = tmp_path / "ids.csv"
    frame.to_csv(path, index=False)
    scan(path, tmp_path / "r", "--id", "animal_id")
    issues = pd.read_csv(tmp_path / "r" / "issues.csv", dtype=str, keep_default_na=False)
    issues = issues[issues["kind"] == "label_issue"]
    first = issues["id"].iat[0]
    assert first == f"a{issues['row'].iat[0]}"
    result = run("fix", "--report", tmp_path / "r", "--accept", first)
    assert result.exit_code == 0, result.output
    assert "1 corrections accepted" in result.output
    bad = run("fix", "--report", tmp_path / "r", "--accept", "a99999")
    assert bad.exit_code == 2 and "id a99999 has no suggested correction" in bad.output


def test_help_has_worked_examples() -> None:
    for command in ["scan", "fix"]:
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output


def test_real_process_exit_codes(tmp_path: Path, blobs_csv: Path) -> None:
    command = [sys.executable, "-m", "databugs.cli"]
    bad = subprocess.run(
        [*command, "scan", str(tmp_path / "none.csv")], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "no such file" in bad.stderr
    good = subprocess.run(
        [*command, "scan", str(blobs_csv), "--out", str(tmp_path / "r"), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert good.returncode == 0, good.stderr


def test_an_unwritable_out_folder_is_a_clear_error(blobs_csv: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    result = run("scan", blobs_csv, "--out", blocker)
    assert result.exit_code == 2
    assert "cannot write the report" in result.output


def _flip(frame: pd.DataFrame, row: int) -> None:
    frame.loc[row, "label"] = "bird" if frame.loc[row, "label"] != "bird" else "cat"


def test_fix_with_a_white_space_line_in_the_csv(tmp_path: Path, blobs) -> None:
    _flip(blobs, 150)
    lines = blobs.to_csv(index=False).splitlines()
    lines.insert(3, "   ")  # pandas skips it; fix must count rows the same way
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n")
    scan(path, tmp_path / "r")
    result = run("fix", "--report", tmp_path / "r", "--accept", "150")
    assert result.exit_code == 0, result.output
    before = path.read_text().splitlines()
    after = (tmp_path / "d.fixed.csv").read_text().splitlines()
    assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [152]


def test_a_rejected_duplicate_is_not_proposed_again_and_ledgers_are_per_file(
    tmp_path: Path, blobs
) -> None:
    copy = blobs.iloc[[7]].assign(label="bird" if blobs.at[7, "label"] != "bird" else "cat")
    frame = pd.concat([blobs, copy], ignore_index=True)  # row 300 conflicts with row 7
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    frame.to_csv(tmp_path / "other.csv", index=False)
    scan(path, tmp_path / "r")
    assert run("fix", "--report", tmp_path / "r", "--reject", "300").exit_code == 0
    scan(path, tmp_path / "r2")
    again = pd.read_csv(tmp_path / "r2" / "corrected_labels.csv")
    assert not again.loc[300, "is_label_issue"]
    scan(tmp_path / "other.csv", tmp_path / "r3")  # same folder, other file: still flagged
    other = pd.read_csv(tmp_path / "r3" / "corrected_labels.csv")
    assert other.loc[300, "is_label_issue"]


def test_reject_removes_rows_from_the_top_and_in_place_keeps_the_first_original(
    tmp_path: Path, blobs_csv: Path
) -> None:
    original = blobs_csv.read_bytes()
    scan(blobs_csv, tmp_path / "r")
    issues = pd.read_csv(tmp_path / "r" / "issues.csv", keep_default_na=False)
    second = issues["row"].iat[1]
    result = run(
        "fix", "--report", tmp_path / "r", "--accept-top", "3", "--reject", second, "--in-place"
    )
    assert result.exit_code == 0 and "2 corrections accepted, 1 rejected" in result.output
    assert (blobs_csv.with_name("animals.orig.csv")).read_bytes() == original
    assert oct(blobs_csv.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    scan(blobs_csv, tmp_path / "r2")
    again = run("fix", "--report", tmp_path / "r2", "--accept-top", "1", "--in-place")
    assert again.exit_code == 0, again.output
    assert (blobs_csv.with_name("animals.orig.csv")).read_bytes() == original


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_fix_refuses_an_output_of_another_format(tmp_path: Path, blobs_csv: Path) -> None:
    scan(blobs_csv, tmp_path / "r")
    result = run(
        "fix", "--report", tmp_path / "r", "--accept-top", "1", "--output", tmp_path / "x.parquet"
    )
    assert result.exit_code == 2 and "keeps the format" in result.output


@pytest.mark.parametrize(
    ("toml", "message"),
    [('[datasets]\n"d.csv" = 3\n', "must be a table"), ("fail_on = [1]\n", "wrong type")],
)
def test_bad_config_values(tmp_path: Path, blobs, toml: str, message: str) -> None:
    blobs.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "databugs.toml").write_text(toml)
    result = run("scan", tmp_path / "d.csv", "--out", tmp_path / "r")
    assert result.exit_code == 2 and message in result.output


def test_bad_seed(tmp_path: Path, blobs_csv: Path) -> None:
    result = run("scan", blobs_csv, "--out", tmp_path / "r", "--seed", "-1")
    assert result.exit_code == 2 and "--seed -1 is outside 0 to 4294967295" in result.output
