"""databugs vs the cleanlab recipe, side by side on the same noisy data, in one run.

For each dataset in ../shared/datasets and each noise kind (uniform: a random other class;
confusable: the class a model trained on the clean labels confuses the row with most), 10% of
the labels are changed with a fixed seed. Each method then runs in a fresh subprocess so that
its wall time and peak memory are its own.

    python benchmarks/compare_recipe.py [--datasets digits,sms_spam] [--text-model]

The recipe is what cleanlab's documentation teaches: 5-fold ``cross_val_predict`` of TF-IDF +
logistic regression (text) or HistGradientBoosting (tables), ``find_label_issues``, ranking by
self-confidence.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from pool import inject_noise as pool_noise
from pool import recipe_probabilities
from sklearn.metrics import average_precision_score

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
DATASETS = ["digits", "letters", "sms_spam", "trec_questions", "bbc_news"]
NOISE_SHARE = 0.10
SEED = 0
TEXT_MODEL = "all-MiniLM-L6-v2"  # the optional sentence-embedding model, for text datasets


def inject_noise(frame: pd.DataFrame, kind: str) -> np.ndarray:
    """Noisy labels: 10% of rows moved to another class (pool.py's noise, at this seed)."""
    return pool_noise(frame, kind, NOISE_SHARE, SEED)


def run_method(method: str, data: Path) -> dict:
    """Run one method on one noisy file (in this process); returns its scores per row."""
    frame = pd.read_parquet(data)
    started = time.perf_counter()
    if method.startswith("databugs"):
        import databugs

        text_model = TEXT_MODEL if method == "databugs --text-model" else None
        report = databugs.scan(frame, label="label", seed=SEED, text_model=text_model)
        rows = report.rows
        quality = rows["label_quality"].to_numpy()
        flagged = rows["is_label_issue"].to_numpy()
        suggested = rows["suggested_label"].to_numpy()
    else:
        from cleanlab.filter import find_label_issues
        from cleanlab.rank import get_label_quality_scores

        classes = np.array(sorted(frame["label"].unique()))
        labels = np.searchsorted(classes, frame["label"].to_numpy())
        probabilities = recipe_probabilities(frame, labels)
        quality = get_label_quality_scores(labels, probabilities, method="self_confidence")
        flagged = find_label_issues(labels, probabilities)
        suggested = np.where(flagged, classes[probabilities.argmax(axis=1)], frame["label"])
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "peak_mb": peak_mb,
        "quality": np.asarray(quality, dtype=float).tolist(),
        "flagged": np.asarray(flagged, dtype=bool).tolist(),
        "suggested": [str(s) for s in suggested],
    }


def score(clean: np.ndarray, noisy: np.ndarray, result: dict) -> dict:
    is_error = clean != noisy
    flagged = np.array(result["flagged"])
    suggested = np.array(result["suggested"], dtype=object)
    true_flags = flagged & is_error
    precision = true_flags.sum() / max(flagged.sum(), 1)
    recall = true_flags.sum() / is_error.sum()
    fixed = np.where(flagged, suggested, noisy)
    return {
        "ap": average_precision_score(is_error, -np.array(result["quality"])),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / max(precision + recall, 1e-12),
        "flagged": int(flagged.sum()),
        "suggestion_right": float((suggested[true_flags] == clean[true_flags]).mean())
        if true_flags.any()
        else 0.0,
        "gain": float((fixed == clean).mean() - (noisy == clean).mean()),
        "seconds": result["seconds"],
        "peak_mb": result["peak_mb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument(
        "--text-model", action="store_true", help=f"also databugs --text-model {TEXT_MODEL}"
    )
    parser.add_argument("--one", nargs=3, metavar=("METHOD", "DATA", "RESULT"), help="internal")
    args = parser.parse_args()
    if args.one:
        method, data, result = args.one
        Path(result).write_text(json.dumps(run_method(method, Path(data))))
        return
    if not SHARED.exists():
        sys.exit(f"{SHARED} not found: the benchmark needs the shared datasets")
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.datasets.split(","):
        frame = pd.read_parquet(SHARED / f"{name}.parquet")
        frame["label"] = frame["label"].astype(str)
        kinds = ["uniform"] if frame["label"].nunique() == 2 else ["uniform", "confusable"]
        for kind in kinds:
            noisy = inject_noise(frame, kind)
            data = args.out / f"{name}-{kind}.parquet"
            frame.assign(label=noisy).to_parquet(data)
            methods = ["recipe", "databugs"]
            if "text" in frame.columns and args.text_model:
                methods.append("databugs --text-model")
            for method in methods:
                result_path = args.out / f"{name}-{kind}-{method.replace(' ', '')}.json"
                subprocess.run(
                    [sys.executable, __file__, "--one", method, str(data), str(result_path)],
                    check=True,
                )
                scores = score(
                    frame["label"].to_numpy(), noisy, json.loads(result_path.read_text())
                )
                rows.append({"dataset": name, "noise": kind, "method": method, **scores})
                print(json.dumps(rows[-1]), flush=True)
    table = pd.DataFrame(rows)
    table.to_csv(args.out / "compare_recipe.csv", index=False)
    print(markdown_table(table.round(3)))


def markdown_table(table: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
