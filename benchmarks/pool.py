"""databugs vs the cleanlab recipe on every classification set in ../shared/datasets.

Each set (the five originals, ``text_*`` and ``tab_*``: 59) is cut to at most 20,000 rows
(stratified, seed 0) and given injected noise of one of three kinds, at 5% or 10% of the rows:

- ``uniform``: a random other class;
- ``confusable``: the class a model trained on the clean labels gives the row most, after its own;
- ``to_majority``: a row outside the majority class gets the majority class (the default a
  tired annotator falls back on).

The quick tier gives each set one kind and rate, rotating through the six; the full tier all six.
Each method runs in a fresh process (its wall time and peak memory are its own):

    python benchmarks/pool.py --tier quick            # about 60 cases
    python benchmarks/pool.py --tier full             # about 350 cases
    python benchmarks/pool.py --tier quick --datasets digits,sms_spam

Per case: AP of the ranking against the changed rows, precision/recall/F1 of the flags, the
gain in label accuracy if every suggested correction is accepted, the worst-class gain (the
same within the rows truly of each class of at least 30 rows; the minimum), wall time, peak
memory. Results go to benchmarks/results/pool-<tier>.csv; ``--report`` writes the tables and
the plot of docs/benchmarks.md from it.

The recipe is what cleanlab's documentation teaches: 5-fold ``cross_val_predict`` of TF-IDF +
logistic regression (text) or HistGradientBoosting (tables), ``find_label_issues``, ranking by
self-confidence, the suggestion the model's most likely class.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
RESULTS = ROOT / "benchmarks" / "results"
MAX_ROWS = 20_000
KINDS = ("uniform", "confusable", "to_majority")
RATES = (0.05, 0.10)
SEED = 0
MIN_CLASS_ROWS = 30
"""Classes with fewer true rows are left out of the worst-class gain (too few to measure)."""
METADATA_COLUMNS = ("split", "id")
"""Columns of the shared sets that are bookkeeping, not content: dropped before a scan."""


def dataset_names() -> list[str]:
    """Every classification set of the pool, in name order."""
    names = sorted(path.stem for path in SHARED.glob("*.parquet"))
    return [n for n in names if not n.startswith(("reg_", "multilabel_", "crowd_"))]


def load(name: str) -> pd.DataFrame:
    """The set with string labels, bookkeeping columns dropped, cut to MAX_ROWS (stratified)."""
    frame = pd.read_parquet(SHARED / f"{name}.parquet")
    frame = frame.drop(columns=[c for c in METADATA_COLUMNS if c in frame.columns])
    frame["label"] = frame["label"].astype(str)
    if len(frame) > MAX_ROWS:
        from sklearn.model_selection import train_test_split

        frame, _ = train_test_split(
            frame, train_size=MAX_ROWS, stratify=frame["label"], random_state=SEED
        )
    return frame.reset_index(drop=True)


def is_text(frame: pd.DataFrame) -> bool:
    return "text" in frame.columns


def cases(tier: str, names: list[str]) -> list[tuple[str, str, float]]:
    """(dataset, noise kind, rate) for each case of the tier."""
    combos = [(kind, rate) for rate in RATES for kind in KINDS]
    if tier == "full":
        return [(name, kind, rate) for name in names for kind, rate in combos]
    every = dataset_names()
    return [(name, *combos[every.index(name) % len(combos)]) for name in names]


def case_seed(name: str, kind: str, rate: float) -> int:
    """A seed per case, the same every run."""
    return int(hashlib.sha256(f"{name}/{kind}/{rate}".encode()).hexdigest()[:8], 16)


def recipe_model(text: bool):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    if text:
        return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    return HistGradientBoostingClassifier(random_state=SEED)  # seeded: early stopping splits


def recipe_features(frame: pd.DataFrame) -> pd.Series | np.ndarray:
    """What the recipe feeds its model: the text column, or every other column as numbers."""
    if is_text(frame):
        return frame["text"]
    features = frame.drop(columns="label")
    numeric = features.apply(pd.to_numeric, errors="coerce")
    for column in features.columns:  # text categories as codes, as a user would encode them
        if numeric[column].isna().sum() > features[column].isna().sum():
            numeric[column] = pd.factorize(features[column])[0]
    return numeric.to_numpy(dtype=float)


def recipe_probabilities(frame: pd.DataFrame, labels: np.ndarray) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    model = recipe_model(is_text(frame))
    return cross_val_predict(
        model, recipe_features(frame), labels, cv=folds, method="predict_proba"
    )


def inject_noise(frame: pd.DataFrame, kind: str, rate: float, seed: int) -> np.ndarray:
    """The noisy labels (strings): ``rate`` of the rows changed the ``kind`` way."""
    classes, clean = np.unique(frame["label"].to_numpy(), return_inverse=True)
    rng = np.random.default_rng(seed)
    noisy = clean.copy()
    if kind == "to_majority":
        majority = np.bincount(clean).argmax()
        outside = np.flatnonzero(clean != majority)
        rows = rng.choice(outside, size=min(len(outside), round(rate * len(clean))), replace=False)
        noisy[rows] = majority
        return classes[noisy]
    rows = rng.choice(len(clean), size=round(rate * len(clean)), replace=False)
    if kind == "uniform":
        noisy[rows] = (clean[rows] + rng.integers(1, len(classes), size=len(rows))) % len(classes)
    else:
        probabilities = recipe_probabilities(frame, clean)
        probabilities[np.arange(len(clean)), clean] = -1
        noisy[rows] = probabilities[rows].argmax(axis=1)
    return classes[noisy]


def run_method(method: str, data: Path) -> dict:
    """One method on one noisy file, in this process: its scores and flags per row."""
    frame = pd.read_parquet(data)
    started = time.perf_counter()
    if method == "databugs":
        import databugs

        rows = databugs.scan(frame, label="label", seed=SEED).rows
        quality = rows["label_quality"].to_numpy()
        suggested = rows["suggested_label"].to_numpy()
    else:
        from cleanlab.filter import find_label_issues
        from cleanlab.rank import get_label_quality_scores

        classes, labels = np.unique(frame["label"].to_numpy(), return_inverse=True)
        probabilities = recipe_probabilities(frame, labels)
        quality = get_label_quality_scores(labels, probabilities, method="self_confidence")
        flagged = find_label_issues(labels, probabilities)
        suggested = np.where(flagged, classes[probabilities.argmax(axis=1)], frame["label"])
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "quality": np.asarray(quality, dtype=float).tolist(),
        "suggested": [str(s) for s in suggested],
    }


def score(clean: np.ndarray, noisy: np.ndarray, quality: np.ndarray, suggested: np.ndarray) -> dict:
    """Detection and safety figures of one method's ranking and suggestions."""
    is_error = clean != noisy
    flagged = suggested != noisy
    hits = flagged & is_error
    precision = hits.sum() / max(flagged.sum(), 1)
    recall = hits.sum() / max(is_error.sum(), 1)
    quality = np.where(np.isnan(quality), 1.0, quality)
    return {
        "ap": float(average_precision_score(is_error, -quality)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(2 * precision * recall / max(precision + recall, 1e-12)),
        "flagged": int(flagged.sum()),
        "gain": float((suggested == clean).mean() - (noisy == clean).mean()),
        "worst_class_gain": worst_class_gain(clean, noisy, suggested),
    }


def worst_class_gain(clean: np.ndarray, noisy: np.ndarray, suggested: np.ndarray) -> float:
    """The smallest change in label accuracy within the rows truly of one class (>= 30 rows)."""
    gains = [
        (suggested[members] == name).mean() - (noisy[members] == name).mean()
        for name in np.unique(clean)
        if (members := clean == name).sum() >= MIN_CLASS_ROWS
    ]
    return float(min(gains)) if gains else 0.0


def run_case(
    name: str, kind: str, rate: float, methods: list[str], *, fresh: bool = False
) -> list[dict]:
    """Both methods on one case, each in its own process (results kept from an earlier run
    unless ``fresh``)."""
    frame = load(name)
    noisy = inject_noise(frame, kind, rate, case_seed(name, kind, rate))
    folder = RESULTS / "pool"
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / f"{name}-{kind}-{rate}.parquet"
    frame.assign(label=noisy).to_parquet(data)
    rows = []
    for method in methods:
        out = folder / f"{name}-{kind}-{rate}-{method}.json"
        if not out.exists() or fresh:  # a run stopped half way goes on where it stopped
            command = [sys.executable, __file__, "--one", method, str(data), str(out)]
            subprocess.run(command, check=True)
        result = json.loads(out.read_text())
        figures = score(
            frame["label"].to_numpy(),
            noisy,
            np.array(result["quality"]),
            np.array(result["suggested"], dtype=object),
        )
        rows.append(
            {
                "dataset": name,
                "noise": kind,
                "rate": rate,
                "method": method,
                "rows": len(frame),
                "classes": frame["label"].nunique(),
                **figures,
                "seconds": round(result["seconds"], 3),
                "peak_mb": round(result["peak_mb"], 1),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def paired(table: pd.DataFrame) -> pd.DataFrame:
    """One line per case: databugs' figures beside the recipe's."""
    keys = ["dataset", "noise", "rate"]
    ours = table[table["method"] == "databugs"].set_index(keys)
    theirs = table[table["method"] == "recipe"].set_index(keys)
    return ours.join(theirs.add_suffix("_recipe"), how="inner").reset_index()


def aggregate(table: pd.DataFrame) -> dict:
    """The issue's targets, measured over every case."""
    both = paired(table)
    return {
        "cases": len(both),
        "mean AP (databugs / recipe)": (both["ap"].mean(), both["ap_recipe"].mean()),
        "cases with AP >= recipe - 0.005": (both["ap"] >= both["ap_recipe"] - 0.005).mean(),
        "mean F1 (databugs / recipe)": (both["f1"].mean(), both["f1_recipe"].mean()),
        "cases with F1 >= recipe - 0.01": (both["f1"] >= both["f1_recipe"] - 0.01).mean(),
        "cases with gain > 0": ((both["gain"] > 0).mean(), (both["gain_recipe"] > 0).mean()),
        "cases with worst-class gain >= -0.005": (
            (both["worst_class_gain"] >= -0.005).mean(),
            (both["worst_class_gain_recipe"] >= -0.005).mean(),
        ),
        "worst worst-class gain": (
            both["worst_class_gain"].min(),
            both["worst_class_gain_recipe"].min(),
        ),
        "time / recipe: mean, cases <= 1": (
            (both["seconds"] / both["seconds_recipe"]).mean(),
            (both["seconds"] <= both["seconds_recipe"]).mean(),
        ),
    }


def markdown(table: pd.DataFrame) -> str:
    """The aggregate and the per-case tables, and the worst cases, for docs/benchmarks.md."""
    lines = ["| figure | databugs | recipe |", "|---|---:|---:|"]
    for figure, value in aggregate(table).items():
        shown = value if isinstance(value, tuple) else (value, "")
        lines.append(f"| {figure} | " + " | ".join(_shown(v) for v in shown) + " |")
    both = paired(table)
    columns = ["ap", "f1", "gain", "worst_class_gain", "seconds"]
    lines += ["", "| case | rows | " + " | ".join(f"{c} (db / recipe)" for c in columns) + " |"]
    lines.append("|---|---:|" + "---:|" * len(columns))
    for row in both.sort_values(["dataset", "noise", "rate"]).itertuples(index=False):
        cells = [
            f"{_shown(getattr(row, c))} / {_shown(getattr(row, c + '_recipe'))}" for c in columns
        ]
        case = f"{row.dataset} {row.noise} {row.rate:.0%}"
        lines.append(f"| {case} | {row.rows} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _shown(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def plot(table: pd.DataFrame, path: Path) -> None:
    """AP and worst-class gain, databugs against the recipe, one dot per case."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    both = paired(table)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4.6))
    for axes, column, title in (
        (left, "ap", "AP of the ranking"),
        (right, "worst_class_gain", "worst-class gain if every flag is accepted"),
    ):
        colours = both["dataset"].str.startswith("text_").map({True: "#e45756", False: "#4c78a8"})
        axes.scatter(both[f"{column}_recipe"], both[column], s=12, c=colours)
        low = min(both[column].min(), both[f"{column}_recipe"].min())
        high = max(both[column].max(), both[f"{column}_recipe"].max())
        axes.plot([low, high], [low, high], color="grey", lw=0.8)
        axes.set_xlabel("recipe")
        axes.set_ylabel("databugs")
        axes.set_title(title)
    figure.suptitle("One dot per case (red: text sets); above the line: databugs better")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=("quick", "full"), default="quick")
    parser.add_argument("--report", type=Path, help="print the tables of this results CSV")
    parser.add_argument("--datasets", default="", help="comma-separated (default: all)")
    parser.add_argument("--methods", default="recipe,databugs")
    parser.add_argument("--fresh", action="store_true", help="run every case again")
    parser.add_argument("--one", nargs=3, metavar=("METHOD", "DATA", "RESULT"), help="internal")
    args = parser.parse_args()
    if args.one:
        method, data, result = args.one
        Path(result).write_text(json.dumps(run_method(method, Path(data))))
        return
    if args.report:
        table = pd.read_csv(args.report)
        print(markdown(table), end="")
        plot(table, ROOT / "docs" / f"pool-{args.tier}.png")
        return
    if not SHARED.exists():
        sys.exit(f"{SHARED} not found: the benchmark needs the shared datasets")
    names = args.datasets.split(",") if args.datasets else dataset_names()
    rows = []
    for name, kind, rate in cases(args.tier, names):
        rows += run_case(name, kind, rate, args.methods.split(","), fresh=args.fresh)
    table = pd.DataFrame(rows)
    out = RESULTS / f"pool-{args.tier}.csv"
    table.to_csv(out, index=False)
    for figure, value in aggregate(table).items():
        print(f"{figure}: {value}")


if __name__ == "__main__":
    main()
