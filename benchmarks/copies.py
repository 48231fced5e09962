"""Equal rows with different labels on the pool: copies, or rows the columns cannot tell apart.

Scans every classification table of ../shared/datasets (and a few text sets, where nothing
should move) with the copy detectors and the label issues, and every regression set, and
writes the rows each kind reports and the corrections the copy detectors propose. Run it with
two source trees to compare (no noise is injected: the copies are the datasets' own).

    PYTHONPATH=src python benchmarks/copies.py [--out benchmarks/results/copies.json]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import pandas as pd

import databugs
from databugs.detectors import all_detectors

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
MAX_ROWS = 5000
COPY_KINDS = ["conflicting_duplicates", "near_duplicates"]
KINDS = [*COPY_KINDS, "indistinct_rows", "label_issue"]
TEXT_SETS = ["sms_spam", "trec_questions", "text_tweeteval_emoji", "text_sst2"]


def sample(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path).drop(columns=["split"], errors="ignore")
    if len(frame) > MAX_ROWS:
        frame = frame.sample(MAX_ROWS, random_state=0).reset_index(drop=True)
    return frame


def classification_sets() -> list[Path]:
    tables = sorted(SHARED.glob("tab_*.parquet"))
    others = [SHARED / f"{name}.parquet" for name in ["letters", "digits", *TEXT_SETS]]
    return tables + others


def scan_classes(path: Path) -> dict:
    known = set(all_detectors())
    report = databugs.scan(
        sample(path), label="label", jobs=2, detectors=[k for k in KINDS if k in known]
    )
    rows = Counter(issue.kind for issue in report.issues)
    indistinct = [i.details["rows"] for i in report.issues if i.kind == "indistinct_rows"]
    changed = sorted(
        [issue.row, str(issue.suggested_label)]
        for issue in report.issues
        if issue.kind in COPY_KINDS and issue.suggested_label != issue.given_label
    )
    return {"issues": dict(rows), "indistinct_rows": sum(indistinct), "changed": changed}


def scan_values(path: Path) -> dict:
    report = databugs.scan(sample(path), label="label", task="regression", jobs=2)
    copies = [issue for issue in report.issues if issue.kind == "conflicting_duplicates"]
    return {"rows": len(copies), "groups": len({issue.group for issue in copies})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/copies.json")
    arguments = parser.parse_args()
    results = {}
    for path in classification_sets():
        results[path.stem] = scan_classes(path)
        print(path.stem, results[path.stem]["issues"], flush=True)
    for path in sorted(SHARED.glob("reg_*.parquet")):
        results[path.stem] = scan_values(path)
        print(path.stem, results[path.stem], flush=True)
    Path(arguments.out).parent.mkdir(parents=True, exist_ok=True)
    Path(arguments.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
