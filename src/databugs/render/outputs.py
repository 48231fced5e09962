"""Write a scan's output files into ``--out``: all rendered first, then each renamed into place."""

from __future__ import annotations

import json
from pathlib import Path

from databugs.data.write import write_files_atomically
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.render import html, markdown, report_json, tables
from databugs.report.report import Report

OUTPUT_FILES = ("report.json", "report.md", "report.html", "issues.csv", "corrected_labels.csv")


def write_outputs(report: Report, folder: str | Path) -> dict[str, str]:
    """Write the report files; returns each file's path by name.

    ``timings.json`` holds wall times separately so that ``report.json`` stays byte-identical
    for the same input, options and seed.
    """
    folder = Path(folder)
    files = {
        **render_reports(report),
        "issues.csv": tables.issues_csv(report),
        "corrected_labels.csv": tables.corrected_labels_csv(report),
        "timings.json": json.dumps(report.timings, indent=2) + "\n",
    }
    write_report_files(folder, files)
    return {name: str(folder / name) for name in files}


def rewrite_reused(report: Report, folder: str | Path) -> dict[str, str]:
    """Rewrite the reports of a reused report (new gate or baseline); the tables are unchanged."""
    write_report_files(folder, render_reports(report))
    return {name: str(Path(folder) / name) for name in (*OUTPUT_FILES, "timings.json")}


def render_reports(report: Report) -> dict[str, str]:
    """The files made from ``report.json`` alone, by name."""
    return {"report.json": report_json.render(report), **render_pages(report)}


def render_pages(report: Report) -> dict[str, str]:
    """The reports for people (``databugs report DIR`` writes these again)."""
    return {"report.md": markdown.render(report), "report.html": html.render(report)}


def write_report_files(folder: str | Path, files: dict[str, str]) -> None:
    """All files or none: rendered first, then renamed into place; one-line error if it fails."""
    folder = Path(folder)
    try:
        for name in files:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write_files_atomically(folder, files)
    except OSError as error:
        raise DatabugsError(
            f"{folder}: cannot write the report ({error.strerror or error})",
            code=ErrorCode.CANNOT_WRITE,
            hint=f"choose another folder with {option('out')}",
        ) from None
