"""``databugs report``: render report.md and report.html again from a report.json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from databugs.cli.app import app, say, user_errors
from databugs.render.outputs import render_pages, write_report_files
from databugs.report.report import Report
from databugs.report.schema import load_report
from databugs.text import visible

REPORT_EXAMPLE = """
Example:

  databugs report databugs-report/

writes databugs-report/report.md and report.html again from its report.json (after an upgrade,
or from a report.json a CI job kept).
"""


@app.command("report", epilog=REPORT_EXAMPLE)
@user_errors
def report_command(
    folder: Annotated[Path, typer.Argument(help="A scan's output folder (or its report.json).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write [beside report.json].")
    ] = None,
) -> None:
    """Render report.md and report.html from a report.json."""
    report = Report.from_dict(load_report(folder))
    target = out or (folder if folder.is_dir() else folder.parent)
    files = render_pages(report)
    write_report_files(target, files)
    say("wrote " + ", ".join(visible(target / name) for name in files))
