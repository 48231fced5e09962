"""Scans of a training and a test split: --test, --split-col, the config keys, the Python API,
and the one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import databugs
from tests.conftest import EXAMPLES, make_blobs_table, run
from tests.conftest import scan as full_scan

FAST = ("--folds", "2", "--model", "logistic")


def scan(data: Path, out: Path, *extra: object):
    return full_scan(data, out, *FAST, *map(str, extra))


@pytest.fixture
def split_files(tmp_path: Path) -> tuple[Path, Path]:
    table = make_blobs_table(300)
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    table.iloc[:200].to_csv(train, index=False)
    table.iloc[200:].to_csv(test, index=False)
    return train, test


def test_test_file_from_the_config_is_scanned_as_the_test_split(split_files, tmp_path) -> None:
    train, test = split_files
    (tmp_path / "databugs.toml").write_text('test = "test.csv"\n')  # relative to the file
    scan(train, tmp_path / "out")
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["input"]["splits"] == {"train": 200, "test": 100}
    assert report["input"]["split_files"] == [str(train), str(test)]
    assert report["options"]["test"] == str(test)
    assert report["input"]["rows"] == 300


def test_split_column_from_the_config_file(tmp_path: Path) -> None:
    table = make_blobs_table(300).assign(split=["train"] * 200 + [" Test"] * 70 + ["dev"] * 30)
    data = tmp_path / "all.csv"
    table.to_csv(data, index=False)
    (tmp_path / "databugs.toml").write_text('split_col = "split"\n')
    scan(data, tmp_path / "out")
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["input"]["splits"] == {"train": 200, "valid": 30, "test": 70}
    assert "split" not in {f["column"] for f in report["features"] if f["used_as"] != "left out"}


def test_unknown_split_values_exit_2_naming_them(tmp_path: Path) -> None:
    table = make_blobs_table(60).assign(split=["train"] * 50 + ["tst"] * 5 + [""] * 5)
    data = tmp_path / "all.csv"
    table.to_csv(data, index=False)
    result = run("scan", data, "--split-col", "split", "--out", tmp_path / "out")
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line and "'tst'" in line and "empty cell" in line and "split" in line
    assert not (tmp_path / "out").exists()


def test_test_file_with_other_columns_exits_2_naming_them(split_files, tmp_path: Path) -> None:
    train, test = split_files
    pd.read_csv(test).rename(columns={"colour": "color"}).to_csv(test, index=False)
    result = run("scan", train, "--test", test, "--out", tmp_path / "out")
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line
    assert f"'colour' only in {train}" in line and f"'color' only in {test}" in line


def test_the_data_itself_as_the_test_file_is_refused(split_files, tmp_path: Path) -> None:
    train, _ = split_files
    result = run("scan", train, "--test", tmp_path / "." / train.name, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "--test names the data itself" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_test_file_and_split_column_together_are_refused(split_files, tmp_path: Path) -> None:
    train, test = split_files
    result = run("scan", train, "--test", test, "--split-col", "label", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "--test and --split-col" in result.output


def test_python_api_takes_a_test_frame_or_a_split_column() -> None:
    table = make_blobs_table(300)
    report = databugs.scan(
        table.iloc[:200], test=table.iloc[200:], jobs=1, folds=2, model="logistic"
    )
    assert report.input["splits"] == {"train": 200, "test": 100}
    assert report.options["test"] == "<dataframe>"
    named = table.assign(part=["train"] * 200 + ["test"] * 100)
    with pytest.raises(databugs.DatabugsError, match="no labelled row is in the training"):
        databugs.scan(
            named.assign(part="test"), split_col="part", jobs=1, folds=2, model="logistic"
        )


def test_gate_fails_on_leaked_rows_and_issues_name_their_split(split_files, tmp_path) -> None:
    train, test = split_files
    frame = pd.read_csv(train)
    frame.iloc[:3] = pd.read_csv(test).iloc[:3].to_numpy()  # three test rows copied into train
    frame.to_csv(train, index=False)
    out = tmp_path / "out"
    result = run(
        "scan",
        train,
        "--test",
        test,
        "--out",
        out,
        "--fail-on",
        "split_leakage>0",
        "--format",
        "plain",
        "--jobs",
        "1",
        *FAST,
    )
    assert result.exit_code == 1, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["counts"]["split_leakage"] == 3
    assert report["gate"]["rules"] == [{"rule": "split_leakage>0", "measured": 3, "passed": False}]
    assert set(report["summary"]["splits"]) == {"train", "test"}
    issues = pd.read_csv(out / "issues.csv", keep_default_na=False)
    leaked = issues[issues["kind"] == "split_leakage"]
    assert list(issues.columns[:5]) == ["rank", "kind", "row", "split", "file_row"]
    assert set(zip(leaked["split"], leaked["file_row"], strict=True)) == {
        (split, n) for split in ("train", "test") for n in range(3)
    }
    corrected = pd.read_csv(out / "corrected_labels.csv", keep_default_na=False)
    assert corrected["split"].tolist() == ["train"] * 200 + ["test"] * 100
    assert "## split_leakage (3; 6 rows)" in (out / "report.md").read_text()  # as the summary
    assert run("report", out).exit_code == 0  # a split report renders again from report.json
    compared = run("diff", out, out)
    assert compared.exit_code == 0 and "split_leakage" in compared.output


def test_a_test_file_of_other_data_is_named_in_one_short_line(split_files, tmp_path: Path) -> None:
    train, test = split_files
    other = pd.DataFrame({f"pixel_{i:02d}": [0, 1] for i in range(40)} | {"label": ["a", "b"]})
    other.to_csv(test, index=False)
    result = run("scan", train, "--test", test, "--out", tmp_path / "out")
    assert result.exit_code == 2
    line = result.output.strip()
    assert "'pixel_00', 'pixel_01', 'pixel_02', 'pixel_03', 'pixel_04' and 35 more only in" in line
    assert "pixel_39" not in line
    without_paths = line.replace(str(train), "").replace(str(test), "")
    assert len(without_paths) < 400  # five names, not forty


@pytest.fixture
def sms_split(tmp_path: Path) -> tuple[Path, Path, pd.DataFrame]:
    """The shipped SMS sample as a training file (its first 400 rows) and a test file (the next
    100), each in its own folder; returns them and the test rows to edit."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv")
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    frame.iloc[:400].to_csv(train, index=False)
    return train, test, frame.iloc[400:500].reset_index(drop=True)


