"""databugs label against the usual ways to get labels from rules and a few gold labels.

For each text set, 1% and 5% of the rows keep their label (stratified, seeded: "gold"); the
others are hidden and every method labels every hidden row (full coverage). Methods:

- gold only: the scan's candidate models (chosen by out-of-fold fit) trained on the gold rows;
- majority vote: the rules' majority vote; rows no rule covers get the commonest gold class;
- snorkel: Snorkel's LabelModel on the same votes, then the same end model as databugs (the
  scan's candidates, trained on the gold rows plus the label model's labels), labelling every
  row; "snorkel label model" is its label model alone (uncovered rows: commonest gold class);
- databugs: ``databugs.label`` with its defaults.

The time of ``databugs.label`` is compared with a ``databugs.scan`` of the same data (all rows
labelled, default options).

Rules: examples/rules/ (sms_spam, trec_questions) and benchmarks/rules/ (written from the class
names alone, in about ten minutes each, without looking at the labels).

    nice -n 5 python benchmarks/weak.py [--sets a,b] [--seeds 0,1] [--out results.csv]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_recipe import ROOT, SHARED, markdown_table

import databugs
from databugs.data.table import open_table
from databugs.weak.end_model import UNTRAINED, fit_end_model
from databugs.weak.label_model import (
    ABSTAIN,
    fit_label_model,
    gold_weighted_votes,
    majority_vote,
    vote_shares,
)
from databugs.weak.labelling import _label_column, _votes

SETS = {
    "sms_spam": ROOT / "examples" / "rules" / "sms_spam.yaml",
    "trec_questions": ROOT / "examples" / "rules" / "trec_questions.yaml",
    "bbc_news": ROOT / "benchmarks" / "rules" / "bbc_news.yaml",
    "text_ag_news_test": ROOT / "benchmarks" / "rules" / "text_ag_news_test.yaml",
    "text_uci_sentiment_sentences_yelp": ROOT
    / "benchmarks"
    / "rules"
    / "text_uci_sentiment_sentences_yelp.yaml",
    "text_tweeteval_emotion": ROOT / "benchmarks" / "rules" / "text_tweeteval_emotion.yaml",
}
GOLD = (0.01, 0.05)


def gold_rows(truth: np.ndarray, share: float, seed: int) -> np.ndarray:
    """A seeded, stratified share of the rows (at least two per class)."""
    rng = np.random.default_rng(seed)
    keep = np.zeros(len(truth), dtype=bool)
    for name in np.unique(truth):
        rows = np.flatnonzero(truth == name)
        keep[rng.choice(rows, max(2, round(share * len(rows))), replace=False)] = True
    return keep


def load(name: str) -> pd.DataFrame:
    frame = pd.read_parquet(SHARED / f"{name}.parquet")
    keep = [c for c in frame.columns if c in ("text", "title", "label")]
    frame = frame[keep].drop(columns=["title"], errors="ignore")
    return frame.assign(label=frame["label"].astype(str))


def snorkel_posteriors(votes: np.ndarray, n_classes: int, seed: int) -> np.ndarray:
    import torch
    from snorkel.labeling.model import LabelModel

    torch.set_num_threads(1)
    model = LabelModel(cardinality=n_classes, verbose=False, device="cpu")
    model.fit(L_train=votes, n_epochs=500, log_freq=500, seed=seed, progress_bar=False)
    return model.predict_proba(votes)


def end_model_labels(features, gold: np.ndarray, posteriors: np.ndarray, covered, seed: int):
    """The same end model databugs uses, trained on gold + the label model's argmax labels."""
    ordered = np.sort(posteriors, axis=1)
    weak = covered & (gold == ABSTAIN) & ~np.isclose(ordered[:, -1], ordered[:, -2])
    targets = np.where(gold != ABSTAIN, gold, np.where(weak, posteriors.argmax(1), UNTRAINED))
    end = fit_end_model(features, targets, posteriors.shape[1], seed=seed)
    return end.probabilities.argmax(axis=1)


@dataclass
class Case:
    """One set with ``share`` of its labels kept (gold), the rest hidden, and the rules' votes
    on it, as databugs label reads them."""

    data: pd.DataFrame
    keep: np.ndarray
    features: object
    classes: list[str]
    votes: np.ndarray
    gold: np.ndarray
    true: np.ndarray
    """Every row's true class index."""


