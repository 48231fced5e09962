"""Re-check a gate without rescanning: when the data, the ledger and every option that shapes
the findings are those of the report already in ``--out``, that report is reused and only the
gate rules and the baseline comparison are evaluated again. This path imports no model code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from databugs.compare import compare_reports, load_report
from databugs.config import FINDING_OPTIONS
from databugs.gate import evaluate, gate_section, parse_rules
from databugs.io import file_sha256, write_bytes_atomically
from databugs.ledger import ledger_path
from databugs.version import __version__

FINGERPRINT = ".cache/last-scan.json"


def fingerprint(data: Path, options: Mapping[str, Any]) -> str:
    """What decides the findings: data bytes, decisions ledger, finding options, version.

    Empty when the data is not a readable file (the scan then says why)."""
    if not data.is_file():
        return ""
    ledger = ledger_path(data)
    parts = [
        __version__,
        file_sha256(data),
        file_sha256(ledger) if ledger.exists() else "",
        {name: options.get(name) for name in FINDING_OPTIONS},
    ]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def remember(out: Path, key: str) -> None:
    """Record which scan produced the report now in ``out``."""
    write_bytes_atomically(out / FINGERPRINT, json.dumps({"fingerprint": key}).encode())


def reusable_report(options: Mapping[str, Any], current: str) -> dict[str, Any] | None:
    """The report in ``out`` with gate and comparison brought up to date, or None to rescan.

    ``current`` is this run's :func:`fingerprint` (computed once by the caller: it reads the
    whole data file)."""
    out = Path(options["out"])
    try:
        stored = json.loads((out / FINGERPRINT).read_text(encoding="utf-8"))["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not current or stored != current or not (out / "report.json").exists():
        return None
    content = load_report(out)
    content["options"] |= {"fail_on": options["fail_on"], "baseline": options["baseline"]}
    content.pop("gate", None)
    content.pop("comparison", None)
    issues = content.pop("issues")
    if options["baseline"]:
        content["comparison"] = compare_reports(
            load_report(options["baseline"]), {**content, "issues": issues}
        )
    rules = parse_rules(options["fail_on"])
    if rules:
        results = evaluate(rules, content["summary"], content.get("comparison"))
        content["gate"] = gate_section(results)
    return {**content, "issues": issues}
