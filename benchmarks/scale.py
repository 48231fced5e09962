"""Scale on one machine (and on a local Dask cluster): wall time, peak memory and detection
quality of a default scan at 10k, 100k and 1M rows, beside the cleanlab recipe.

Tables: a synthetic 10-class problem with 16 numeric and 4 categorical columns (scikit-learn's
``make_classification``), 5% of labels changed at random (the truth is kept aside to score
detection). Text: TREC questions resampled to 200,000 rows with a word dropped here and there,
6 classes. Each run is a fresh process under ``/usr/bin/time -v``: databugs as the command line
does (`databugs scan FILE --out DIR`, stage times from its ``timings.json``); the recipe is
compare_recipe.py's (5-fold ``cross_val_predict`` of a HistGradientBoostingClassifier, or
TF-IDF + logistic regression for text, then cleanlab's ``find_label_issues``).

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--text] [--recipe] [--dask]

``--sizes ''`` runs only the text cases; benchmarks/results/scale.csv keeps the other cases'
earlier runs.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_recipe import ROOT, SHARED, markdown_table, recipe_probabilities

DATABUGS = Path(sys.executable).with_name("databugs")


def synthetic_table(rows: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """The table, and which of its labels were changed (the truth detection is scored on)."""
    from sklearn.datasets import make_classification

    features, target = make_classification(
        n_samples=rows,
        n_features=16,
        n_informative=10,
        n_classes=10,
        n_clusters_per_class=2,
        random_state=seed,
    )
    frame = pd.DataFrame(features.astype("float32"), columns=[f"x{i}" for i in range(16)])
    rng = np.random.default_rng(seed)
    for column in range(4):
        frame[f"c{column}"] = pd.Categorical(rng.choice([f"v{k}" for k in range(8)], rows))
    labels = np.array([f"class_{c}" for c in target], dtype=object)
    changed = rng.random(rows) < 0.05
    labels[changed] = [f"class_{c}" for c in rng.integers(0, 10, changed.sum())]
    frame["label"] = labels
    wrong = labels != np.array([f"class_{c}" for c in target], dtype=object)
    return frame, wrong


def resampled_texts(rows: int, seed: int = 0) -> pd.DataFrame:
    """TREC questions drawn with replacement, each copy missing one word in three."""
    source = pd.read_parquet(SHARED / "trec_questions.parquet")
    rng = np.random.default_rng(seed)
    picked = source.iloc[rng.integers(0, len(source), rows)].reset_index(drop=True)
    texts = []
    for text in picked["text"]:
        words = text.split()
        if len(words) > 3 and rng.random() < 1 / 3:
            del words[rng.integers(0, len(words))]
        texts.append(" ".join(words))
    return pd.DataFrame({"text": texts, "label": picked["label"].astype(str)})


def twenty_classes(texts: pd.DataFrame) -> pd.DataFrame:
    """The same questions labelled (TREC class, first word), the 20 most frequent pairs kept:
    TREC has 6 classes, the target speaks of 20 (the first word makes them learnable)."""
    pairs = texts["label"] + ":" + texts["text"].str.split().str[0].str.lower()
    kept = pairs.value_counts().index[:20]
    chosen = pairs.isin(kept)
    return pd.DataFrame({"text": texts["text"][chosen], "label": pairs[chosen]}).reset_index(
        drop=True
    )


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident MB (the largest process, workers included) of a command."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-2000:])
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    return round(seconds, 1), round(peak / 1024)


def run_databugs(data: Path, out: Path, engine: str) -> dict:
    command = [str(DATABUGS), "scan", str(data), "--out", str(out), "-q", "--engine", engine]
    seconds, peak = timed(command)
    stages = json.loads((out / "timings.json").read_text())
    rows = pd.read_csv(out / "corrected_labels.csv", usecols=["label_quality", "is_label_issue"])
    return {
        "wall s": seconds,
        "peak MB": peak,
        **{name: round(value, 1) for name, value in stages.items()},
        "writing outputs s": round(seconds - sum(stages.values()), 1),
        "outside models": f"{1 - stages['models_s'] / seconds:.0%}",
        "quality": rows["label_quality"].to_numpy(),
        "flagged": rows["is_label_issue"].astype(str).str.lower().eq("true").to_numpy(),
    }


def run_recipe(data: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    result = out / "recipe.npz"
    seconds, peak = timed([sys.executable, __file__, "--recipe-one", str(data), str(result)])
    scores = np.load(result)
    return {"wall s": seconds, "peak MB": peak, **{k: scores[k] for k in ("quality", "flagged")}}


def recipe_one(data: Path, result: Path) -> None:
    """The cleanlab recipe on one file, in this process (run under /usr/bin/time)."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    frame = pd.read_parquet(data)
    if "text" not in frame.columns:
        frame = frame.assign(**{c: frame[c].cat.codes for c in frame.columns if c.startswith("c")})
    classes = np.array(sorted(frame["label"].unique()))
    labels = np.searchsorted(classes, frame["label"].to_numpy())
    probabilities = recipe_probabilities(frame, labels)
    quality = get_label_quality_scores(labels, probabilities, method="self_confidence")
    flagged = find_label_issues(labels, probabilities)
    np.savez(result, quality=quality, flagged=flagged)


