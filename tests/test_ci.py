"""CI mode: configuration files, gate rules, baselines, GitHub output, cache, a real git flow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import databugs.api
from databugs.cli import app
from databugs.gate.baseline import compare_reports
from databugs.pipeline.options import resolve_options
from databugs.errors import DatabugsError
from databugs.gate.rules import evaluate, parse_rules
from tests.conftest import make_blobs_table

runner = CliRunner()


def run(*args: object, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(arg) for arg in args], env=env)


# --- configuration ---------------------------------------------------------------------------


def test_options_come_from_files_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.databugs]\nfolds = 3\nseed = 7\nfail_on = "label_issues>5%"\n'
    )
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "databugs.toml").write_text(
        'label = "kind"\ntext = "title,body"\n[datasets."reviews.csv"]\nid = "review_id"\n'
    )
    options = resolve_options(data_dir / "reviews.csv", {"seed": 1, "label": None})
    assert options["folds"] == 3 and options["seed"] == 1
    assert options["label"] == "kind" and options["id"] == "review_id"
    assert options["text"] == ["title", "body"]
    assert options["fail_on"] == "label_issues>5%"
    other = resolve_options(data_dir / "other.csv", {})
    assert other["id"] is None  # the dataset section names another file


def test_an_unknown_config_key_exits_2_naming_it(tmp_path: Path, blobs) -> None:
    blobs.to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "databugs.toml").write_text("fold = 3\n")
    result = run("scan", tmp_path / "d.csv", "--out", tmp_path / "r")
    assert result.exit_code == 2
    assert "unknown key 'fold'" in result.output


# --- gate rules -------------------------------------------------------------------------------


SUMMARY = {
    "labelled": 200,
    "label_issues": 6,
    "label_health": 0.97,
    "min_class_count": 12,
    "counts": {"label_issue": 6, "conflicting_duplicates": 1},
}


@pytest.mark.parametrize(
    ("rules", "passed"),
    [
        ("label_issues>2%", [False]),  # 3% of 200 labelled rows
        ("label_issues>5%", [True]),
        ("conflicting_duplicates>0, min_class_count<20", [False, False]),
        ("label_health<0.9,label_health<98%", [True, False]),
        ("label_issues>=6", [False]),
    ],
)
def test_gate_rules(rules: str, passed: list[bool]) -> None:
    results = evaluate(parse_rules(rules), SUMMARY)
    assert [result["passed"] for result in results] == passed


@pytest.mark.parametrize("bad", ["label_issues>>2", "label issues>2", "label_issues>two"])
def test_unreadable_rules_are_errors(bad: str) -> None:
    with pytest.raises(DatabugsError, match="cannot read the rule"):
        parse_rules(bad)


def test_a_rule_naming_no_figure_lists_the_figures() -> None:
    with pytest.raises(DatabugsError) as caught:
        evaluate(parse_rules("alpha<0.6"), SUMMARY)
    assert "names no figure" in str(caught.value) and "label_health" in str(caught.value)


# --- baseline ---------------------------------------------------------------------------------


def test_baseline_matches_rows_by_content_when_rows_move(tmp_path: Path) -> None:
    frame = make_blobs_table(rows=300, seed=11)
    frame.loc[[10, 20], "label"] = [
        "dog" if frame.loc[10, "label"] != "dog" else "cat",
        "bird" if frame.loc[20, "label"] != "bird" else "cat",
    ]
    old = databugs.api.scan(frame, jobs=1)
    moved = pd.concat([make_blobs_table(rows=5, seed=99), frame], ignore_index=True)
    moved.loc[105, "label"] = "bird" if moved.loc[105, "label"] != "bird" else "dog"
    new = databugs.api.scan(moved, jobs=1)
    comparison = compare_reports(old.to_dict(), new.to_dict())
    old_rows = {i.row for i in old.issues if i.kind == "label_issue"}
    assert {10, 20} <= old_rows
    assert comparison["new"]["label_issue"] >= 1  # row 100 of the old data, now 105
    assert comparison["fixed"]["label_issue"] == 0  # rows 10 and 20 moved, not fixed
    assert comparison["open"]["label_issue"] == len(old_rows)
    new_rows = [issue["row"] for issue in comparison["new_issues"]]
    assert 105 in new_rows


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


# --- GitHub Actions, JSON, cache ----------------------------------------------------------------


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
    assert result.exit_code == 0
    assert payload["gate"] == {
        "passed": True,
        "rules": [
            {
                "rule": "label_issues>50%",
                "measured": payload["gate"]["rules"][0]["measured"],
                "passed": True,
            }
        ],
    }


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


# --- end to end: a dataset repository under CI ------------------------------------------------


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


def test_model_names_in_help_match_the_models() -> None:
    from databugs.pipeline.options import MODEL_NAMES
    from databugs.models.zoo import MODELS

    assert set(MODEL_NAMES) == set(MODELS)


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


def test_a_rule_naming_no_figure_stops_before_any_work(tmp_path: Path, blobs_csv: Path) -> None:
    result = run("scan", blobs_csv, "--out", tmp_path / "r", "--fail-on", "new_label_issues>0")
    assert result.exit_code == 2 and "needs --baseline" in result.output
    assert not (tmp_path / "r").exists()


def test_the_figures_rules_may_name_are_the_summary_numbers(blobs) -> None:
    from databugs.pipeline.summary import figure_names

    summary = databugs.api.scan(blobs, jobs=1).summary
    numbers = {k for k, v in summary.items() if isinstance(v, int | float)}
    assert numbers == set(figure_names(annotated=False))
