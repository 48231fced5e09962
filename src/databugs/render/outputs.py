"""Write a scan's output files into ``--out``: all rendered first, then each renamed into place."""

from __future__ import annotations

import json
from pathlib import Path

from databugs.data.write import write_files_atomically
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.render import html, markdown, report_json, tables
from databugs.render.plot_cache import cached_plots
from databugs.render.plots import all_plots
from databugs.report.report import Report

PLOTS_CACHE = ".cache/plots.json"
OUTPUT_FILES = ("report.json", "report.md", "report.html", "issues.csv", "corrected_labels.csv")


def write_outputs(report: Report, folder: str | Path) -> dict[str, str]:
    """Write the report files; returns each file's path by name.

    ``timings.json`` holds wall times separately so that ``report.json`` stays byte-identical
    for the same input, options and seed.
    """
    folder = Path(folder)
    plots = all_plots(report)
    files = {
        **render_reports(report, plots),
        "issues.csv": tables.issues_csv(report),
        "corrected_labels.csv": tables.corrected_labels_csv(report),
        "timings.json": json.dumps(report.timings, indent=2) + "\n",
    }
    write_report_files(folder, {**files, PLOTS_CACHE: json.dumps(plots)})
    return {name: str(folder / name) for name in files}


def rewrite_reused(report: Report, folder: str | Path) -> dict[str, str]:
    """Rewrite the reports of a reused report (new gate or baseline); the tables are unchanged.

    The plots do not depend on gate or baseline: those drawn by the scan are reused if they
    pass :func:`~databugs.render.plot_cache.cached_plots`, else drawn (and kept) again."""
    folder = Path(folder)
    cached = cached_plots(folder / PLOTS_CACHE)
    plots = all_plots(report) if cached is None else cached
    files = render_reports(report, plots)
    if cached is None:
        files[PLOTS_CACHE] = json.dumps(plots)
    write_report_files(folder, files)
    return {name: str(folder / name) for name in (*OUTPUT_FILES, "timings.json")}


def render_reports(report: Report, plots: list[str] | None = None) -> dict[str, str]:
    """The files made from ``report.json`` alone, by name."""
    return {"report.json": report_json.render(report), **render_pages(report, plots)}


def render_pages(report: Report, plots: list[str] | None = None) -> dict[str, str]:
    """The reports for people (``databugs report DIR`` writes these again)."""
    return {"report.md": markdown.render(report), "report.html": html.render(report, plots)}


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
