"""What ``report.json`` holds, in one place: its schema name, its parts, the fields of an issue
and of a row, and reading one back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from databugs.errors import DatabugsError, ErrorCode

SCHEMA = "databugs.report/1"
REPORT_PARTS = ("input", "options", "summary", "classes", "features", "notes", "kinds", "issues")
"""What every report.json has and the commands that read one rely on."""

ISSUE_FIELDS = (
    "rank",
    "kind",
    "row",
    "id",
    "given_label",
    "suggested_label",
    "score",
    "group",
    "cluster",
    "key",
    "label_quality",
    "detail",
    "content",
    "evidence",
)
"""An issue in report.json, in this order."""
ISSUE_CSV_COLUMNS = [
    name
    for name in ISSUE_FIELDS
    if name not in ("cluster", "key", "label_quality", "content", "evidence")
]
"""The columns of ``issues.csv`` (SPEC)."""
ROW_COLUMNS = ["row", "id", "given_label", "suggested_label", "label_quality", "is_label_issue"]
"""The columns of ``corrected_labels.csv``."""
CONSENSUS_COLUMNS = ["consensus_label", "consensus_quality", "annotations", "annotator_agreement"]
"""Columns ``corrected_labels.csv`` gains when the data has several annotators."""
SPLIT_FIELDS = ("split", "file_row")
"""Fields an issue, and columns ``corrected_labels.csv``, gain when the data has splits: the
row's split and its row in that split's file."""


def load_report(path: str | Path) -> dict[str, Any]:
    """A ``report.json`` (or the folder holding one), checked to be one."""
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatabugsError(
            f"{path}: no such file", code=ErrorCode.MISSING_REPORT, hint="run databugs scan first"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):  # 100,000 brackets deep
        raise DatabugsError(f"{path}: not valid JSON", code=ErrorCode.BAD_REPORT) from None
    if not isinstance(report, dict) or report.get("schema") != SCHEMA:
        raise DatabugsError(f"{path}: not a databugs report.json", code=ErrorCode.BAD_REPORT)
    missing = [part for part in REPORT_PARTS if part not in report]
    if missing:
        raise DatabugsError(
            f"{path}: an incomplete report.json (no {missing[0]!r})", code=ErrorCode.BAD_REPORT
        )
    _check_input(path, report)
    _check_summary(path, report)
    _check_issues(path, report)
    return report


INPUT_PARTS = {"path": str, "label": (str, list), "rows": int, "sha256": str}
"""What the commands read of ``input`` (``fix``, ``diff``, a baseline), and of what type."""


def _check_input(path: Path, report: dict[str, Any]) -> None:
    """An input naming the data as the commands read it (a hand-edited one may not)."""
    scanned = report["input"]
    for part, kind in INPUT_PARTS.items():
        value = scanned.get(part) if isinstance(scanned, dict) else None
        if not isinstance(value, kind) or isinstance(value, bool):
            raise DatabugsError(
                f"{path}: an incomplete report.json ('input' has no {part!r} of its type)",
                code=ErrorCode.BAD_REPORT,
                hint="scan again, or restore the field",
            )


SUMMARY_PARTS = ("rows", "counts")
"""What every command reads of ``summary`` (``diff``, the gate, ``review``)."""


def _check_summary(path: Path, report: dict[str, Any]) -> None:
    """A summary with what every command reads of it (a hand-edited one may lack it)."""
    summary = report["summary"]
    if not isinstance(summary, dict):
        summary = {}
    missing = [part for part in SUMMARY_PARTS if part not in summary]
    health = summary.get("label_health")
    if missing:
        what = f"no {missing[0]!r}"
    elif not isinstance(summary["counts"], dict):
        what = "'counts' that is not an object"
    elif health is not None and (isinstance(health, bool) or not isinstance(health, int | float)):
        what = "a 'label_health' that is no number"
    else:
        return
    raise DatabugsError(
        f"{path}: an incomplete report.json ('summary' has {what})",
        code=ErrorCode.BAD_REPORT,
        hint="scan again, or restore the field",
    )


def is_two_file_scan(scan_input: dict[str, Any]) -> bool:
    """Whether report.json's ``input`` is of a training and a test file scanned together
    (their rows named ``test:68``)."""
    return len(scan_input.get("split_files") or ()) > 1


def _check_issues(path: Path, report: dict[str, Any]) -> None:
    """Every issue has every field the commands read (a hand-edited file may lack one); with a
    training and a test file, also the row's split and its row in that file."""
    issues = report["issues"]
    if not isinstance(issues, list):
        raise DatabugsError(f"{path}: 'issues' is not a list", code=ErrorCode.BAD_REPORT)
    needed = ISSUE_FIELDS + (SPLIT_FIELDS if is_two_file_scan(report["input"]) else ())
    for number, issue in enumerate(issues, start=1):
        missing = [name for name in needed if not isinstance(issue, dict) or name not in issue]
        if missing:
            raise DatabugsError(
                f"{path}: issue {number} of 'issues' has no field {missing[0]!r}",
                code=ErrorCode.BAD_REPORT,
                hint="scan again, or restore the field",
            )
