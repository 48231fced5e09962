"""Consensus from crowd answers alone: databugs (label-only scan) vs majority vote and Dawid-Skene.

On the public crowd sets of ../shared/datasets (crowd_*_answers + crowd_*_truth: RTE, TEMP, WSD,
bluebirds): accuracy of each item's consensus against the truth for majority vote (ties broken
at random, seed 0), crowd-kit's Dawid-Skene (the reference implementation, ``pip install
crowd-kit``) and databugs' default (``databugs.scan`` of the answers, no feature column);
Spearman of databugs' estimated annotator accuracy against the true accuracy of annotators with
20+ answers (where there are 10+ of them); then the wall time of ``databugs scan`` on 100,000
answers (RTE's items resampled with replacement, 10 answers each) run as a command.

    python benchmarks/crowd.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from crowdkit.aggregation import DawidSkene
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_recipe import SHARED, markdown_table

import databugs
from databugs.annotators.truth import majority_vote

SETS = ["snow2008_rte", "snow2008_temp", "snow2008_wsd", "bluebirds"]
MIN_ANSWERS, MIN_ANNOTATORS = 20, 10
SCALE_ANSWERS = 100_000


def load(name: str) -> tuple[pd.DataFrame, pd.Series]:
    answers = pd.read_parquet(SHARED / f"crowd_{name}_answers.parquet").astype(str)
    truth = pd.read_parquet(SHARED / f"crowd_{name}_truth.parquet")
    return answers, truth.set_index("item_id")["label"].astype(str)


def majority(answers: pd.DataFrame) -> pd.Series:
    """Majority vote per item, ties broken at random (seed 0)."""
    items, item = np.unique(answers["item_id"], return_inverse=True)
    classes, label = np.unique(answers["label"], return_inverse=True)
    workers, worker = np.unique(answers["annotator_id"], return_inverse=True)
    matrix = np.full((len(items), len(workers)), -1)
    matrix[item, worker] = label
    return pd.Series(classes[majority_vote(matrix, len(classes), seed=0)], index=items)


def dawid_skene(answers: pd.DataFrame) -> pd.Series:
    frame = answers.rename(columns={"item_id": "task", "annotator_id": "worker"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return DawidSkene(n_iter=100).fit_predict(frame)


def one_set(name: str) -> dict:
    answers, truth = load(name)
    started = time.perf_counter()
    report = databugs.scan(answers, annotator_col="annotator_id", id="item_id", seed=0)
    seconds = time.perf_counter() - started
    ours = report.rows.set_index("id")["consensus_label"]
    accuracy = {
        method: float((found.reindex(truth.index) == truth).mean())
        for method, found in (
            ("majority vote", majority(answers)),
            ("Dawid-Skene (crowd-kit)", dawid_skene(answers)),
            ("databugs", ours),
        )
    }
    return {
        "set": name,
        "items": len(truth),
        "answers": len(answers),
        "annotators": answers["annotator_id"].nunique(),
        **{k: round(v, 4) for k, v in accuracy.items()},
        "databugs - MV (points)": round(
            100 * (accuracy["databugs"] - accuracy["majority vote"]), 2
        ),
        **quality_correlation(answers, truth, report.annotators),
        "scan s": round(seconds, 2),
    }


def quality_correlation(answers: pd.DataFrame, truth: pd.Series, table: list[dict]) -> dict:
    """Spearman of estimated vs true accuracy over annotators with 20+ answers."""
    right = answers["label"].to_numpy() == truth.reindex(answers["item_id"]).to_numpy()
    true_accuracy = pd.Series(right).groupby(answers["annotator_id"].to_numpy()).mean()
    busy = [e for e in table if e["rows"] >= MIN_ANSWERS]
    if len(busy) < MIN_ANNOTATORS:
        return {"annotators 20+": len(busy), "Spearman": None}
    rho = spearmanr([e["quality"] for e in busy], [true_accuracy[e["name"]] for e in busy])
    return {"annotators 20+": len(busy), "Spearman": round(float(rho.statistic), 3)}


def scale_run() -> dict:
    """``databugs scan`` of 100,000 answers (RTE items resampled), as a command, wall time."""
    answers, _ = load("snow2008_rte")
    rng = np.random.default_rng(0)
    groups = dict(tuple(answers.groupby("item_id")))
    picked = rng.choice(sorted(groups), size=SCALE_ANSWERS // 10)
    copies = [groups[item].assign(item_id=f"{item}-{n}") for n, item in enumerate(picked)]
    big = pd.concat(copies, ignore_index=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.csv"
        big.to_csv(path, index=False)
        command = [
            *(sys.executable, "-m", "databugs", "scan", str(path)),
            *("--annotator-col", "annotator_id", "--id", "item_id"),
            *("--out", str(Path(folder) / "out"), "-q"),
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - started
    return {"answers": len(big), "items": len(picked), "wall s": round(seconds, 1)}


def main() -> None:
    rows = []
    for name in SETS:
        rows.append(one_set(name))
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(markdown_table(table))
    methods = ["majority vote", "Dawid-Skene (crowd-kit)", "databugs"]
    print("mean accuracy:", {m: round(float(table[m].mean()), 4) for m in methods})
    print("worst databugs - MV (points):", float(table["databugs - MV (points)"].min()))
    print("scale:", scale_run())


if __name__ == "__main__":
    main()