def detection(result: dict, wrong: np.ndarray | None) -> dict:
    """AP of the ranking and F1 of the flags against the changed labels, when known."""
    from sklearn.metrics import average_precision_score, f1_score

    quality, flagged = result.pop("quality"), result.pop("flagged")
    if wrong is None:
        return {}
    return {
        "AP": round(average_precision_score(wrong, -quality), 3),
        "F1": round(f1_score(wrong, flagged), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--text", action="store_true", help="also 200,000 TREC-like questions")
    parser.add_argument("--recipe", action="store_true", help="also the cleanlab recipe")
    parser.add_argument("--dask", action="store_true", help="also --engine dask (LocalCluster)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--recipe-one", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.recipe_one:
        recipe_one(*args.recipe_one)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    methods = ["databugs", *(["databugs --engine dask"] * args.dask), *(["recipe"] * args.recipe)]
    cases = []
    for rows in [int(size) for size in args.sizes.split(",") if size]:
        frame, wrong = synthetic_table(rows)
        data = args.out / f"synthetic_{rows}.parquet"
        frame.to_parquet(data)
        cases.append(("table, 20 columns, 10 classes", rows, data, wrong))
    if args.text:
        data = args.out / "trec_200000.parquet"
        if not data.exists():
            resampled_texts(200_000).to_parquet(data)
        cases.append(("text (TREC resampled), 6 classes", 200_000, data, None))
        twenty = twenty_classes(resampled_texts(240_000)).iloc[:200_000]
        data = args.out / "trec_200000_20_classes.parquet"
        twenty.to_parquet(data)
        cases.append(("text (TREC resampled), 20 classes", len(twenty), data, None))
    results = []
    for name, rows, data, wrong in cases:
        for method in methods:
            out = args.out / f"scale-{data.stem}-{method.replace(' ', '')}"
            subprocess.run(["rm", "-rf", str(out)], check=True)  # no reuse of an earlier report
            if method == "recipe":
                measured = run_recipe(data, out)
            else:
                measured = run_databugs(data, out, "dask" if "dask" in method else "local")
            quality = detection(measured, wrong)
            results.append({"data": name, "rows": rows, "method": method, **measured, **quality})
            print(results[-1], flush=True)
    table = pd.DataFrame(results)
    saved = args.out / "scale.csv"
    if saved.exists():  # runs of other cases stay; these replace their earlier runs
        earlier = pd.read_csv(saved)
        key = ["data", "rows", "method"]
        kept = earlier.merge(table[key], on=key, how="left", indicator=True)["_merge"]
        table = pd.concat([earlier[(kept == "left_only").to_numpy()], table], ignore_index=True)
    table.to_csv(saved, index=False)
    print(markdown_table(table.astype(object).fillna("")))
    tables = table[table["data"].str.startswith("table")]
    if tables["rows"].nunique() > 1:
        plot(tables, ROOT / "docs" / "scale.png")


def plot(table: pd.DataFrame, path: Path) -> None:
    """Wall time and peak memory against rows, log-log, per method, with a linear trend."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.2), layout="constrained")
    for axes, column, unit in zip(
        figure.subplots(1, 2), ["wall s", "peak MB"], ["seconds", "MB"], strict=True
    ):
        for method, runs in table.groupby("method", sort=False):
            rows = runs["rows"].to_numpy(dtype=float)
            axes.loglog(rows, runs[column].to_numpy(dtype=float), "o-", label=method)
        mine = table[table["method"] == "databugs"]
        rows = mine["rows"].to_numpy(dtype=float)
        last = mine[column].to_numpy(dtype=float)[-1]
        axes.loglog(rows, last * rows / rows[-1], ":", color="grey", label="linear")
        axes.set_xlabel("rows")
        axes.set_ylabel(unit)
        axes.set_title(column)
        axes.legend(frameon=False, fontsize=8)
    figure.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
