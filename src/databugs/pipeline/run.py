"""``databugs scan`` as a whole: reuse the report in ``--out`` when nothing that shapes it
changed, else scan; then write every output file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from databugs.data.guard import check_outputs
from databugs.data.io import file_sha256
from databugs.data.validate import check_at_least
from databugs.data.write import refuse_link
from databugs.models.engines import check_engine
from databugs.pipeline.fit import Progress
from databugs.pipeline.options import recorded_options
from databugs.pipeline.reuse import forget, remember, reusable_report, scan_fingerprint
from databugs.render.outputs import OUTPUT_FILES, rewrite_reused, write_outputs
from databugs.report.report import Report


@dataclass(frozen=True)
class ScanRun:
    """A finished ``databugs scan``: its report, the files written, and whether the report in
    ``--out`` was reused (only the gate and the baseline checked again)."""

    report: Report
    outputs: dict[str, str]
    reused: bool


def scan_into_folder(
    data: Path, options: dict[str, Any], *, progress: Progress | None = None
) -> ScanRun:
    """Scan ``data`` with every option in effect (:func:`resolve_options`) into ``options["out"]``.

    The data file is hashed once: for the reuse check and for the report.
    """
    out = Path(options["out"])
    test = Path(options["test"]) if options.get("test") else None
    if data.is_file():
        outputs = [out / name for name in (*OUTPUT_FILES, "timings.json")]
        inputs = {data: "the data", **({test: "the test data"} if test else {})}
        if options.get("gold"):
            inputs[Path(options["gold"])] = "the gold answers"
        check_outputs(outputs, inputs)  # before any work: a file in the way, read-only
        for output in outputs:
            refuse_link(output)
    check_engine(options["engine"], options["scheduler"])
    if options["jobs"] is not None:
        check_at_least("jobs", options["jobs"], 1)
    sha256 = file_sha256(data) if data.is_file() else None  # a dataset folder is never reused
    reusable = sha256 and (test is None or test.is_file())
    digests = f"{sha256}:{file_sha256(test)}" if reusable and test else sha256
    key = scan_fingerprint(data, digests, options) if reusable else ""
    reused = reusable_report(options, key)
    if reused is not None:
        return ScanRun(reused, rewrite_reused(reused, out), reused=True)
    from databugs.pipeline.scan import scan  # the model code loads only when a scan runs

    report = scan(
        data,
        recorded_options(options),
        jobs=options["jobs"],
        engine=options["engine"],
        scheduler=options["scheduler"],
        progress=progress,
        cache=out / ".cache",
        sha256=sha256,
    )
    forget(out)  # a write that fails half-way must not leave the old report reusable
    outputs = write_outputs(report, out)
    remember(out, key)
    return ScanRun(report, outputs, reused=False)
