"""Re-check a gate without rescanning: when the data, the ledger and every option that shapes
the findings are those of the report already in ``--out``, that report is reused and only the
gate rules and the baseline comparison are evaluated again. This path imports no model code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from databugs.data.io import file_sha256
from databugs.data.ledger import ledger_path
from databugs.data.seal import seal
from databugs.data.write import write_bytes_atomically
from databugs.gate.baseline import compare_reports
from databugs.gate.rules import evaluate, parse_rules
from databugs.pipeline.options import FINDING_OPTIONS
from databugs.report.report import Report
from databugs.report.schema import load_report
from databugs.version import fingerprint

FINGERPRINT = ".cache/last-scan.json"


def scan_fingerprint(data: Path, sha256: str, options: Mapping[str, Any]) -> str:
    """What decides the findings: the data's bytes (``sha256``), the decisions ledger, the
    finding options and the version. With a test file, its ledger counts too."""
    files = [data, *([Path(options["test"])] if options.get("test") else [])]
    ledgers = dict.fromkeys(ledger_path(path) for path in files)
    return fingerprint(
        sha256,
        ":".join(file_sha256(ledger) if ledger.exists() else "" for ledger in ledgers),
        {name: options.get(name) for name in FINDING_OPTIONS},
    )


def remember(out: Path, key: str) -> None:
    """Record which scan produced the report now in ``out``, sealed with this machine's key
    over the report's bytes: a report planted or edited there is not reused."""
    sealed = seal(key, file_sha256(out / "report.json"))
    if sealed is not None:
        write_bytes_atomically(out / FINGERPRINT, json.dumps({"seal": sealed}).encode())


def forget(out: Path) -> None:
    """Drop the record of which scan produced the report in ``out`` (it is being replaced)."""
    (out / FINGERPRINT).unlink(missing_ok=True)


def reusable_report(options: Mapping[str, Any], current: str) -> Report | None:
    """The report in ``out`` with gate and comparison brought up to date, or None to rescan.

    ``current`` is this run's :func:`scan_fingerprint`."""
    out = Path(options["out"])
    try:
        stored = json.loads((out / FINGERPRINT).read_text(encoding="utf-8"))["seal"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not current or not (out / "report.json").is_file():
        return None
    if stored != seal(current, file_sha256(out / "report.json")):
        return None
    report = Report.from_dict(load_report(out))
    report.options |= {"fail_on": options["fail_on"], "baseline": options["baseline"]}
    report.comparison = (
        compare_reports(load_report(options["baseline"]), report.to_dict())
        if options["baseline"]
        else None
    )
    rules = parse_rules(options["fail_on"])
    report.gate = evaluate(rules, report.summary, report.comparison) if rules else None
    return report
