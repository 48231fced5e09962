"""With features: CROWDLAB's consensus (answers + the model) vs Dawid-Skene's (answers alone).

examples/sms_sample.csv (1,162 texts, 2 classes) and examples/letters_sample.csv (2,000 rows,
26 classes), their known errors put right (``*.truth.csv``), get six simulated annotators:
accuracies 0.9, 0.8, 0.7, 0.6 and 0.55 (errors: a random other class) and one right 85% of the
time who answers the first class for every second one; each labels a random 50% of the rows
(three answers per row on average). Three seeds. Both consensuses are read from the same
scan (``databugs.scan``, wide annotators, no label column), Dawid-Skene run on its answers.

    python benchmarks/crowd_features.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_recipe import markdown_table

import databugs
from databugs.annotators.truth import infer_truth, majority_vote

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ACCURACY = {"w90": 0.9, "w80": 0.8, "w70": 0.7, "w60": 0.6, "w55": 0.55, "w_habit": 0.85}
COVERAGE = 0.5


def true_labels(name: str) -> pd.DataFrame:
    frame = pd.read_csv(EXAMPLES / f"{name}.csv", dtype=str, keep_default_na=False)
    fixes = pd.read_csv(EXAMPLES / f"{name}.truth.csv", dtype=str, keep_default_na=False)
    frame.loc[fixes["row"].astype(int), "label"] = fixes["true_label"].to_numpy()
    return frame


def simulate(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    classes = np.array(sorted(set(frame["label"])))
    truth = np.searchsorted(classes, frame["label"].to_numpy())
    columns = {}
    for name, accuracy in ACCURACY.items():
        answer = truth.copy()
        wrong = rng.random(len(truth)) > accuracy
        answer[wrong] = (truth[wrong] + rng.integers(1, len(classes), wrong.sum())) % len(classes)
        if name == "w_habit":
            answer[truth == 1] = 0
        labels = classes[answer].astype(object)
        labels[rng.random(len(truth)) > COVERAGE] = None
        columns[name] = labels
    return frame.drop(columns="label").assign(**columns)


def one_run(name: str, seed: int) -> dict:
    frame = true_labels(name)
    data = simulate(frame, seed)
    report = databugs.scan(data, annotators=list(ACCURACY), seed=seed)
    rows = report.rows
    truth = frame["label"].to_numpy()
    classes = sorted(set(truth) | {t for c in ACCURACY for t in data[c].dropna()})
    annotations = data[list(ACCURACY)].to_numpy()
    index = {c: i for i, c in enumerate(classes)}
    matrix = np.vectorize(lambda t: -1 if pd.isna(t) else index[t], otypes=[int])(annotations)
    answered = (matrix >= 0).any(axis=1)
    found = {
        "majority vote": np.array(classes)[majority_vote(matrix, len(classes), seed=0)],
        "CROWDLAB": rows["consensus_label"].to_numpy(),
        "Dawid-Skene": np.array(classes)[infer_truth(matrix, len(classes)).posterior.argmax(1)],
    }
    return {
        "set": name,
        "seed": seed,
        **{k: round(float((v[answered] == truth[answered]).mean()), 4) for k, v in found.items()},
    }


def main() -> None:
    rows = []
    for name in ("sms_sample", "letters_sample"):
        for seed in (0, 1, 2):
            rows.append(one_run(name, seed))
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(markdown_table(table))
    print(table.groupby("set")[["majority vote", "CROWDLAB", "Dawid-Skene"]].mean().round(4))


if __name__ == "__main__":
    main()
