"""databugs label vs majority vote of the rules vs a model trained on the few known labels.

For sms_spam and trec_questions, 2% of the labels are kept (stratified, seeds 0, 1, 2) and the
rest hidden; the rules are the ones in examples/rules/, written in about ten minutes without
looking at the hidden labels. Accuracy is measured on the hidden rows; a row left without a
label counts as wrong (majority vote gives none where no rule fires).

    python benchmarks/weak_labelling.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_recipe import ROOT, SHARED, markdown_table

from databugs.features import build_features
from databugs.label_model import majority_vote
from databugs.oof import make_model
from databugs.rules import load_rules, typed_frame
from databugs.weak import label_data

KEEP = 0.02


def kept_rows(truth: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    keep = np.zeros(len(truth), dtype=bool)
    for name in np.unique(truth):
        rows = np.flatnonzero(truth == name)
        keep[rng.choice(rows, max(1, round(KEEP * len(rows))), replace=False)] = True
    return keep


def main() -> None:
    results = []
    for dataset in ["sms_spam", "trec_questions"]:
        frame = pd.read_parquet(SHARED / f"{dataset}.parquet")
        truth = frame["label"].astype(str).to_numpy()
        rules_file = ROOT / "examples" / "rules" / f"{dataset}.yaml"
        for seed in (0, 1, 2):
            keep = kept_rows(truth, seed)
            hidden = ~keep
            data = frame.assign(label=np.where(keep, truth, None))
            features = build_features(data, exclude=["label"])
            typed = typed_frame(data)
            rules = load_rules(rules_file, typed, features.text_columns)
            classes = sorted(set(truth))
            index = {name: i for i, name in enumerate(classes)}
            votes = np.array(
                [[-1 if v is None else index[v] for v in rule.apply(data, typed)] for rule in rules]
            ).T
            majority = majority_vote(votes, len(classes))
            voted = np.array([classes[m] if m >= 0 else None for m in majority], dtype=object)
            few = make_model("sgd+nb", "text", seed).fit(features.matrix[keep], truth[keep])
            started = time.perf_counter()
            result = label_data(data, rules=rules_file, seed=seed, min_confidence=0.0)
            seconds = time.perf_counter() - started
            weak = result.rows["weak_label"].to_numpy()
            default = label_data(data, rules=rules_file, seed=seed).rows["weak_label"].to_numpy()
            results.append(
                {
                    "dataset": dataset,
                    "seed": seed,
                    "known labels": int(keep.sum()),
                    "rules": len(rules),
                    "majority vote": (voted[hidden] == truth[hidden]).mean(),
                    "majority vote coverage": (majority[hidden] >= 0).mean(),
                    "model on 2%": (few.predict(features.matrix[hidden]) == truth[hidden]).mean(),
                    "databugs label": (weak[hidden] == truth[hidden]).mean(),
                    "databugs coverage": pd.notna(weak[hidden]).mean(),
                    "default (min-confidence 0.5) accuracy of labelled": (
                        default[hidden] == truth[hidden]
                    )[pd.notna(default[hidden])].mean(),
                    "default coverage": pd.notna(default[hidden]).mean(),
                    "combiner": result.summary["combiner"],
                    "time s": seconds,
                }
            )
            print(results[-1], flush=True)
    table = pd.DataFrame(results)
    print(markdown_table(table.round(3)))
    means = table.groupby("dataset").mean(numeric_only=True).round(3).reset_index()
    print(markdown_table(means))


if __name__ == "__main__":
    main()
