"""Regression label errors: databugs' scan beside cleanlab's own recipe, on the reg_* sets.

Two kinds of noise, each on 5% of the rows (seed 0): a row given another row's target
(``swap``; rows whose value does not change are not counted as noisy), and a target shifted by
3 standard deviations up or down (``shift``). Both sides fit with one BLAS/OpenMP thread per
fit (databugs' folds always do; the recipe's default threads on a loaded 2-core machine made
one gradient boosting fit 50x slower). The recipe: 5-fold ``cross_val_predict`` of
``HistGradientBoostingRegressor`` + ``cleanlab.regression.rank.get_label_quality_scores``.
databugs: ``databugs.scan(frame, label="label", task="regression")``, its label quality per
row and its flagged rows (accepting every flagged suggestion must lower the mean absolute
error to the clean targets). Wall time of each side is measured on the same process.

    python benchmarks/regression.py [--datasets reg_abalone,...] [--max-rows 10000]
    python benchmarks/regression.py --only recipe|databugs --datasets reg_abalone --noise swap
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from cleanlab.regression.rank import get_label_quality_scores
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import average_precision_score
from sklearn.model_selection import KFold, cross_val_predict
from threadpoolctl import threadpool_limits

import databugs
from databugs.data.features import build_features

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
NOISE_SHARE = 0.05
SHIFT_SDS = 3.0


def inject(targets: np.ndarray, kind: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy targets and which rows changed."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(targets), max(1, int(NOISE_SHARE * len(targets))), replace=False)
    noisy = targets.astype(float).copy()
    if kind == "swap":
        noisy[rows] = targets[rng.choice(len(targets), len(rows))]
    else:
        noisy[rows] += rng.choice([-1.0, 1.0], len(rows)) * SHIFT_SDS * targets.std()
    return noisy, noisy != targets


def recipe(frame: pd.DataFrame, noisy: np.ndarray) -> tuple[np.ndarray, float]:
    """The recipe on databugs' feature matrix (text categories as codes; not timed)."""
    features = build_features(frame, exclude=["label"]).matrix
    start = time.perf_counter()
    folds = KFold(5, shuffle=True, random_state=0)
    model = HistGradientBoostingRegressor(random_state=0)
    with threadpool_limits(limits=1):  # as databugs' folds: on a shared, loaded machine
        predictions = cross_val_predict(model, features, noisy, cv=folds)
    quality = get_label_quality_scores(noisy, predictions)
    return quality, time.perf_counter() - start


def ours(frame: pd.DataFrame, noisy: np.ndarray) -> tuple[np.ndarray, pd.DataFrame, float]:
    start = time.perf_counter()
    report = databugs.scan(frame.assign(label=noisy), label="label", task="regression")
    rows = report.rows
    return rows["label_quality"].to_numpy(dtype=float), rows, time.perf_counter() - start


def fixed_mae(rows: pd.DataFrame, noisy: np.ndarray, clean: np.ndarray) -> float:
    """MAE to the clean targets after every flagged suggestion is accepted."""
    fixed = noisy.copy()
    flagged = rows["is_label_issue"].to_numpy(dtype=bool)
    fixed[flagged] = rows["suggested_label"].to_numpy(dtype=float)[flagged]
    return float(np.mean(np.abs(fixed - clean)))


def load_case(name: str, kind: str, max_rows: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The (sampled) table, its clean targets and the noisy ones."""
    frame = pd.read_parquet(SHARED / f"{name}.parquet")
    if len(frame) > max_rows:
        frame = frame.sample(max_rows, random_state=0).reset_index(drop=True)
    clean = frame["label"].to_numpy(dtype=float)
    return frame, clean, inject(clean, kind)[0]


def run_one_side(side: str, name: str, kind: str, max_rows: int) -> None:
    """One side of one case, for timing the whole process from outside (``--only``)."""
    frame, _, noisy = load_case(name, kind, max_rows)
    if side == "recipe":
        recipe(frame, noisy)
    else:
        ours(frame, noisy)


def run_case(name: str, kind: str, max_rows: int) -> dict:
    frame, clean, noisy = load_case(name, kind, max_rows)
    is_noisy = noisy != clean
    recipe_quality, recipe_time = recipe(frame, noisy)
    quality, rows, our_time = ours(frame, noisy)
    flagged = rows["is_label_issue"].to_numpy(dtype=bool)
    return {
        "dataset": name.removeprefix("reg_"),
        "noise": kind,
        "rows": len(frame),
        "recipe_ap": average_precision_score(is_noisy, -recipe_quality),
        "databugs_ap": average_precision_score(is_noisy, -quality),
        "flagged": int(flagged.sum()),
        "precision": float(is_noisy[flagged].mean()) if flagged.any() else float("nan"),
        "noisy_mae": float(np.mean(np.abs(noisy - clean))),
        "fixed_mae": fixed_mae(rows, noisy, clean),
        "recipe_s": recipe_time,
        "databugs_s": our_time,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", default="")
    parser.add_argument("--max-rows", type=int, default=10_000)
    parser.add_argument("--only", choices=("recipe", "databugs"), help="one side, one case")
    parser.add_argument("--noise", choices=("swap", "shift"), default="swap")
    args = parser.parse_args()
    if args.only:
        return run_one_side(args.only, args.datasets, args.noise, args.max_rows)
    names = args.datasets.split(",") if args.datasets else None
    names = names or sorted(path.stem for path in SHARED.glob("reg_*.parquet"))
    results = []
    for name in names:
        for kind in ("swap", "shift"):
            results.append(run_case(name, kind, args.max_rows))
            print(pd.DataFrame([results[-1]]).round(3).to_string(header=len(results) == 1))
    table = pd.DataFrame(results)
    table["gain"] = table.databugs_ap - table.recipe_ap
    summary = {
        "cases": len(table),
        "mean recipe AP": table.recipe_ap.mean(),
        "mean databugs AP": table.databugs_ap.mean(),
        "cases AP >= recipe": float((table.gain >= 0).mean()),
        "cases MAE lowered": int((table.fixed_mae < table.noisy_mae).sum()),
        "cases with no flag": int((table.flagged == 0).sum()),
        "cases MAE higher": int((table.fixed_mae > table.noisy_mae).sum()),
        "cases time <= recipe": int((table.databugs_s <= table.recipe_s).sum()),
    }
    print(table.round(3).to_string(index=False))
    print(pd.Series(summary).round(3).to_string())
    print("worst cases by AP gain:")
    print(table.nsmallest(5, "gain").round(3).to_string(index=False))
    print("cases where accepting the flags did not lower the MAE:")
    print(table[table.fixed_mae >= table.noisy_mae].round(3).to_string(index=False))
    print("cases slower than the recipe:")
    print(table[table.databugs_s > table.recipe_s].round(3).to_string(index=False))


if __name__ == "__main__":
    main()
