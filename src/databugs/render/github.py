"""Speaking GitHub Actions: the step summary page and annotations on the data file's lines."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from databugs.gate.rules import measured_text
from databugs.render import markdown
from databugs.report.report import Report
from databugs.text import log_line, one_line

ANNOTATED_ROWS = 10
LINE_FORMATS = ("csv", "tsv")


def _escape(text: str, *, property_value: bool = False) -> str:
    """GitHub's workflow-command escaping (values of properties also escape ``:`` and ``,``),
    as its runner unescapes them (``ActionCommand.cs``)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def annotations(report: Report, data: Path) -> list[str]:
    """``::warning`` lines for the worst rows (CSV line = row + 2), ``::error`` for the gate."""
    lines = []
    for result in report.gate or []:
        if not result["passed"]:
            lines.append(
                "::error title=databugs gate::"
                + _message(f"{result['rule']} failed (measured {measured_text(result)})")
            )
    rows = [r for r in report.issue_records() if r["row"] is not None][:ANNOTATED_ROWS]
    for record in rows:
        where = f"file={_escape(str(data), property_value=True)}"
        if report.input["format"] in LINE_FORMATS:
            where += f",line={record['row'] + 2}"
        title = _escape(f"databugs {record['kind']}", property_value=True)
        suggested = record["suggested_label"]  # none for an outlier: a person decides
        change = "" if suggested is None else f" -> {suggested}"
        message = f"row {record['row']}: {record['given_label']}{change}: {record['detail']}"
        lines.append(f"::warning {where},title={title}::{_message(message)}")
    return lines


def _message(text: str) -> str:
    """An annotation's text from data: on one line, no ``##[`` (the runner's old command form)."""
    return _escape(log_line(one_line(text)))


def report_to_actions(report: Report, data: Path) -> None:
    """Append the summary to ``$GITHUB_STEP_SUMMARY`` and print the annotations."""
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with open(summary_path, "a", encoding="utf-8") as out:
            out.write(markdown.render_summary(report))
    for line in annotations(report, data):
        typer.echo(line)
