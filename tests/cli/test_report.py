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


@pytest.mark.parametrize("edit", ["no counts", "counts not an object", "summary not an object"])
def test_a_summary_without_its_counts_is_refused_in_one_line(sms_report, tmp_path, edit) -> None:
    """``diff`` of a report.json whose summary lacked ``counts`` ended in a KeyError traceback."""
    content = json.loads((sms_report / "report.json").read_text())
    if edit == "no counts":
        del content["summary"]["counts"]
    elif edit == "counts not an object":
        content["summary"]["counts"] = [1]
    else:
        content["summary"] = []
    (tmp_path / "report.json").write_text(json.dumps(content))
    result = runner.invoke(app, ["diff", str(sms_report), str(tmp_path / "report.json")])
    assert result.exit_code == 2, result.output
    assert "incomplete report.json ('summary' has" in result.output
    assert len(result.output.strip().splitlines()) == 1


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
