"""Speaking GitHub Actions: the step summary page and annotations on the data file's lines."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from databugs.data.io import detect_format, record_lines
from databugs.data.splits import TRAIN
from databugs.gate.rules import measured_text
from databugs.render import markdown
from databugs.report.report import Report
from databugs.text import log_line, one_line, shown_label

ANNOTATED_ROWS = 10
LINE_FORMATS = ("csv", "tsv")


def _escape(text: str, *, property_value: bool = False) -> str:
    """GitHub's workflow-command escaping (values of properties also escape ``:`` and ``,``),
    as its runner unescapes them (``ActionCommand.cs``)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def annotations(report: Report, data: Path) -> list[str]:
    """``::warning`` lines for the worst rows (on the line each row starts on in its own CSV
    or TSV file), ``::error`` for the gate."""
    lines = []
    for result in report.gate or []:
        if not result["passed"]:
            lines.append(
                "::error title=databugs gate::"
                + _message(f"{result['rule']} failed (measured {measured_text(result)})")
            )
    rows = [r for r in report.issue_records() if r["row"] is not None][:ANNOTATED_ROWS]
    places = [_place(report, record, data) for record in rows]
    starts = _start_lines(report, places)
    for record, place in zip(rows, places, strict=True):
        where = f"file={_escape(str(place[0]), property_value=True)}"
        if place in starts:
            where += f",line={starts[place]}"
        title = _escape(f"databugs {record['kind']}", property_value=True)
        suggested = record["suggested_label"]  # none for an outlier: a person decides
        change = "" if suggested is None else f" -> {shown_label(suggested)}"
        label = f"{shown_label(record['given_label'])}{change}"  # "a\nb" is not "a b"
        message = f"row {report.row_name(record)}: {label}: {record['detail']}"
        lines.append(f"::warning {where},title={title}::{_message(message)}")
    return lines


def _place(report: Report, record: dict, data: Path) -> tuple[Path, int]:
    """The file a row is in and its row there (with a test file: its own file)."""
    if not report.two_files():
        return data, record["row"]
    files = report.input["split_files"]
    return Path(files[0 if record["split"] == TRAIN else 1]), record["file_row"]


def _start_lines(report: Report, places: list[tuple[Path, int]]) -> dict[tuple[Path, int], int]:
    """Each place's line in its file, for CSV and TSV files that are still there."""
    starts = {}
    for path in dict.fromkeys(path for path, _ in places):
        if not path.is_file() or detect_format(path)[0] not in LINE_FORMATS:
            continue
        found = record_lines(path, [row for where, row in places if where == path])
        starts |= {(path, row): line for row, line in found.items()}
    return starts


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
