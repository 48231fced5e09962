"""databugs next vs random sampling: simulated annotators on every shared dataset.

For each dataset and seed: 20% held out for testing; from the rest, 20 random rows start
labelled; then 10 rounds ask for 50 rows each (``select_rows`` with the ``auto`` strategy, or
random), fill in their true labels, and measure held-out accuracy of the default model. The
area under the learning curve (mean accuracy over the 11 points) is compared, and for each run
the round at which every class has been seen.

    python benchmarks/active_learning.py [--datasets letters,digits] [--seeds 3]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from databugs.active import select_rows
from databugs.features import build_features
from databugs.oof import make_model, resolve_model_name

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
DATASETS = ["digits", "letters", "sms_spam", "trec_questions", "bbc_news"]
START, BATCH, ROUNDS = 20, 50, 10


def accuracy(features, labels, known: np.ndarray, test: np.ndarray, seed: int) -> float:
    model = make_model(resolve_model_name("auto", features.kind), features.kind, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(features.matrix[known], labels[known])
        return float((model.predict(features.matrix[test]) == labels[test]).mean())


def run(frame: pd.DataFrame, strategy: str, seed: int) -> dict:
    features = build_features(frame, exclude=["label"])
    labels = frame["label"].to_numpy()
    rows = np.arange(len(frame))
    pool, test = train_test_split(rows, test_size=0.2, random_state=seed, stratify=labels)
    rng = np.random.default_rng(seed)
    known = rng.choice(pool, size=START, replace=False)
    curve, seen_all = [], None
    for round_number in range(ROUNDS + 1):
        if seen_all is None and len(set(labels[known])) == len(set(labels)):
            seen_all = round_number
        curve.append(accuracy(features, labels, known, test, seed))
        if round_number == ROUNDS:
            break
        visible = [None] * len(frame)
        for row in known:
            visible[row] = labels[row]
        hidden = np.setdiff1d(rows, pool)  # the test rows are not candidates
        sub = np.setdiff1d(rows, hidden)
        sub_features = type(features)(
            matrix=features.matrix[sub],
            kind=features.kind,
            columns=features.columns,
            text_columns=features.text_columns,
        )
        picked = select_rows(
            sub_features,
            [visible[row] for row in sub],
            budget=BATCH,
            strategy=strategy,
            seed=seed + round_number,
        ).rows
        known = np.concatenate([known, sub[picked]])
    return {"curve": curve, "aulc": float(np.mean(curve)), "seen_all_round": seen_all}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in args.datasets.split(","):
        frame = pd.read_parquet(SHARED / f"{name}.parquet")
        for strategy in ["auto", "random"]:
            started = time.perf_counter()
            runs = [run(frame, strategy, seed) for seed in range(args.seeds)]
            results[f"{name}/{strategy}"] = {
                "curve": np.mean([r["curve"] for r in runs], axis=0).round(4).tolist(),
                "aulc": round(float(np.mean([r["aulc"] for r in runs])), 4),
                "seen_all_round": [r["seen_all_round"] for r in runs],
                "seconds": round(time.perf_counter() - started, 1),
            }
            print(name, strategy, json.dumps(results[f"{name}/{strategy}"]), flush=True)
    (args.out / "active_learning.json").write_text(json.dumps(results, indent=2))
    plot(results, ROOT / "docs" / "learning_curves.png")


def plot(results: dict, path: Path) -> None:
    """Learning curves, one panel per dataset (needs matplotlib, a benchmark-only extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted({key.split("/")[0] for key in results})
    figure, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.2), squeeze=False)
    labelled = [START + BATCH * r for r in range(ROUNDS + 1)]
    for axis, name in zip(axes[0], names, strict=True):
        for strategy, style in [("auto", "-o"), ("random", "--s")]:
            entry = results[f"{name}/{strategy}"]
            axis.plot(
                labelled,
                entry["curve"],
                style,
                markersize=3,
                label=f"{'databugs next' if strategy == 'auto' else 'random'} "
                f"(AULC {entry['aulc']:.3f})",
            )
        axis.set_title(name)
        axis.set_xlabel("labelled rows")
        axis.set_ylabel("held-out accuracy")
        axis.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