def test_an_id_in_both_files_names_each_file_and_row(sms_split, tmp_path: Path) -> None:
    train, test, rows = sms_split
    rows.loc[60] = pd.read_csv(train).loc[10]  # the same message leaked into the test file
    rows.to_csv(test, index=False)
    result = run("scan", train, "--test", test, "--id", "message_id", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = result.output.strip().splitlines()
    assert f"the id 'sms-0010' is in {train} row 10 and in {test} row 60" in line
    assert "more than once" not in line and not (tmp_path / "o").exists()


def test_an_empty_id_in_the_test_file_names_its_own_row(sms_split, tmp_path: Path) -> None:
    train, test, rows = sms_split
    rows.loc[5, "message_id"] = None
    rows.to_csv(test, index=False)
    result = run("scan", train, "--test", test, "--id", "message_id", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert f"{test}: row 5 has an empty id in column 'message_id'" in result.output


def test_an_id_twice_in_a_split_column_file_names_both_rows(tmp_path: Path) -> None:
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv").head(500)
    frame["split"] = ["train"] * 400 + ["test"] * 100
    frame.loc[460, "message_id"] = frame.loc[10, "message_id"]
    data = tmp_path / "sms.csv"
    frame.to_csv(data, index=False)
    result = run(
        "scan", data, "--split-col", "split", "--id", "message_id", "--out", tmp_path / "o"
    )
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert (
        f"{data}: the id 'sms-0010' is in rows 10 and 460 of column 'message_id'" in result.output
    )
