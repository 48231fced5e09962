"""The report as Python callers and notebooks hold it: :class:`Report` adds to the plain
report what needs the renderers (``_repr_html_``, ``save``); ``databugs.scan`` returns one.
"""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

from databugs.render.notebook import notebook_html
from databugs.render.outputs import render_reports, write_outputs, write_report_files
from databugs.report import report as plain


class Report(plain.Report):
    """A scan's report: ``to_dict()`` is report.json; in a notebook it shows its summary."""

    @classmethod
    def of(cls, report: plain.Report) -> Report:
        """The same report, with the notebook methods."""
        return cls(**{f.name: getattr(report, f.name) for f in fields(report)})

    def _repr_html_(self) -> str:
        return notebook_html(self)

    def save(self, folder: str | os.PathLike[str]) -> dict[str, str]:
        """Write every file ``databugs scan`` writes into ``folder``; returns their paths.

        A report read back from report.json has no per-row table: then only report.json,
        report.md and report.html are written."""
        folder = Path(folder)
        if self.rows is not None:
            return write_outputs(self, folder)
        files = render_reports(self)
        write_report_files(folder, files)
        return {name: str(folder / name) for name in files}
