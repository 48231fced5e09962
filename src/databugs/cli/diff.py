"""``databugs diff``: what changed between two scans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from databugs.cli.app import app, say, user_errors
from databugs.cli.options import OutputFormat
from databugs.gate.baseline import compare_reports, render_comparison
from databugs.report.schema import load_report

DIFF_EXAMPLE = """
Example:

  databugs diff old-report/report.json databugs-report/report.json

prints the issues that are new, fixed and still open, and the figures that moved.
"""


@app.command(epilog=DIFF_EXAMPLE)
@user_errors
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier report.json (or its folder).")],
    new: Annotated[Path, typer.Argument(help="The later report.json (or its folder).")],
    output_format: Annotated[
        OutputFormat | None,
        typer.Option("--format", help="text (plain, the default, or rich: the same) or json."),
    ] = None,
) -> None:
    """Compare two scans: new, fixed and open issues, and figures that moved."""
    comparison = compare_reports(load_report(old), load_report(new))
    if output_format is OutputFormat.json:
        say(json.dumps(comparison, indent=2, ensure_ascii=False))
    else:
        say(render_comparison(comparison), nl=False)
