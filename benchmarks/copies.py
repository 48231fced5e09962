"""Equal rows with different labels on the pool: copies, or rows the columns cannot tell apart.

Scans every classification table of ../shared/datasets (and a few text sets, where nothing
should move) with the copy detectors and the label issues, and every regression set, and
writes the rows each kind reports and the corrections the copy detectors propose. Run it with
two source trees to compare (no noise is injected: the copies are the datasets' own).

    PYTHONPATH=src python benchmarks/copies.py [--out benchmarks/results/copies.json]
    PYTHONPATH=src python benchmarks/copies.py --planted   # recall of copies planted at 1%
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
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


PLANTED_SHARE = 0.01


def planted(path: Path, seed: int = 0) -> tuple[pd.DataFrame, set[int]]:
    """The set with 1% of its rows (at least 2) written again at the end with another label:
    copies a detector of copies should find (both rows of each pair)."""
    frame = sample(path)
    rng = np.random.default_rng(seed)
    sources = rng.choice(len(frame), max(2, round(PLANTED_SHARE * len(frame))), replace=False)
    copies = frame.iloc[sources].copy()
    labels = frame["label"].astype(str).unique()
    copies["label"] = [rng.choice(labels[labels != str(label)]) for label in copies["label"]]
    copies = copies.astype({"label": frame["label"].dtype}, errors="ignore")
    both = set(sources.tolist()) | set(range(len(frame), len(frame) + len(sources)))
    return pd.concat([frame, copies], ignore_index=True), both


def scan_planted(path: Path) -> dict:
    """Recall of the planted copies' rows by ``conflicting_duplicates``."""
    frame, both = planted(path)
    report = databugs.scan(frame, label="label", jobs=2, detectors=["conflicting_duplicates"])
    found = {i.row for i in report.issues if i.kind == "conflicting_duplicates"}
    return {"planted_rows": len(both), "found": len(both & found), "others": len(found - both)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/copies.json")
    parser.add_argument(
        "--planted", action="store_true", help="copies planted at 1%% instead (tables only)"
    )
    arguments = parser.parse_args()
    results = {}
    if arguments.planted:
        for path in sorted(SHARED.glob("tab_*.parquet")):
            results[path.stem] = scan_planted(path)
            print(path.stem, results[path.stem], flush=True)
        Path(arguments.out).parent.mkdir(parents=True, exist_ok=True)
        Path(arguments.out).write_text(json.dumps(results, indent=1))
        return
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
