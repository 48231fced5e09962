"""databugs report: report.md and report.html rendered again from a report.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from databugs.cli import app
from tests.conftest import runner


def test_report_command_rerenders_from_report_json(sms_report: Path, tmp_path: Path) -> None:
    target = tmp_path / "again"
    result = runner.invoke(app, ["report", str(sms_report / "report.json"), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "report.html").read_text() == (sms_report / "report.html").read_text()
    assert (target / "report.md").read_text() == (sms_report / "report.md").read_text()
    missing = runner.invoke(app, ["report", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_report_command_refuses_an_incomplete_report(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text('{"schema": "databugs.report/1", "issues": []}')
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "incomplete report.json" in result.output


@pytest.mark.parametrize("field", ["detail", "given_label", "evidence"])
def test_an_issue_without_a_field_is_refused_in_one_line(sms_report, tmp_path, field) -> None:
    """A hand-edited report.json whose issue lacked a field ended in a KeyError traceback."""
    content = json.loads((sms_report / "report.json").read_text())
    del content["issues"][3][field]
    (tmp_path / "report.json").write_text(json.dumps(content))
    for command in (["report", str(tmp_path)], ["fix", "--report", str(tmp_path)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert f"issue 4 of 'issues' has no field {field!r}" in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.json"]


def _without_counts(content: dict) -> None:
    del content["summary"]["counts"]


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (_without_counts, "('summary' has no 'counts')"),
        (lambda c: c["summary"].update(counts=[1]), "'counts' that is not an object"),
        (lambda c: c.update(summary=[]), "('summary' has no 'rows')"),
        (lambda c: c["summary"].update(label_health="high"), "'label_health' that is no number"),
        (lambda c: c["input"].pop("sha256"), "('input' has no 'sha256' of its type)"),
        (lambda c: c["input"].update(rows="many"), "('input' has no 'rows' of its type)"),
        (lambda c: c.update(input=[]), "('input' has no 'path' of its type)"),
    ],
)
def test_a_hand_edited_report_is_refused_in_one_line(sms_report, tmp_path, edit, says) -> None:
    """``diff``, ``report`` and a baseline read of report.json whose summary lacked ``counts``,
    whose input lacked its path or rows, or whose label health was a word ended in a
    traceback (exit 1, which CI reads as a failed gate)."""
    content = json.loads((sms_report / "report.json").read_text())
    edit(content)
    (tmp_path / "report.json").write_text(json.dumps(content))
    for command in (["diff", str(sms_report), str(tmp_path)], ["report", str(tmp_path)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and says in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1


def test_a_report_nested_too_deep_is_not_valid_json(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text("[" * 100_000 + "]" * 100_000)
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "not valid JSON" in result.output, result.output


def test_a_hand_edited_column_use_is_escaped_in_report_md(sms_report: Path, tmp_path: Path) -> None:
    """Every field of the columns table was escaped but ``used_as``: a report.json edited in a
    pull request put raw HTML into the Markdown a CI page renders."""
    content = json.loads((sms_report / "report.json").read_text())
    content["features"][0]["used_as"] = "<img src=x onerror=alert(1)> | x"
    (tmp_path / "report.json").write_text(json.dumps(content))
    result = runner.invoke(app, ["report", str(tmp_path), "--out", str(tmp_path / "again")])
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "again" / "report.md").read_text()
    assert "<img" not in markdown and "&lt;img src=x onerror=alert\\(1\\)&gt; \\| x" in markdown
