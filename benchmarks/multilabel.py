"""databugs' multi-label check vs cleanlab's recipe on the multilabel_* sets of ../shared/datasets.

For each dataset, noise kind (``remove``: one of the row's true tags dropped; ``add``: one tag it
lacks added) and seed, 10% of rows are changed. Both methods see the same noisy tags:

- recipe: 5-fold one-vs-rest random forest (the sets are tables; 100 trees, all cores),
  ``cross_val_predict`` probabilities, ``cleanlab.multilabel_classification``'s
  ``rank.get_label_quality_scores`` (AP) and ``filter.find_label_issues``;
- databugs: the scan's features and ``models.multilabel`` (candidates combined tag by tag,
  per-tag cuts out of fold, the row score chosen by planted flips, cleanlab's flags kept within
  the rows where planted flips are found at twice chance, at most one tag flipped per flag).

Reported per case: AP of the quality ranking against the changed rows, flags, precision and
recall of the flags, exact-set accuracy before and after accepting every flagged suggestion,
and wall time (features + folds + scoring) of each method.

    python benchmarks/multilabel.py [--datasets emotions,flags] [--seeds 0,1] [--out results.json]

``--health`` instead fits databugs on the clean tags and on each noisy copy and reports the
scan's ``label_health`` (and the model's plain softmin belief) for each, and their ratio to the
clean tags' (the truth: 0.90, one row in ten made wrong); no recipe is run.

    python benchmarks/multilabel.py --health [--datasets ...] [--seeds 0,1]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
DATASETS = ["flags", "emotions", "scene", "yeast", "cal500"]
NOISE_KINDS = ("remove", "add")
NOISE_SHARE = 0.10
FOLDS = 5


def load(name: str) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """The features, the clean 0/1 tag matrix and the tag names."""
    frame = pd.read_parquet(SHARED / f"multilabel_mulan_{name}.parquet")
    cells = [[] if text == "" else text.split(";") for text in frame["label"].astype(str)]
    tags = sorted({tag for row in cells for tag in row})
    index = {tag: i for i, tag in enumerate(tags)}
    matrix = np.zeros((len(frame), len(tags)), dtype=np.int8)
    for row, names in enumerate(cells):
        matrix[row, [index[t] for t in names]] = 1
    return frame.drop(columns="label"), matrix, tags


def inject_noise(clean: np.ndarray, kind: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy tags and the mask of changed rows: one true tag removed or one wrong tag added."""
    rng = np.random.default_rng(seed)
    possible = clean.any(axis=1) if kind == "remove" else ~clean.all(axis=1)
    rows = rng.choice(np.flatnonzero(possible), round(NOISE_SHARE * len(clean)), replace=False)
    noisy = clean.copy()
    for row in rows:
        choices = np.flatnonzero(clean[row] == (1 if kind == "remove" else 0))
        noisy[row, rng.choice(choices)] = 0 if kind == "remove" else 1
    changed = np.zeros(len(clean), dtype=bool)
    changed[rows] = True
    return noisy, changed


def recipe(features: pd.DataFrame, noisy: np.ndarray, seed: int) -> dict:
    from cleanlab.multilabel_classification.filter import find_label_issues
    from cleanlab.multilabel_classification.rank import get_label_quality_scores
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.multiclass import OneVsRestClassifier

    start = time.perf_counter()
    model = OneVsRestClassifier(RandomForestClassifier(random_state=seed), n_jobs=-1)
    folds = KFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    x = features.to_numpy(dtype=float)
    probabilities = cross_val_predict(model, x, noisy, cv=folds, method="predict_proba")
    labels = [np.flatnonzero(row).tolist() for row in noisy]
    quality = get_label_quality_scores(labels, probabilities)
    flagged = find_label_issues(labels, probabilities, n_jobs=1)
    return {"quality": quality, "flagged": flagged, "seconds": time.perf_counter() - start}


def databugs_check(features: pd.DataFrame, noisy: np.ndarray, seed: int) -> dict:
    from databugs.data.features import build_features
    from databugs.models.multilabel import flagged_changes, score_tags, tag_probabilities

    start = time.perf_counter()
    built = build_features(features, exclude=[])
    oof = tag_probabilities(built.matrix, built.kind, noisy, folds=FOLDS, seed=seed)
    scores = score_tags(noisy, oof, seed=seed)
    changes = flagged_changes(noisy, oof, scores.flagged)
    seconds = time.perf_counter() - start
    corrected = noisy.copy()
    for row, change in changes:
        corrected[row] = change.applied(noisy[row])
    flagged = np.zeros(len(noisy), dtype=bool)
    flagged[[row for row, _ in changes]] = True
    return {
        "quality": scores.quality,
        "flagged": flagged,
        "corrected": corrected,
        "seconds": seconds,
        "row_score": scores.row_score,
    }


