"""What the dataset-level detectors find on real data, and what they cost.

Runs the default scan on sms_spam and trec_questions (no injected noise: the duplicates and
confusions found are the datasets' own), prints each detector's findings with examples, and
times the scan with all detectors against the scan with the label-issue detector alone.

    python benchmarks/dataset_detectors.py [--datasets sms_spam,trec_questions]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import pandas as pd

import databugs

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
REPEATS = 3


def best_time(frame: pd.DataFrame, detectors: list[str] | None) -> tuple[float, databugs.Report]:
    """Best of a few runs, so that one slow start does not decide."""
    timings, report = [], None
    for _ in range(REPEATS):
        started = time.perf_counter()
        report = databugs.scan(frame, label="label", detectors=detectors)
        timings.append(time.perf_counter() - started)
    return min(timings), report


def describe(report: databugs.Report, frame: pd.DataFrame) -> None:
    print(f"  counts: {report.summary['counts']}")
    rows_per_kind = Counter(issue.kind for issue in report.issues)
    print(f"  rows per kind: {dict(rows_per_kind)}")
    shown: Counter = Counter()
    for issue in report.issues:
        if issue.kind == "label_issue" or shown[issue.kind] >= 3:
            continue
        if issue.group and any(issue.group == other for other in shown.elements()):
            continue
        shown[issue.kind] += 1
        shown_text = issue.row is not None and "text" in frame.columns
        text = " | " + str(frame["text"].iat[issue.row])[:70] if shown_text else ""
        print(f"  - {issue.kind}: {issue.message}{text}")


def duplicates_at_scale(rows: int = 100_000) -> None:
    """Duplicate detectors on 100k short texts: trec resampled, a word dropped here and there."""
    import numpy as np

    trec = pd.read_parquet(SHARED / "trec_questions.parquet")
    rng = np.random.default_rng(0)
    picked = trec.iloc[rng.integers(0, len(trec), rows)].reset_index(drop=True)
    words = picked["text"].str.split()
    drop = rng.integers(0, 12, rows)
    picked["text"] = [
        " ".join(w[:d] + w[d + 1 :]) if d < len(w) else " ".join(w)
        for w, d in zip(words, drop, strict=True)
    ]
    report = databugs.scan(
        picked, label="label", detectors=["conflicting_duplicates", "near_duplicates"]
    )
    print(
        f"duplicates on {rows} texts: detector stage {report.timings['detectors_s']:.1f}s, "
        f"{report.summary['counts']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="sms_spam,trec_questions,digits,letters,bbc_news")
    args = parser.parse_args()
    for name in args.datasets.split(","):
        frame = pd.read_parquet(SHARED / f"{name}.parquet")
        alone, _ = best_time(frame, ["label_issue"])
        everything, report = best_time(frame, None)
        print(
            f"{name}: {len(frame)} rows; scan {alone:.2f}s with label issues only, "
            f"{everything:.2f}s with every detector ({everything / alone:.2f}x); "
            f"detector stage {report.timings['detectors_s']:.2f}s"
        )
        describe(report, frame)
    duplicates_at_scale()


if __name__ == "__main__":
    main()
