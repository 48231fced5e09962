"""Scale on one machine: wall time and peak memory of a default scan at 10k, 100k and 1M rows.

Tables: a synthetic 10-class problem with 16 numeric and 4 categorical columns (scikit-learn's
``make_classification``), 5% of labels changed at random. Text: TREC questions resampled to
200,000 rows with a word dropped here and there, 6 classes. Each scan runs as the command line
does (`databugs scan FILE --out DIR`), in a fresh process under ``/usr/bin/time -v``; the
stage times come from the scan's ``timings.json``.

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--text] [--out benchmarks/results]
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
from compare_recipe import ROOT, SHARED, markdown_table

DATABUGS = Path(sys.executable).with_name("databugs")


def synthetic_table(rows: int, seed: int = 0) -> pd.DataFrame:
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
    return frame


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


def measure(data: Path, out: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", str(DATABUGS), "scan", str(data), "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-2000:])
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    stages = json.loads((out / "timings.json").read_text())
    scanned = sum(stages.values())
    return {
        "wall s": round(seconds, 1),
        "peak MB": round(peak / 1024),
        **{name: round(value, 1) for name, value in stages.items()},
        "writing outputs s": round(seconds - scanned, 1),
        "outside models": f"{1 - stages['models_s'] / seconds:.0%}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--text", action="store_true", help="also 200,000 TREC-like questions")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for rows in map(int, args.sizes.split(",")):
        data = args.out / f"synthetic_{rows}.parquet"
        if not data.exists():
            synthetic_table(rows).to_parquet(data)
        results.append(
            {
                "data": "table, 20 columns, 10 classes",
                "rows": rows,
                **measure(data, args.out / f"scale-{rows}"),
            }
        )
        print(results[-1], flush=True)
    if args.text:
        data = args.out / "trec_200000.parquet"
        if not data.exists():
            resampled_texts(200_000).to_parquet(data)
        results.append(
            {
                "data": "text (TREC resampled), 6 classes",
                "rows": 200_000,
                **measure(data, args.out / "scale-text"),
            }
        )
        print(results[-1], flush=True)
    table = pd.DataFrame(results)
    table.to_csv(args.out / "scale.csv", index=False)
    print(markdown_table(table))
    plot(table[table["data"].str.startswith("table")], ROOT / "docs" / "scale.png")


def plot(table: pd.DataFrame, path: Path) -> None:
    """Wall time and peak memory against rows, log-log, with the linear trend for reference."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.2), layout="constrained")
    for axes, column, unit in zip(
        figure.subplots(1, 2), ["wall s", "peak MB"], ["seconds", "MB"], strict=True
    ):
        rows = table["rows"].to_numpy(dtype=float)
        values = table[column].to_numpy(dtype=float)
        axes.loglog(rows, values, "o-", label="databugs scan")
        axes.loglog(rows, values[-1] * rows / rows[-1], ":", color="grey", label="linear")
        axes.set_xlabel("rows")
        axes.set_ylabel(unit)
        axes.set_title(column)
        axes.legend(frameon=False)
    figure.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