def health_cases(name: str, seed: int) -> list[dict]:
    """The scan's health and the softmin belief on the clean tags and on each noisy copy."""
    from databugs.data.features import build_features
    from databugs.models.multilabel import tag_health, tag_probabilities, tag_quality

    features, clean, _ = load(name)
    built = build_features(features, exclude=[])
    figures = {}
    for kind in ("clean", *NOISE_KINDS):
        tags = clean if kind == "clean" else inject_noise(clean, kind, seed)[0]
        oof = tag_probabilities(built.matrix, built.kind, tags, folds=FOLDS, seed=seed)
        figures[kind] = {
            "health": float(tag_health(tags, oof.probabilities).mean()),
            "softmin": float(tag_quality(tags, oof.probabilities).mean()),
        }
    return [
        {
            "dataset": name,
            "noise": kind,
            "seed": seed,
            **{f"{m}_clean": round(figures["clean"][m], 4) for m in ("health", "softmin")},
            **{f"{m}_noisy": round(figures[kind][m], 4) for m in ("health", "softmin")},
            **{
                f"{m}_ratio": round(figures[kind][m] / figures["clean"][m], 3)
                if figures["clean"][m] >= 0.01  # cal500's is ~0: a ratio of noise
                else None
                for m in ("health", "softmin")
            },
        }
        for kind in NOISE_KINDS
    ]


def exact(tags: np.ndarray, clean: np.ndarray) -> float:
    return float((tags == clean).all(axis=1).mean())


def one_case(name: str, kind: str, seed: int) -> dict:
    features, clean, tags = load(name)
    noisy, changed = inject_noise(clean, kind, seed)
    ours = databugs_check(features, noisy, seed)
    theirs = recipe(features, noisy, seed)
    case = {"dataset": name, "noise": kind, "seed": seed, "rows": len(clean), "tags": len(tags)}
    for method, result in (("databugs", ours), ("recipe", theirs)):
        flagged = result["flagged"]
        case[method] = {
            "ap": round(float(average_precision_score(changed, 1 - result["quality"])), 4),
            "flags": int(flagged.sum()),
            "precision": round(float(changed[flagged].mean()) if flagged.any() else 0.0, 4),
            "recall": round(float(flagged[changed].mean()), 4),
            "seconds": round(result["seconds"], 2),
        }
    case["databugs"]["row_score"] = ours["row_score"]
    case["exact_before"] = round(exact(noisy, clean), 4)
    case["exact_after"] = round(exact(ours["corrected"], clean), 4)
    return case


def summarise(cases: list[dict]) -> dict:
    ap_ok = [c["databugs"]["ap"] >= c["recipe"]["ap"] for c in cases]
    gain = [c["exact_after"] - c["exact_before"] for c in cases]
    faster = [c["databugs"]["seconds"] <= c["recipe"]["seconds"] for c in cases]
    worst_ap = min(cases, key=lambda c: c["databugs"]["ap"] - c["recipe"]["ap"])
    worst_gain = min(cases, key=lambda c: c["exact_after"] - c["exact_before"])
    return {
        "cases": len(cases),
        "ap_at_least_recipe": f"{sum(ap_ok)}/{len(cases)}",
        "mean_ap": {
            m: round(float(np.mean([c[m]["ap"] for c in cases])), 4) for m in ("databugs", "recipe")
        },
        "exact_set_accuracy_raised": f"{sum(g > 0 for g in gain)}/{len(cases)}",
        "mean_exact_gain": round(float(np.mean(gain)), 4),
        "not_slower": f"{sum(faster)}/{len(cases)}",
        "total_seconds": {
            m: round(sum(c[m]["seconds"] for c in cases), 1) for m in ("databugs", "recipe")
        },
        "worst_ap_case": _name(worst_ap),
        "worst_ap_gap": round(worst_ap["databugs"]["ap"] - worst_ap["recipe"]["ap"], 4),
        "worst_gain_case": _name(worst_gain),
        "worst_gain": round(worst_gain["exact_after"] - worst_gain["exact_before"], 4),
    }


def _name(case: dict) -> str:
    return f"{case['dataset']}/{case['noise']}/seed{case['seed']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--health", action="store_true", help="label_health clean vs noisy")
    arguments = parser.parse_args()
    warnings.simplefilter("ignore")
    if arguments.health:
        health_main(arguments.datasets.split(","), list(map(int, arguments.seeds.split(","))))
        return
    cases = []
    for name in arguments.datasets.split(","):
        for kind in NOISE_KINDS:
            for seed in map(int, arguments.seeds.split(",")):
                cases.append(one_case(name, kind, seed))
                print(json.dumps(cases[-1]), flush=True)
    summary = summarise(cases)
    print(json.dumps(summary, indent=2))
    if arguments.out:
        arguments.out.write_text(json.dumps({"summary": summary, "cases": cases}, indent=2))


def health_main(datasets: list[str], seeds: list[int]) -> None:
    cases = []
    for name in datasets:
        for seed in seeds:
            for case in health_cases(name, seed):
                cases.append(case)
                print(json.dumps(case), flush=True)
    for method in ("health", "softmin"):
        ratios = [c[f"{method}_ratio"] for c in cases if c[f"{method}_ratio"] is not None]
        print(
            f"{method}: ratio noisy/clean mean {np.mean(ratios):.3f}, "
            f"range {min(ratios):.3f}-{max(ratios):.3f} over {len(ratios)} cases"
        )


if __name__ == "__main__":
    main()
