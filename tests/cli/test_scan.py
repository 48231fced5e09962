"""databugs scan as a user runs it: every output, annotator sections, one-line errors, CI in git."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from databugs.cli import app
from tests.conftest import EXAMPLES, SWAPPED_ROWS, make_blobs_table, run, runner, scan


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
        ("a,Label\n1,x\n2,y\n", ["--label", "lable"], "did you mean 'Label'?"),
        ("text,label \n1,x\n2,y\n", ["--ignore", "txt"], "did you mean 'text'?"),
        ("k,a,label\n1,1,x\n1,2,y\n", ["--id", "k"], "the id '1' is in rows 0 and 1"),
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


@pytest.mark.parametrize(
    ("sample", "rows", "args", "message"),
    [
        ("sms_sample.csv", [0, 1], [], "every class has one row: nothing to learn from"),
        (
            "letters_sample.csv",
            [0, 1, 2],
            ["--label", "width", "--task", "regression"],
            "3 labelled training rows cannot make 5 folds",
        ),
    ],
)
def test_too_few_rows_for_the_models_names_the_file(
    tmp_path: Path, sample: str, rows: list[int], args: list[str], message: str
) -> None:
    frame = pd.read_csv(EXAMPLES / sample).iloc[rows]  # sms: one ham and one spam
    data = tmp_path / sample
    frame.to_csv(data, index=False)
    result = run("scan", data, "--out", tmp_path / "r", *args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"databugs: error: {data}: {message}")
    assert not (tmp_path / "r").exists()


def test_a_class_smaller_than_the_folds_does_not_crash(blobs_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(blobs_csv)
    frame.loc[[0, 1], "label"] = "fish"
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    scan(path, tmp_path / "r")
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert any("'fish' has 2 rows" in note for note in report["notes"])


def test_an_unwritable_out_folder_is_a_clear_error(blobs_csv: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    result = run("scan", blobs_csv, "--out", blocker)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "cannot write" in result.output and f"{blocker} is a file, not a folder" in result.output


def test_bad_seed(tmp_path: Path, blobs_csv: Path) -> None:
    result = run("scan", blobs_csv, "--out", tmp_path / "r", "--seed", "-1")
    assert result.exit_code == 2 and "--seed -1 is outside 0 to 4294967295" in result.output


def test_quiet_scan_says_only_which_gate_rule_failed(tmp_path: Path, blobs_csv: Path) -> None:
    quiet = ("scan", blobs_csv, "--out", tmp_path / "r", "--jobs", "1", "-q", "--fail-on")
    failed = run(*quiet, "label_issues>0,rows<1")
    assert failed.exit_code == 1
    assert failed.stdout == "" and failed.stderr.startswith("gate FAIL: label_issues>0 (measured")
    assert len(failed.stderr.strip().splitlines()) == 1  # the passing rule is not said
    passed = run(*quiet, "label_issues>100%")
    assert passed.exit_code == 0 and passed.output == ""


def test_json_format_carries_the_gate(tmp_path: Path, blobs_csv: Path) -> None:
    result = run(
        "scan",
        blobs_csv,
        "--out",
        tmp_path / "r",
        "--format",
        "json",
        "--fail-on",
        "label_issues>50%",
    )
    payload = json.loads(result.output)
    summary = payload["summary"]
    assert result.exit_code == 0
    assert payload["gate"] == {
        "passed": True,
        "rules": [
            {
                "rule": "label_issues>50%",
                "measured": round(100 * summary["label_issues"] / summary["labelled"], 6),
                "passed": True,
            }
        ],
    }
    assert 0 < payload["gate"]["rules"][0]["measured"] < 50


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "ci",
            "GIT_AUTHOR_EMAIL": "ci@example.org",
            "GIT_COMMITTER_NAME": "ci",
            "GIT_COMMITTER_EMAIL": "ci@example.org",
        },
    )


def _ci_job(repo: Path) -> subprocess.CompletedProcess:
    """What the workflow runs: no flags, everything from databugs.toml."""
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(repo / "summary.md")}
    return subprocess.run(
        [sys.executable, "-m", "databugs.cli", "scan", "data/animals.csv", "-q"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_ci_flow_in_a_git_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    _git(repo, "init", "-q")
    clean = make_blobs_table(rows=300, seed=21)
    clean.to_csv(repo / "data" / "animals.csv", index=False)
    (repo / "data" / "databugs.toml").write_text(
        'fail_on = "label_issues>2%,conflicting_duplicates>0"\nout = "../databugs-report"\n'
        "folds = 4\n"
    )
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "clean data")
    assert _ci_job(repo).returncode == 0

    broken = clean.copy()
    flip = {"cat": "dog", "dog": "bird", "bird": "cat"}
    rows = list(range(0, 300, 30))  # 10 wrong labels: 3.3%
    broken.loc[rows, "label"] = broken.loc[rows, "label"].map(flip)
    copy = broken.iloc[[5]].assign(label=flip[broken.at[5, "label"]])
    broken = pd.concat([broken, copy], ignore_index=True)  # a conflicting duplicate
    broken.to_csv(repo / "data" / "animals.csv", index=False)
    _git(repo, "commit", "-qam", "new batch of labels")
    failed = _ci_job(repo)
    assert failed.returncode == 1, failed.stderr
    assert "::error title=databugs gate::label_issues>2%25 failed" in failed.stdout  # % escaped
    assert "::error title=databugs gate::conflicting_duplicates>0 failed" in failed.stdout
    assert "::warning file=data/animals.csv,line=" in failed.stdout
    assert "## Gate: **failed**" in (repo / "summary.md").read_text()

    clean.to_csv(repo / "data" / "animals.csv", index=False)
    _git(repo, "commit", "-qam", "fix the labels")
    assert _ci_job(repo).returncode == 0


def test_wide_scan_writes_the_annotator_sections(annotated_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "scan",
            str(annotated_csv),
            "--annotators",
            "ann_a,ann_b,ann_c",
            "--out",
            str(out),
            "--format",
            "plain",
            "--jobs",
            "1",
            "--fail-on",
            "alpha<0.9",
        ],
    )
    assert result.exit_code == 1, result.output  # the gate: agreement is too low
    assert "least reliable ann_c" in result.output
    content = json.loads((out / "report.json").read_text())
    assert content["annotators"][0]["name"] == "ann_c"
    assert content["annotators"][0]["worst_confusion"] == {
        "label": "bird",
        "as": "dog",
        "share": 1.0,
        "rows": int((pd.read_csv(annotated_csv)["label"] == "bird").sum()),
    }
    assert content["gate"]["rules"][0]["measured"] == content["agreement"]["krippendorff_alpha"]
    assert content["agreement"]["cohen_kappa"]["ann_a"]["ann_c"] < 0.7
    assert content["summary"]["counts"]["annotator_systematic"] == 1
    features = {use["column"] for use in content["features"] if use["used_as"] != "left out"}
    assert features == {"weight", "height", "colour"}  # annotations never become features
    corrected = pd.read_csv(out / "corrected_labels.csv")
    assert list(corrected.columns[-4:]) == [
        "consensus_label",
        "consensus_quality",
        "annotations",
        "annotator_agreement",
    ]
    ann_b_rows = pd.read_csv(annotated_csv, dtype=str, keep_default_na=False)["ann_b"] != ""
    assert (corrected["annotations"] == np.where(ann_b_rows, 3, 2)).all()
    assert corrected["annotator_agreement"].between(0, 1).all()
    data = pd.read_csv(annotated_csv)
    assert (corrected["consensus_label"] == data["label"]).mean() > 0.95
    markdown = (out / "report.md").read_text()
    assert "## Annotators" in markdown and "labels bird as dog in 100%" in markdown


def test_an_unreadable_ledger_or_configuration_is_one_line_not_a_traceback(
    tmp_path: Path, blobs_csv: Path, monkeypatch
) -> None:
    """Exit 1 is the gate's: a traceback read as "the data failed the gate" in CI."""
    data = tmp_path / "d.csv"
    data.write_bytes(blobs_csv.read_bytes())
    (tmp_path / "databugs-decisions.csv").mkdir()  # unreadable, even for root
    result = run("scan", data, "--out", tmp_path / "r")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "databugs-decisions.csv: cannot be read" in result.output
    (tmp_path / "databugs-decisions.csv").rmdir()
    config = tmp_path / "databugs.toml"
    config.write_text("folds = 3\n")
    read_text = Path.read_text

    def denied(path: Path, *args, **kwargs) -> str:
        if path == config:
            raise PermissionError(13, "Permission denied", str(path))
        return read_text(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", denied)
    result = run("scan", data, "--out", tmp_path / "r")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert f"{config}: cannot be read (Permission denied)" in result.output
