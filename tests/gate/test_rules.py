"""Gate rules: parsed, evaluated over the summary, checked before any work, percent of alpha."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from databugs.cli import app
from databugs.errors import DatabugsError
from databugs.gate.rules import evaluate, measured_text, parse_rules
from tests.conftest import run, runner

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


def test_rules_that_name_none_are_an_error_not_no_gate() -> None:
    """``--fail-on ,`` (a rule lost in an edit) was read as no gate: every scan passed."""
    for bad in (",", " , ,"):
        with pytest.raises(DatabugsError, match="names no rule"):
            parse_rules(bad)
    assert parse_rules("") == [] and parse_rules(None) == []


def test_a_rule_naming_no_figure_suggests_the_nearest_figure() -> None:
    with pytest.raises(DatabugsError) as caught:
        evaluate(parse_rules("label_helth<0.9"), SUMMARY)
    assert "'label_helth<0.9' names no figure" in str(caught.value)
    assert caught.value.hint.startswith("did you mean label_health or")  # nearest first
    assert "conflicting_duplicates" not in str(caught.value)  # not every figure
    with pytest.raises(DatabugsError) as caught:
        evaluate(parse_rules("alpha<0.6"), SUMMARY)  # nothing near: what a figure is
    assert (
        caught.value.hint == "figures are the numbers in report.json's summary and the issue kinds"
    )


def test_a_rule_naming_no_figure_stops_before_any_work(tmp_path: Path, blobs_csv: Path) -> None:
    result = run("scan", blobs_csv, "--out", tmp_path / "r", "--fail-on", "new_label_issues>0")
    assert result.exit_code == 2 and "needs --baseline" in result.output
    assert not (tmp_path / "r").exists()


def test_alpha_gate_in_percent_and_consensus_needs_annotators(
    annotated_csv: Path, tmp_path: Path
) -> None:
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
            "--fail-on",
            "alpha<99%",
            "-q",
        ],
    )
    content = json.loads((out / "report.json").read_text())
    alpha = content["agreement"]["krippendorff_alpha"]
    assert content["gate"]["rules"][0]["measured"] == pytest.approx(100 * alpha, abs=1e-4)
    assert result.exit_code == 1
    plain = tmp_path / "plain"
    runner.invoke(app, ["scan", str(annotated_csv), "--out", str(plain), "-q"])
    refused = runner.invoke(app, ["fix", "--report", str(plain), "--accept-consensus"])
    assert refused.exit_code == 2 and "the scan had no annotators" in refused.output


@pytest.mark.parametrize(
    ("rule", "shown"),
    [
        ("label_issues>2%", "3.0%"),  # 6 of 200 labelled rows
        ("label_health<98%", "97.0%"),
        ("label_health<0.9", "0.97"),
        ("conflicting_duplicates>0", "1"),
        ("min_class_count<20", "12"),
    ],
)
def test_measured_values_are_shown_in_the_rules_unit(rule: str, shown: str) -> None:
    assert measured_text(evaluate(parse_rules(rule), SUMMARY)[0]) == shown


def test_a_share_near_its_threshold_shows_the_digits_that_decide() -> None:
    summary = SUMMARY | {"labelled": 245, "label_issues": 5, "label_health": 0.975333}
    rules = parse_rules("label_issues>2%,label_health<99%,label_health<97.5%")
    assert [measured_text(r) for r in evaluate(rules, summary)] == ["2.04%", "97.5%", "97.53%"]


def test_every_printer_shows_the_measured_share_with_its_unit(
    tmp_path: Path, blobs_csv: Path
) -> None:
    """Terminal, report.md, report.html and the GitHub annotation all say ``2.0%``, not ``2``."""
    out, summary = tmp_path / "r", tmp_path / "summary.md"
    gate = ["--fail-on", "label_issues>0.5%,label_health<99.9%,conflicting_duplicates>0"]
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run("scan", blobs_csv, "--out", out, "--format", "plain", *gate, env=env)
    assert result.exit_code == 1, result.output
    content = json.loads((out / "report.json").read_text())
    issues_share, health = (r["measured"] for r in content["gate"]["rules"][:2])
    share_text, health_text = f"{issues_share:.1f}%", f"{health:.1f}%"
    assert f"gate FAIL: label_issues>0.5% (measured {share_text})" in result.output
    assert f"(measured {health_text})" in result.output
    assert "gate pass: conflicting_duplicates>0 (measured 0)" in result.output
    assert f"| {share_text} |" in (out / "report.md").read_text()
    assert f"measured {health_text}</li>" in (out / "report.html").read_text()
    assert f"(measured {share_text.replace('%', '%25')})" in result.output  # ::error escapes %
