"""The library as a user calls it: errors that name options as passed, stable error codes,
detector settings, and one Report type that reads back what it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import databugs
from databugs.cli import app
from databugs.errors import DatabugsError, ErrorCode
from databugs.report.report import Report
from tests.conftest import EXAMPLES

runner = CliRunner()


def test_python_errors_name_parameters_and_cli_errors_name_flags(blobs, tmp_path: Path) -> None:
    with pytest.raises(DatabugsError, match=r"^folds=1 is below 2") as raised:
        databugs.scan(blobs, folds=1)
    assert raised.value.code is ErrorCode.BAD_OPTION
    blobs.to_csv(tmp_path / "b.csv", index=False)
    result = runner.invoke(app, ["scan", str(tmp_path / "b.csv"), "--folds", "1"])
    assert result.exit_code == 2 and "--folds 1 is below 2" in result.output


def test_json_format_prints_the_error_with_its_code(blobs, tmp_path: Path) -> None:
    blobs.to_csv(tmp_path / "b.csv", index=False)
    args = ["scan", str(tmp_path / "b.csv"), "--label", "nope", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "no_label_column"
    assert error["message"].endswith("no column 'nope'") and "columns are" in error["hint"]
    assert result.stderr.startswith("databugs: error: ")


def test_a_misspelt_column_is_answered_with_the_nearest_name_in_one_short_line() -> None:
    """300 columns were listed in full (one hint of 3,000 characters) and no name offered."""
    wide = pd.DataFrame({f"pixel_{i}": [0, 1] for i in range(299)} | {"Outcome": ["a", "b"]})
    with pytest.raises(DatabugsError) as raised:
        databugs.scan(wide, label="outcome ")
    hint = raised.value.hint or ""
    assert hint.startswith("did you mean 'Outcome'? columns are: 'pixel_0', 'pixel_1'")
    assert hint.endswith("and 280 more") and len(hint) < 400


def test_error_codes_are_unique_snake_case_words() -> None:
    values = [code.value for code in ErrorCode]
    assert len(values) == len(set(values))
    assert all(value.replace("_", "").isalpha() and value.islower() for value in values)


def test_detector_settings_from_config_change_what_is_flagged(blobs_csv: Path) -> None:
    folder = blobs_csv.parent
    strict = runner.invoke(app, ["scan", str(blobs_csv), "--out", str(folder / "a"), "-q"])
    assert strict.exit_code == 0, strict.output
    (folder / "databugs.toml").write_text("[detectors.label_issue]\nmin_gain = 0.99\n")
    loose = runner.invoke(app, ["scan", str(blobs_csv), "--out", str(folder / "b"), "-q"])
    assert loose.exit_code == 0, loose.output
    before = json.loads((folder / "a" / "report.json").read_text())
    after = json.loads((folder / "b" / "report.json").read_text())
    assert after["options"]["detector_settings"] == {"label_issue": {"min_gain": 0.99}}
    assert "detector_settings" not in before["options"]
    assert 0 < after["summary"]["label_issues"] < before["summary"]["label_issues"] or (
        after["summary"]["label_issues"] == 0 < before["summary"]["label_issues"]
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[detectors.label_issues]\nmin_gain = 0.3\n", "detectors.label_issues: no detector"),
        ("[detectors.label_issue]\nmargin = 0.3\n", "has no setting 'margin'"),
        ("[detectors.label_issue]\nmin_gain = 'big'\n", "min_gain = 'big' has the wrong type"),
        ("[detectors.rare_class]\nmin_rows = 2.5\n", "min_rows = 2.5 has the wrong type"),
        ("[detectors.label_issue]\nmin_gain = 5\n", "min_gain = 5 is out of range (0 to 1)"),
        ("[detectors.rare_class]\nmin_rows = -3\n", "min_rows = -3 is out of range (at least 0)"),
        ("[detectors.outlier]\nmin_score = nan\n", "min_score = nan is out of range"),
    ],
)
def test_bad_detector_settings_exit_2_naming_the_file(blobs_csv: Path, toml, message) -> None:
    (blobs_csv.parent / "databugs.toml").write_text(toml)
    result = runner.invoke(app, ["scan", str(blobs_csv), "--out", str(blobs_csv.parent / "o")])
    assert result.exit_code == 2 and message in result.output
    assert "databugs.toml" in result.output and not (blobs_csv.parent / "o").exists()


def test_detector_settings_from_python(blobs) -> None:
    noisy = blobs.copy()
    noisy.loc[:9, "label"] = noisy.loc[:9, "label"].map(
        {"cat": "dog", "dog": "bird", "bird": "cat"}
    )
    default = databugs.scan(noisy, jobs=1).summary["label_issues"]
    settings = {"label_issue": {"min_gain": 0.999}}
    strict = databugs.scan(noisy, jobs=1, detector_settings=settings).summary["label_issues"]
    assert default >= 10 > strict


def test_a_report_reads_back_what_it_wrote(blobs_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert runner.invoke(app, ["scan", str(blobs_csv), "--out", str(out), "-q"]).exit_code == 0
    written = (out / "report.json").read_text()
    content = json.loads(written)
    again = Report.from_dict(content)
    assert again.to_dict() == content
    assert again.worst_labels(3) == [r for r in content["issues"] if r["kind"] == "label_issue"][:3]


def test_a_frame_with_number_column_names_is_scanned() -> None:
    """``pd.DataFrame(X)`` names its columns 0, 1, ...: the scan crashed on them (KeyError '0')."""
    letters = pd.read_csv(EXAMPLES / "letters_sample.csv").head(400)
    frame = pd.DataFrame(letters.drop(columns="label").to_numpy())
    frame["label"] = letters["label"]
    report = databugs.scan(
        frame, label="label", detectors=["label_issue", "conflicting_duplicates"]
    )
    assert [use["column"] for use in report.features][:3] == ["0", "1", "2"]
    assert report.corrected(frame)["label"].notna().all()
    twice = pd.DataFrame({0: [1, 2, 3, 4], "0": [4, 3, 2, 1], "label": ["a", "b", "a", "b"]})
    with pytest.raises(databugs.DatabugsError, match="'0' appears more than once"):
        databugs.scan(twice, label="label")


def test_the_command_lines_spellings_and_wrong_types_in_python() -> None:
    """``classes="ham,spam"`` was one class named 'ham,spam' (a missing_class finding on every
    row); a Series, an array or ``seed="1"`` raised a bare TypeError."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv").head(300)
    report = databugs.scan(frame, label="label", classes="ham,spam", detectors=["missing_class"])
    assert report.summary["counts"]["missing_class"] == 0
    for data, said in ((frame["label"], "data is a Series"), (frame.to_numpy(), "ndarray")):
        with pytest.raises(DatabugsError, match=said):
            databugs.scan(data)
    with pytest.raises(DatabugsError, match="seed='1' is not a number"):
        databugs.scan(frame, label="label", seed="1")


def test_frames_a_file_reader_would_refuse_are_refused_alike() -> None:
    """A DataFrame skips the file readers' checks: two columns named alike, a label column of
    lists, bytes cells ended in pandas' or numpy's own errors (tracebacks)."""
    letters = pd.read_csv(EXAMPLES / "letters_sample.csv").head(300)
    twice = letters.set_axis([*letters.columns[:-1], "label"], axis=1)
    with pytest.raises(DatabugsError, match="'label' appears more than once"):
        databugs.scan(twice, label="label", jobs=1)
    lists = letters.assign(label=[[label] for label in letters["label"]])
    with pytest.raises(DatabugsError, match="'label' holds JSON arrays or objects") as nested:
        databugs.scan(lists, label="label", jobs=1)
    assert nested.value.code is ErrorCode.BAD_LABEL_TYPE
    blobs = letters.assign(blob=[bytes([row % 256]) * 3 for row in range(len(letters))])
    report = databugs.scan(blobs, label="label", jobs=1, model="logistic")
    assert {use["column"] for use in report.features} >= {"blob", "x.box"}
