"""``databugs check``: scan several data files, each with its own configuration, and gate them:
the command behind the pre-commit hook."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer

from databugs.cli.app import app, say, user_errors
from databugs.data.write import refuse_linked_folders, write_files_atomically
from databugs.errors import DatabugsError, options_set_in
from databugs.gate.rules import measured_text
from databugs.pipeline.options import resolve_options
from databugs.pipeline.run import ScanRun, scan_into_folder
from databugs.text import one_line, visible

CHECK_EXAMPLE = """
Example:

  databugs check data/reviews.csv data/tickets.parquet

scans each file with the options of its databugs.toml (or [tool.databugs] in pyproject.toml),
label, id and fail_on included, and prints one line per file. Reports go to
.databugs/<file>/ (report.html, report.md, ...; a file outside the working directory under
.databugs/outside/<name>/); .databugs/ gets a .gitignore of its own, so
git does not list it. Exit code 0: every gate passed; 1: a gate failed; 2: a file could not be
scanned (the other files are still checked).
"""

Files = Annotated[list[Path], typer.Argument(help="Data files, each scanned with its config.")]
Out = Annotated[
    Path, typer.Option("--out", help="Where the reports go: one folder per file [.databugs].")
]
FailOn = Annotated[
    str | None,
    typer.Option("--fail-on", help="A gate for every file, instead of each config's fail_on."),
]


@app.command(epilog=CHECK_EXAMPLE)
@user_errors
def check(files: Files, out: Out = Path(".databugs"), fail_on: FailOn = None) -> None:
    """Scan data files with their configs and check their gates: one line per file."""
    refuse_linked_folders(out, out)
    _ignored_by_git(out)
    worst = 0
    for data, name in zip(files, _report_names(files), strict=True):
        folder = out / name
        try:
            refuse_linked_folders(out, folder)
            options, set_in = resolve_options(data, {"out": str(folder), "fail_on": fail_on})
            with options_set_in(set_in):
                line, failed = _verdict(scan_into_folder(data, options))
        except DatabugsError as error:
            line, code = f"error: {error}", 2
        else:
            code = 1 if failed else 0
        say(f"{visible(data.as_posix())}: {one_line(line)}")
        worst = max(worst, code)
    raise typer.Exit(worst)


def _ignored_by_git(out: Path) -> None:
    """A new reports folder holds a ``.gitignore`` of ``*``, as pytest's cache does."""
    if not out.exists():
        write_files_atomically(out, {".gitignore": "*\n"})


def _report_names(files: list[Path]) -> list[str]:
    """Each file's report folder: its path below the working directory; a file elsewhere goes
    under ``outside/``, by its name, and, when two such files share a name, the name plus a
    digest of its folder (so that no report replaces another's)."""
    cwd = Path.cwd()
    resolved = [data.resolve() for data in files]
    outside = [path.name for path in resolved if not path.is_relative_to(cwd)]
    names = []
    for path in resolved:
        if path.is_relative_to(cwd):
            names.append(path.relative_to(cwd).as_posix())
        elif outside.count(path.name) > 1:
            digest = hashlib.sha256(str(path.parent).encode("utf-8")).hexdigest()[:8]
            names.append(f"outside/{path.name}-{digest}")
        else:
            names.append(f"outside/{path.name}")
    return names


def _verdict(run: ScanRun) -> tuple[str, bool]:
    """The line for one file and whether its gate failed."""
    report = run.report
    where = f"report {run.outputs['report.html']}"
    failed = [result for result in report.gate or [] if not result["passed"]]
    if failed:
        shown = ", ".join(f"{r['rule']} (measured {measured_text(r)})" for r in failed)
        return f"FAIL {shown}; {where}", True
    figures = report.health_text() if report.summary.get("label_health") is not None else "scanned"
    gate = "pass" if report.gate else "pass (no gate: set fail_on in databugs.toml)"
    return f"{gate}, {figures}; {where}", False
