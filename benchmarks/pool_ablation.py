"""What each choice of the default flagging is worth, across every case of the pool.

Reads the out-of-fold probabilities ``pool_oof.py`` kept (nothing is refitted), so every variant
is judged on the same cases, and uses databugs' own functions for each step:

    python benchmarks/pool_oof.py --tier full
    python benchmarks/pool_ablation.py [--tier full]

Variants: the models (each candidate alone, and the candidates combined by out-of-fold log
loss, ``oof.combine``), the calibration (none, vector scaling, noise-aware vector scaling:
``models.calibration``), the flag rule (the old margin rule; cleanlab's ``find_label_issues``;
the posterior gain at several thresholds) and the ranking score (normalized margin, the
posterior of the given label). Prints, per variant, the mean AP and F1, the share of cases with a
positive gain and with a worst-class gain of at least -0.005, and the worst worst-class gain;
the recipe (its own probabilities, ``find_label_issues``, self-confidence) for comparison.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

sys.path.insert(0, str(Path(__file__).parent))
from pool import cases, dataset_names, worst_class_gain
from pool_oof import case_file

from databugs.models.calibration import noise_matrix, posterior, vector_scaling
from databugs.models.oof import PROBABILITY_FLOOR, combine

TABLE_SETS = {
    "extra-trees": ("extra-trees",),
    "et+logistic": ("extra-trees", "logistic"),
    "et+logistic+rf (default)": ("extra-trees", "logistic", "random-forest"),
    "all four (+ gradient boosting)": (
        "extra-trees",
        "logistic",
        "random-forest",
        "hist-gradient-boosting",
    ),
}
TEXT_SETS = {"sgd+nb": ("sgd+nb",), "logistic": ("logistic",), "sgd+nb+logistic (default)": None}
GAINS = (0.0, 0.5, 0.7, 0.8, 0.9)


def _calibrations(mixed: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    plain = vector_scaling(mixed, labels)
    aware = vector_scaling(mixed, labels, noise=noise_matrix(labels, plain))
    return {"none": mixed, "vector scaling": plain, "noise-aware (default)": aware}


def _rules(labels: np.ndarray, p: np.ndarray, post: np.ndarray) -> dict[str, tuple]:
    from cleanlab.filter import find_label_issues

    rows = np.arange(len(labels))
    best = p.argmax(axis=1)
    margin = p[rows, best] - p[rows, labels]
    rules = {
        "margin >= 0.2 (old)": ((best != labels) & (margin >= 0.2), best),
        "find_label_issues": (find_label_issues(labels, p), best),
    }
    likeliest = post.argmax(axis=1)
    gain = post[rows, likeliest] - post[rows, labels]
    for threshold in GAINS:
        name = f"posterior gain >= {threshold}" + (" (default)" if threshold == 0.8 else "")
        rules[name] = ((likeliest != labels) & (gain >= threshold), likeliest)
    return rules


def _figures(clean, noisy, score, flags, suggested) -> dict:
    fixed = np.where(flags, suggested, noisy)
    is_error = clean != noisy
    hits = (flags & is_error).sum()
    precision, recall = hits / max(flags.sum(), 1), hits / max(is_error.sum(), 1)
    return {
        "ap": average_precision_score(is_error, score),
        "f1": 2 * precision * recall / max(precision + recall, 1e-12),
        "gain": (fixed == clean).mean() - (noisy == clean).mean(),
        "worst": worst_class_gain(clean, noisy, fixed),
    }


def evaluate_case(path: Path) -> list[dict]:
    """Every variant on one case."""
    stored = dict(np.load(path))
    clean, noisy = stored["clean"], stored["noisy"]
    rows = np.arange(len(noisy))
    models = {k[2:]: v for k, v in stored.items() if k.startswith("p_") and k != "p_recipe"}
    text = "sgd+nb" in models
    out = [_recipe(stored, clean, noisy)]
    for set_name, names in (TEXT_SETS if text else TABLE_SETS).items():
        names = names or tuple(models)
        if not set(names) <= set(models):
            continue
        candidates = np.clip(np.stack([models[n] for n in names]), PROBABILITY_FLOOR, None)
        candidates /= candidates.sum(axis=2, keepdims=True)
        mixed, _ = combine(list(names), candidates, noisy)
        for calibration, p in _calibrations(mixed, noisy).items():
            post = posterior(p, noise_matrix(noisy, p), noisy)  # as calibrate() does
            scores = {
                "posterior of the given label": -post[rows, noisy],
                "margin": _margin(p, noisy),
            }
            for rule, (flags, suggested) in _rules(noisy, p, post).items():
                for score_name, score in scores.items():
                    variant = {"models": set_name, "calibration": calibration, "rule": rule}
                    figures = _figures(clean, noisy, score, flags, suggested)
                    out.append({"case": path.stem, **variant, "ranking": score_name, **figures})
    return out


def _margin(p: np.ndarray, labels: np.ndarray) -> np.ndarray:
    rows = np.arange(len(labels))
    others = p.copy()
    others[rows, labels] = -1
    return others.max(axis=1) - p[rows, labels]


def _recipe(stored: dict, clean: np.ndarray, noisy: np.ndarray) -> dict:
    from cleanlab.filter import find_label_issues

    p = np.clip(stored["p_recipe"], PROBABILITY_FLOOR, None)
    p /= p.sum(axis=1, keepdims=True)
    flags = find_label_issues(noisy, p)
    score = -p[np.arange(len(noisy)), noisy]
    variant = {"models": "RECIPE", "calibration": "", "rule": "", "ranking": ""}
    return {"case": "", **variant, **_figures(clean, noisy, score, flags, p.argmax(axis=1))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=("quick", "full"), default="full")
    parser.add_argument("--out", type=Path, help="also write every case's figures here")
    args = parser.parse_args()
    paths = [case_file(*c) for c in cases(args.tier, dataset_names())]
    rows = [row for path in paths if path.exists() for row in evaluate_case(path)]
    table = pd.DataFrame(rows)
    if args.out:
        table.to_csv(args.out, index=False)
    keys = ["models", "calibration", "rule", "ranking"]
    summary = table.groupby(keys).agg(
        cases=("ap", "size"),
        ap=("ap", "mean"),
        f1=("f1", "mean"),
        gain_positive=("gain", lambda g: (g > 0).mean()),
        safe=("worst", lambda w: (w >= -0.005).mean()),
        worst=("worst", "min"),
    )
    pd.set_option("display.width", 250)
    print(summary.round(3).to_string())


if __name__ == "__main__":
    main()
