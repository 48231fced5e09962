"""Splits: leakage found, test-split label errors ranked, and what the two split detectors cost.

(a) ``leakage``: every classification set of ../shared/datasets (at most 20,000 rows, as
    pool.py cuts them) split 80/20 at random (seed 0); 2% of the test rows copied into the
    training split over training rows, half exactly, half with one word changed (text: a word
    replaced by another word of the set; tables: one cell set to another row's value). Recall
    of the planted pairs, and the pairs found besides them that the set did not already have
    before planting (false pairs). Then the sets that have a ``split`` column, on their own
    splits: the pairs found, by kind, with examples to judge by eye.
(b) ``test-noise``: sets split 70/30 (or their own train/test split), 5% of the test rows given
    a random other class; AP of databugs' test-row label quality (``databugs.scan(train,
    test=test)``) against the recipe: a model trained on the training rows (pool.py's recipe
    model), ``predict_proba`` on the test rows, ``cleanlab.rank.get_label_quality_scores``.
(c) ``timing``: a 100,000-row table (make_classification, as scale.py) and 100,000 texts
    (TREC resampled) with an 80/20 split column: the scan's wall time without the split
    detectors, and each split detector's own time on the same rows (after near_duplicates, as
    in a scan: the near-copy groups of all rows are made once).

    python benchmarks/splits.py leakage [--datasets a,b]
    python benchmarks/splits.py test-noise [--datasets a,b] [--max-rows 6000]
    python benchmarks/splits.py timing [--rows 100000] [--kinds table,text]

Results: benchmarks/results/splits-<part>.csv (and splits-original-pairs.csv for examples).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from pool import RESULTS, SHARED, dataset_names, load, recipe_features, recipe_model

from databugs.data.features import build_features
from databugs.data.splits import Splits, column_splits
from databugs.detectors.base import Context
from databugs.detectors.near_duplicates import NearDuplicates
from databugs.detectors.split_leakage import SplitLeakage
from databugs.detectors.split_shift import SplitShift

SEED = 0
LEAK_SHARE = 0.02
TEST_SHARE = 0.2


def content_context(frame: pd.DataFrame, splits: Splits) -> Context:
    """A context for detectors that read only the cells (no model: leakage reads none)."""
    labels = frame["label"].astype(str).tolist()
    classes = sorted(set(labels))
    index = {name: i for i, name in enumerate(classes)}
    uniform = np.full((len(labels), len(classes)), 1 / len(classes))
    return Context(
        frame=frame,
        label_column="label",
        labels=labels,
        classes=classes,
        labelled=np.arange(len(labels)),
        targets=np.array([index[label] for label in labels]),
        probabilities=uniform,
        label_quality=uniform[:, 0],
        features=build_features(frame, exclude=["label"]),
        folds=5,
        canonical=labels,
        splits=splits,
    )


def random_splits(rows: int, test_share: float, seed: int) -> np.ndarray:
    names = np.full(rows, "train", dtype=object)
    test = np.random.default_rng(seed).choice(rows, round(test_share * rows), replace=False)
    names[test] = "test"
    return names


def found_pairs(frame: pd.DataFrame, names: np.ndarray) -> dict[tuple[int, int], str]:
    splits = column_splits(frame.assign(__split=names), "__split", source="bench")
    issues = SplitLeakage().detect(content_context(frame, splits))
    return {tuple(i.details["rows"]): i.details["how"] for i in issues}


def plant_copies(
    frame: pd.DataFrame, names: np.ndarray, rng: np.random.Generator, leaked: set[int]
) -> tuple[pd.DataFrame, dict[tuple[int, int], str]]:
    """2% of the test rows (none ``leaked`` already) copied over random training rows; half
    of them changed once."""
    count = max(2, round(LEAK_SHARE * (names == "test").sum()))
    test = np.setdiff1d(np.flatnonzero(names == "test"), list(leaked))
    train = np.setdiff1d(np.flatnonzero(names == "train"), list(leaked))
    if len(test) < count:  # a set of many repeated rows (titanic): any test row
        test, train = np.flatnonzero(names == "test"), np.flatnonzero(names == "train")
    sources = rng.choice(test, count, replace=False)
    targets = rng.choice(train, count, replace=False)
    planted = frame.copy()
    text = "text" in frame.columns
    vocabulary = frame["text"].str.split().explode().dropna().unique() if text else None
    truth = {}
    for n, (source, target) in enumerate(zip(sources, targets, strict=True)):
        row = frame.iloc[source].copy()
        changed = n % 2 == 1
        if changed and text:
            words = str(row["text"]).split() or [""]
            spot = rng.integers(len(words))
            words[spot] = next(w for w in rng.choice(vocabulary, 5) if w != words[spot])
            row["text"] = " ".join(words)
        elif changed:
            column = rng.choice([c for c in frame.columns if c != "label"])
            others = frame[column][frame[column] != row[column]]
            row[column] = others.iloc[rng.integers(len(others))] if len(others) else row[column]
        planted.iloc[target] = row
        truth[(int(target), int(source))] = "changed" if changed else "exact"
    return planted, truth


def leakage_case(name: str) -> dict:
    frame = load(name).reset_index(drop=True)
    names = random_splits(len(frame), TEST_SHARE, SEED)
    before = set(found_pairs(frame, names))
    leaked = {row for pair in before for row in pair}
    planted, truth = plant_copies(frame, names, np.random.default_rng(SEED), leaked)
    started = time.perf_counter()  # features built as a scan does, then the detector
    found = found_pairs(planted, names)
    seconds = time.perf_counter() - started
    # a planted test row is found when it is paired with its copy (an exact copy: or with a
    # training row identical to it, which the detector names instead)
    paired = {}
    for first, second in found:
        paired.setdefault(second, set()).add(first)
    hits = {kind: 0 for kind in ("exact", "changed")}
    for (target, source), kind in truth.items():
        hits[kind] += target in paired.get(source, ()) or (kind == "exact" and source in paired)
    totals = {kind: sum(k == kind for k in truth.values()) for kind in hits}
    copied_rows = {row for pair in truth for row in pair}
    false = [p for p in found if p not in truth and p not in before and not set(p) & copied_rows]
    return {
        "dataset": name,
        "rows": len(frame),
        "planted": len(truth),
        "recall_exact": hits["exact"] / max(totals["exact"], 1),
        "recall_changed": hits["changed"] / max(totals["changed"], 1),
        "recall": (hits["exact"] + hits["changed"]) / len(truth),
        "false_pairs": len(false),
        "pairs_before_planting": len(before),
        "seconds_with_features": round(seconds, 2),
    }


def original_pairs(name: str) -> tuple[dict, list[dict]]:
    """Pairs found on a set's own splits (``oos_*`` of CLINC150 counted with their split)."""
    frame = pd.read_parquet(SHARED / f"{name}.parquet")
    names = frame.pop("split").str.replace("oos_", "", regex=False).to_numpy()
    frame = frame.drop(columns=[c for c in ("id",) if c in frame.columns])
    frame["label"] = frame["label"].astype(str)
    found = found_pairs(frame, names)
    kinds = pd.Series(list(found.values()), dtype=object).value_counts().to_dict()
    examples = [
        {"dataset": name, "how": how, "first": frame["text"].iat[a], "second": frame["text"].iat[b]}
        for (a, b), how in list(found.items())[:: max(1, len(found) // 8)][:8]
    ]
    return {"dataset": name, "rows": len(frame), "pairs": len(found), **kinds}, examples


def run_leakage(names: list[str]) -> None:
    results = []
    for name in names:
        results.append(leakage_case(name))
        print(results[-1], flush=True)
    table = pd.DataFrame(results)
    table.to_csv(RESULTS / "splits-leakage.csv", index=False)
    print(table[["recall", "recall_exact", "recall_changed", "false_pairs"]].describe())
    with_split = [n for n in names if "split" in pd.read_parquet(SHARED / f"{n}.parquet").columns]
    originals, examples = zip(*(original_pairs(n) for n in with_split), strict=True)
    pd.DataFrame(originals).to_csv(RESULTS / "splits-original.csv", index=False)
    pd.DataFrame([e for group in examples for e in group]).to_csv(
        RESULTS / "splits-original-pairs.csv", index=False
    )
    print(pd.DataFrame(originals))


def test_noise_case(name: str, max_rows: int) -> dict:
    from cleanlab.rank import get_label_quality_scores
    from sklearn.metrics import average_precision_score

    import databugs

    raw = pd.read_parquet(SHARED / f"{name}.parquet")
    frame = load(name).reset_index(drop=True).iloc[:max_rows]
    names = random_splits(len(frame), 0.3, SEED)
    if "split" in raw.columns and {"train", "test"} <= set(raw["split"]):
        own = raw[raw["split"].isin(["train", "test"])].reset_index(drop=True)
        keep = np.random.default_rng(SEED).permutation(len(own))[:max_rows]
        own = own.iloc[np.sort(keep)].reset_index(drop=True)
        names, frame = own.pop("split").to_numpy(), own.drop(columns=["id"], errors="ignore")
        frame["label"] = frame["label"].astype(str)
    rng = np.random.default_rng(SEED)
    test = np.flatnonzero(names == "test")
    classes = np.array(sorted(frame["label"].unique()))
    noisy = rng.choice(test, round(0.05 * len(test)), replace=False)
    labels = frame["label"].to_numpy().copy()
    for row in noisy:
        labels[row] = rng.choice(classes[classes != labels[row]])
    frame = frame.assign(label=labels)
    train_part, test_part = frame[names == "train"], frame[names == "test"]
    is_error = np.isin(test, noisy)
    started = time.perf_counter()
    report = databugs.scan(
        train_part.reset_index(drop=True), test=test_part, label="label", jobs=1, seed=SEED
    )
    seconds = time.perf_counter() - started
    quality = report.rows["label_quality"].to_numpy()[len(train_part) :]
    model = recipe_model("text" in frame.columns)
    index = np.searchsorted(classes, labels)
    model.fit(recipe_features(train_part), index[names == "train"])
    probabilities = np.zeros((len(test_part), len(classes)))
    probabilities[:, model.classes_] = model.predict_proba(recipe_features(test_part))
    probabilities = np.clip(probabilities, 1e-6, None)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    recipe = get_label_quality_scores(index[names == "test"], probabilities)
    return {
        "dataset": name,
        "train_rows": len(train_part),
        "test_rows": len(test_part),
        "errors": len(noisy),
        "ap_databugs": round(average_precision_score(is_error, -quality), 4),
        "ap_recipe": round(average_precision_score(is_error, -recipe), 4),
        "databugs_seconds": round(seconds, 1),
    }


def run_test_noise(names: list[str], max_rows: int) -> None:
    results = []
    for name in names:
        results.append(test_noise_case(name, max_rows))
        print(results[-1], flush=True)
    table = pd.DataFrame(results)
    table.to_csv(RESULTS / "splits-test-noise.csv", index=False)
    print(table[["ap_databugs", "ap_recipe"]].describe())


def timing_frames(rows: int) -> dict[str, pd.DataFrame]:
    from sklearn.datasets import make_classification

    features, labels = make_classification(
        n_samples=rows, n_features=16, n_informative=10, n_classes=10, random_state=SEED
    )
    table = pd.DataFrame(features.round(4), columns=[f"x{i}" for i in range(16)])
    table["label"] = labels.astype(str)
    trec = pd.read_parquet(SHARED / "trec_questions.parquet")
    text = trec.sample(rows, replace=True, random_state=SEED).reset_index(drop=True)
    rng = np.random.default_rng(SEED)
    text["text"] = [" ".join(w for w in t.split() if rng.random() > 0.1) or t for t in text["text"]]
    return {"table": table, "text": text[["text", "label"]]}


def run_timing(rows: int, kinds: list[str]) -> None:
    import databugs
    from databugs.detectors.registry import all_detectors

    others = [n for n in all_detectors() if n not in ("split_leakage", "split_shift")]
    results = []
    for kind, frame in timing_frames(rows).items():
        if kind not in kinds:
            continue
        names = random_splits(rows, TEST_SHARE, SEED)
        started = time.perf_counter()
        databugs.scan(frame.assign(split=names), split_col="split", detectors=others, seed=SEED)
        scan_seconds = time.perf_counter() - started
        context = content_context(frame, column_splits(frame.assign(s=names), "s", source="t"))
        NearDuplicates().detect(context)  # runs before them in a scan: what it shares is made
        for detector in (SplitLeakage(), SplitShift()):
            started = time.perf_counter()
            detector.detect(context)
            seconds = time.perf_counter() - started
            results.append(
                {
                    "kind": kind,
                    "rows": rows,
                    "detector": detector.name,
                    "detector_seconds": round(seconds, 2),
                    "scan_seconds_without": round(scan_seconds, 1),
                    "added": round(seconds / scan_seconds, 4),
                }
            )
            print(results[-1], flush=True)
    pd.DataFrame(results).to_csv(RESULTS / "splits-timing.csv", index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("leakage", "test-noise", "timing"))
    parser.add_argument("--datasets", default="")
    parser.add_argument("--max-rows", type=int, default=6000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--kinds", default="table,text", help="timing: table, text or both")
    arguments = parser.parse_args()
    names = arguments.datasets.split(",") if arguments.datasets else dataset_names()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if arguments.part == "leakage":
        run_leakage(names)
    elif arguments.part == "test-noise":
        run_test_noise(names, arguments.max_rows)
    else:
        run_timing(arguments.rows, arguments.kinds.split(","))


if __name__ == "__main__":
    main()