def make_case(name: str, share: float, seed: int) -> Case:
    frame = load(name)
    truth = frame["label"].to_numpy()
    keep = gold_rows(truth, share, seed)
    data = frame.assign(label=np.where(keep, truth, None))
    _, columns, features = open_table(data, label="label", id=None, label_rule=_label_column)
    _, classes, votes, gold = _votes(data, SETS[name], columns, features, None, "data")
    index = {c: i for i, c in enumerate(classes)}
    true = np.array([index[t] for t in truth])
    return Case(data, keep, features, classes, votes, gold, true)


def run(name: str, share: float, seed: int, scan_seconds: float) -> dict:
    case = make_case(name, share, seed)
    data, keep, features, classes = case.data, case.keep, case.features, case.classes
    votes, gold, true = case.votes, case.gold, case.true
    index = {c: i for i, c in enumerate(classes)}
    hidden = ~keep
    covered = (votes != ABSTAIN).any(axis=1)
    common = np.bincount(gold[keep], minlength=len(classes)).argmax()

    def accuracy(predicted: np.ndarray) -> float:
        return float((predicted[hidden] == true[hidden]).mean())

    only_gold = fit_end_model(features, np.where(keep, gold, UNTRAINED), len(classes), seed=seed)
    voted = majority_vote(votes, len(classes))
    snorkel = snorkel_posteriors(votes, len(classes), seed)
    started = time.perf_counter()
    result = databugs.label(data, rules=SETS[name], label="label", seed=seed)
    seconds = time.perf_counter() - started
    weak = np.array([index.get(v, -1) for v in result.rows["weak_label"]])
    row = {
        "dataset": name,
        "gold": share,
        "seed": seed,
        "gold rows": int(keep.sum()),
        "rule coverage": float(covered[hidden].mean()),
        "gold only": accuracy(only_gold.probabilities.argmax(axis=1)),
        "majority vote": accuracy(np.where(voted >= 0, voted, common)),
        "snorkel label model": accuracy(np.where(covered, snorkel.argmax(axis=1), common)),
        "snorkel + end model": accuracy(end_model_labels(features, gold, snorkel, covered, seed)),
        "databugs": accuracy(weak),
        "databugs estimate": result.summary["estimated_accuracy"],
        "combiner": result.summary["combiner"],
        "output": result.summary["output"],
        "end model on": result.summary["end_model_trained_on"],
        "uncovered by": result.summary["uncovered_rows_labelled_by"],
        **covered_accuracies(votes, gold, snorkel, true, hidden & covered),
        "label s": seconds,
        "scan s": scan_seconds,
    }
    best = max(row["gold only"], row["majority vote"], row["snorkel + end model"])
    row["margin"] = row["databugs"] - best
    return row


def covered_accuracies(votes, gold, snorkel, true, rows) -> dict:
    """Each way of combining the votes, on the hidden rows some rule covers."""
    n_classes = snorkel.shape[1]
    unsupervised = fit_label_model(votes, n_classes, np.full(len(gold), ABSTAIN))
    views = {
        "covered: majority": vote_shares(votes, n_classes),
        "covered: label model": unsupervised.posteriors,
        "covered: gold-weighted": gold_weighted_votes(
            votes, n_classes, gold, unsupervised
        ).posteriors,
        "covered: snorkel": snorkel,
    }
    return {name: float((p[rows].argmax(1) == true[rows]).mean()) for name, p in views.items()}


def scan_time(name: str) -> float:
    started = time.perf_counter()
    databugs.scan(load(name), label="label")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--out", default="weak_results.csv")
    arguments = parser.parse_args()
    results = []
    for name in arguments.sets.split(","):
        seconds = scan_time(name)
        for share in GOLD:
            for seed in map(int, arguments.seeds.split(",")):
                results.append(run(name, share, seed, seconds))
                print(
                    {k: round(v, 3) if isinstance(v, float) else v for k, v in results[-1].items()},
                    flush=True,
                )
                pd.DataFrame(results).to_csv(arguments.out, index=False)
    table = pd.DataFrame(results)
    print(markdown_table(table.drop(columns=["seed"]).round(3)))
    numeric = table.select_dtypes("number").drop(columns=["seed"])
    print(markdown_table(numeric.groupby(table["gold"]).mean().round(3).reset_index(drop=True)))


if __name__ == "__main__":
    main()
