"""What each of databugs' detection choices is worth: change one at a time, measure AP and F1.

Same nine noisy cases as ``compare_recipe.py`` (10% uniform / confusable noise, seed 0). Each
variant differs from the default scan in exactly one choice; out-of-fold probabilities are
computed once per (case, model) and shared by the variants that only rank or flag differently.

    python benchmarks/ablation.py [--datasets trec_questions,bbc_news] [--embeddings]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from cleanlab.filter import find_label_issues
from cleanlab.rank import get_label_quality_scores
from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_recipe import DATASETS, SHARED, inject_noise, markdown_table

from databugs.embeddings import embed_texts, joined_texts
from databugs.features import build_features
from databugs.oof import MODELS, ModelSpec, out_of_fold_probabilities

FLAG_MARGIN = 0.2


ABLATION_MODELS = {  # models that only this benchmark fits
    "recipe-hgb": lambda kind, seed: HistGradientBoostingClassifier(random_state=seed),
    "recipe-lr": lambda kind, seed: LogisticRegression(max_iter=1000),
    "extra-trees-leaf1": lambda kind, seed: ExtraTreesClassifier(
        n_estimators=200, random_state=seed, n_jobs=1
    ),
}

# variant name -> (model for tables, model for text, ranking method, flag rule)
DEFAULT = ("extra-trees", "sgd+nb", "normalized_margin", "margin")
VARIANTS = {
    "default": DEFAULT,
    "ranking: self-confidence": (*DEFAULT[:2], "self_confidence", "margin"),
    "flags: find_label_issues": (*DEFAULT[:3], "find_label_issues"),
    "table model: random forest": ("random-forest", *DEFAULT[1:]),
    "table model: extra trees, 1 row per leaf": ("extra-trees-leaf1", *DEFAULT[1:]),
    "table model: gradient boosting (recipe)": ("recipe-hgb", *DEFAULT[1:]),
    "text model: sgd alone": (DEFAULT[0], "sgd", *DEFAULT[2:]),
    "text model: TF-IDF + LR (recipe)": (DEFAULT[0], "recipe-lr", *DEFAULT[2:]),
}


def flags(labels: np.ndarray, probabilities: np.ndarray, rule: str) -> np.ndarray:
    if rule == "find_label_issues":
        return find_label_issues(labels, probabilities)
    given = probabilities[np.arange(len(labels)), labels]
    others = probabilities.copy()
    others[np.arange(len(labels)), labels] = -1
    return others.max(axis=1) - given >= FLAG_MARGIN


def scores(errors: np.ndarray, labels: np.ndarray, probabilities: np.ndarray, variant) -> dict:
    quality = get_label_quality_scores(labels, probabilities, method=variant[2])
    flagged = flags(labels, probabilities, variant[3])
    hits = (flagged & errors).sum()
    precision, recall = hits / max(flagged.sum(), 1), hits / errors.sum()
    return {
        "ap": average_precision_score(errors, -quality),
        "f1": 2 * precision * recall / max(precision + recall, 1e-12),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--embeddings", action="store_true", help="also --text-model")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    for name, make in ABLATION_MODELS.items():
        MODELS[name] = ModelSpec("ablation", ("table", "text"), make)
    rows = []
    for dataset in args.datasets.split(","):
        frame = pd.read_parquet(SHARED / f"{dataset}.parquet")
        frame["label"] = frame["label"].astype(str)
        clean = frame["label"].to_numpy()
        for noise in ["uniform"] if frame["label"].nunique() == 2 else ["uniform", "confusable"]:
            noisy = inject_noise(frame, noise)
            classes = np.array(sorted(set(noisy)))
            labels = np.searchsorted(classes, noisy)
            errors = noisy != clean
            features = build_features(frame.assign(label=noisy), exclude=["label"])
            kind = features.kind
            fitted: dict[str, np.ndarray] = {}
            variants = dict(VARIANTS)
            if args.embeddings and kind == "text":
                variants["with --text-model all-MiniLM-L6-v2"] = (
                    DEFAULT[0],
                    "embeddings",
                    *DEFAULT[2:],
                )
            column = 0 if kind == "table" else 1
            for variant_name, variant in variants.items():
                model = variant[column]
                same = variant[column] == DEFAULT[column] and variant[2:] == DEFAULT[2:]
                if variant_name != "default" and same:
                    continue  # the choice this variant changes is for the other kind of data
                if model not in fitted:
                    started = time.perf_counter()
                    embeddings = None
                    if model == "embeddings":
                        texts = joined_texts(frame, features.text_columns)
                        embeddings = embed_texts(texts, "all-MiniLM-L6-v2")
                    fitted[model] = out_of_fold_probabilities(
                        features.matrix,
                        kind,
                        labels,
                        len(classes),
                        model=DEFAULT[1] if model == "embeddings" else model,
                        seed=0,
                        embeddings=embeddings,
                    ).probabilities
                    seconds = time.perf_counter() - started
                    print(f"{dataset} {noise} {model}: {seconds:.1f} s", flush=True)
                result = scores(errors, labels, fitted[model], variant)
                rows.append({"dataset": dataset, "noise": noise, "variant": variant_name, **result})
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "ablation.csv", index=False)
    print(markdown_table(summary(table)))


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """One line per variant: mean AP and F1 over the cases it applies to, and the change."""
    table = table.assign(case=table["dataset"] + "/" + table["noise"])
    default = table[table["variant"] == "default"].set_index("case")
    lines = []
    for variant, group in table.groupby("variant", sort=False):
        group = group.set_index("case")
        base = default.loc[group.index]
        lines.append(
            {
                "variant": variant,
                "cases": len(group),
                "mean AP": round(group["ap"].mean(), 3),
                "AP change": f"{group['ap'].mean() - base['ap'].mean():+.3f}",
                "mean F1": round(group["f1"].mean(), 3),
                "F1 change": f"{group['f1'].mean() - base['f1'].mean():+.3f}",
                "worst case AP": f"{(group['ap'] - base['ap']).min():+.3f}",
            }
        )
    return pd.DataFrame(lines)


if __name__ == "__main__":
    main()
