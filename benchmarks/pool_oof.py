"""Out-of-fold probabilities of every candidate model on every case of the pool, kept on disk,
so that flagging rules and model choices can be compared across all cases without refitting.

    python benchmarks/pool_oof.py --tier quick [--datasets ...]

Writes benchmarks/results/pool-oof/<dataset>-<noise>-<rate>.npz: the clean and noisy labels
(class indices), and the probabilities of each candidate (``p_<model>``) and of the recipe
(``p_recipe``), with the seconds each took. ``pool_ablation.py`` reads them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from pool import (
    RESULTS,
    SEED,
    case_seed,
    cases,
    dataset_names,
    inject_noise,
    load,
    recipe_probabilities,
)

from databugs.data.table import check_columns, featurise, load_table
from databugs.models.oof import out_of_fold_probabilities

CANDIDATES = {  # gradient boosting was in the first 90 table cases: it added nothing (ablation)
    "text": ("sgd+nb", "logistic"),
    "table": ("extra-trees", "logistic", "random-forest"),
}
FOLDER = RESULTS / "pool-oof"


def case_file(name: str, kind: str, rate: float) -> Path:
    return FOLDER / f"{name}-{kind}-{rate}.npz"


def compute(name: str, kind: str, rate: float) -> None:
    frame = load(name)
    noisy_text = inject_noise(frame, kind, rate, case_seed(name, kind, rate))
    classes = np.unique(np.concatenate([frame["label"].to_numpy(), noisy_text]))
    clean = np.searchsorted(classes, frame["label"].to_numpy())
    noisy = np.searchsorted(classes, noisy_text)
    table = load_table(frame.assign(label=noisy_text))
    columns = check_columns(table.frame, source=name, label="label", id=None)
    features = featurise(table.frame, columns)
    arrays = {"clean": clean, "noisy": noisy}
    for model in CANDIDATES[features.kind]:
        started = time.perf_counter()
        oof = out_of_fold_probabilities(
            features.matrix, features.kind, noisy, len(classes), model=model, seed=SEED
        )
        arrays[f"p_{model}"] = oof.probabilities
        arrays[f"s_{model}"] = np.array(time.perf_counter() - started)
    started = time.perf_counter()
    arrays["p_recipe"] = recipe_probabilities(frame.assign(label=noisy_text), noisy)
    arrays["s_recipe"] = np.array(time.perf_counter() - started)
    FOLDER.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(case_file(name, kind, rate), **arrays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=("quick", "full"), default="quick")
    parser.add_argument("--datasets", default="")
    args = parser.parse_args()
    names = args.datasets.split(",") if args.datasets else dataset_names()
    for name, kind, rate in cases(args.tier, names):
        if case_file(name, kind, rate).exists():
            continue
        started = time.perf_counter()
        compute(name, kind, rate)
        print(f"{name} {kind} {rate}: {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
