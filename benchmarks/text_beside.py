"""A free-text note beside a table: regression and multi-label scans with and without it.

A table exported with a comments column is common; the note here is filler words that tell
nothing, so a scan that uses the table well finds what it finds without the note. Regression:
every reg_* set (samples of at most ``--max-rows``), 5% of the values swapped with another
row's (as ``regression.py``'s ``swap``). Multi-label: the multilabel_* sets named, 10% of the
rows with one true tag removed or one wrong tag added (as ``multilabel.py``). For each case:
AP of the changed rows by ``1 - label_quality``, flags and right flags, scan seconds.

    python benchmarks/text_beside.py regression [--max-rows 2000]
    python benchmarks/text_beside.py multilabel [--datasets flags,emotions,scene]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from multilabel import SHARED, inject_noise, load
from regression import inject
from sklearn.metrics import average_precision_score

import databugs

WORDS = ["the", "a", "of", "order", "late", "box", "sent", "call", "again", "please", "ok"]


def note(rows: int, seed: int) -> list[str]:
    """Filler words, 3 to 8 per row."""
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, rng.integers(3, 9))) for _ in range(rows)]


def measured(frame: pd.DataFrame, changed: np.ndarray, task: str) -> dict:
    start = time.perf_counter()
    report = databugs.scan(frame, label="label", task=task, jobs=1, seed=0)
    rows = report.rows.sort_values("row")
    flagged = rows["is_label_issue"].to_numpy()
    quality = rows["label_quality"].fillna(1.0).to_numpy()  # rows with no tag: unlabelled
    return {
        "ap": round(average_precision_score(changed, -quality), 4),
        "flags": int(flagged.sum()),
        "right": int((flagged & changed).sum()),
        "seconds": round(time.perf_counter() - start, 2),
    }


def regression_cases(max_rows: int) -> list[tuple[str, pd.DataFrame, np.ndarray]]:
    cases = []
    for path in sorted(SHARED.glob("reg_*.parquet")):
        frame = pd.read_parquet(path)
        frame = frame.sample(n=min(max_rows, len(frame)), random_state=0).reset_index(drop=True)
        noisy, changed = inject(frame["label"].to_numpy(dtype=float), "swap")
        cases.append((path.stem, frame.assign(label=noisy), changed))
    return cases


def multilabel_cases(datasets: list[str]) -> list[tuple[str, pd.DataFrame, np.ndarray]]:
    cases = []
    for name in datasets:
        features, clean, tags = load(name)
        for kind in ("remove", "add"):
            noisy, changed = inject_noise(clean, kind, seed=0)
            cells = [";".join(t for t, on in zip(tags, row, strict=True) if on) for row in noisy]
            cases.append((f"{name}/{kind}", features.assign(label=cells), changed))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=["regression", "multilabel"])
    parser.add_argument("--max-rows", type=int, default=2000)
    parser.add_argument("--datasets", default="flags,emotions,scene,yeast")
    args = parser.parse_args()
    if args.task == "regression":
        cases = regression_cases(args.max_rows)
    else:
        cases = multilabel_cases(args.datasets.split(","))
    totals = {"plain": [], "note": []}
    for name, frame, changed in cases:
        plain = measured(frame, changed, args.task)
        noted = measured(frame.assign(note=note(len(frame), 1)), changed, args.task)
        totals["plain"].append(plain["ap"])
        totals["note"].append(noted["ap"])
        print(f"{name}: plain {plain} | with a note {noted}", flush=True)
    means = {side: round(float(np.mean(aps)), 4) for side, aps in totals.items()}
    print(f"mean AP: plain {means['plain']}, with a note {means['note']}")


if __name__ == "__main__":
    main()
