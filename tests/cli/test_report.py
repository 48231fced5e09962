"""databugs report: report.md and report.html rendered again from a report.json."""

from __future__ import annotations

from pathlib import Path

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
