"""Consensus labels from several annotators: CROWDLAB (databugs) vs majority vote, and time.

letters (20,000 rows, 26 classes) gets five simulated annotators: four honest ones of accuracy
0.9, 0.85, 0.8 and 0.7 (errors: a random other class) and one who is right 85% of the time but
swaps two pairs of look-alike letters (O/Q, H/N). Each labels a random 60% of the rows, so a row
has three labels on average. Three seeds; the scan runs in this process after a warm-up import.

    python benchmarks/annotators.py
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_recipe import SHARED, markdown_table

import databugs

ANNOTATORS = {"ann_90": 0.9, "ann_85": 0.85, "ann_80": 0.8, "ann_70": 0.7, "ann_swaps": 0.85}
SWAPS = [("O", "Q"), ("H", "N")]
COVERAGE = 0.6


def simulate(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = frame["label"].to_numpy()
    classes = np.array(sorted(set(truth)))
    columns = {}
    for name, accuracy in ANNOTATORS.items():
        labels = truth.astype(object).copy()
        wrong = np.flatnonzero(rng.random(len(truth)) > accuracy)
        shift = rng.integers(1, len(classes), size=len(wrong))
        labels[wrong] = classes[(np.searchsorted(classes, truth[wrong]) + shift) % len(classes)]
        if name == "ann_swaps":
            for a, b in SWAPS:
                labels[truth == a], labels[truth == b] = b, a
        labels[rng.random(len(truth)) > COVERAGE] = None
        columns[name] = labels
    return frame.drop(columns="label").assign(**columns)


def main() -> None:
    frame = pd.read_parquet(SHARED / "letters.parquet")
    frame["label"] = frame["label"].astype(str)
    truth = frame["label"].to_numpy()
    rows = []
    for seed in (0, 1, 2):
        data = simulate(frame, seed)
        started = time.perf_counter()
        report = databugs.scan(data, annotators=list(ANNOTATORS), seed=seed)
        seconds = time.perf_counter() - started
        result = report.rows
        scored = result["consensus_label"].notna().to_numpy()
        habits = [i for i in report.issues if i.kind == "annotator_systematic"]
        rows.append(
            {
                "seed": seed,
                "rows with a consensus": int(scored.sum()),
                "majority vote accuracy": round(
                    float((result["given_label"][scored] == truth[scored]).mean()), 4
                ),
                "CROWDLAB accuracy": round(
                    float((result["consensus_label"][scored] == truth[scored]).mean()), 4
                ),
                "alpha": report.agreement["krippendorff_alpha"],
                "ranking": " > ".join(a["name"] for a in reversed(report.annotators)),
                "habits found": ", ".join(
                    sorted(
                        f"{i.details['consensus_label']}->{i.details['used_label']}" for i in habits
                    )
                ),
                "scan s": round(seconds, 1),
                "peak MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
        print(rows[-1], flush=True)
    print(markdown_table(pd.DataFrame(rows)))


if __name__ == "__main__":
    main()
