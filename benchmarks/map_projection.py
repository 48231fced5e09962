"""Which 2-D layout report.html's map uses: time and neighbour preservation of each candidate.

For each dataset of the pool, the scan's features (``build_features``) -> ``row_vectors``, a
seeded sample of SAMPLE rows, then each layout. Quality: scikit-learn's trustworthiness (k=10;
1 = every 2-D neighbourhood was a neighbourhood in feature space) and 2-D kNN label agreement
(share of a point's 10 nearest points on the map that have its label). Then the chosen layout
and UMAP timed at 20,000 rows of letters.

    nice -n 5 PYTHONPATH=src .venv/bin/python benchmarks/map_projection.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.manifold import trustworthiness
from sklearn.neighbors import NearestNeighbors

from databugs.data.features import build_features
from databugs.pipeline.embedding import row_vectors
from databugs.pipeline.projection import layout

POOL = Path("/work/shared/datasets")
SETS = [
    "letters",
    "digits",
    "sms_spam",
    "text_banking77",
    "trec_questions",
    "tab_pmlb_pendigits",
    "tab_pmlb_waveform_21",
    "text_tweeteval_sentiment",
]
METHODS = sys.argv[2].split(",") if len(sys.argv) > 2 else ["pca", "landmarks", "tsne", "umap"]
SAMPLE = 4000
QUALITY_SAMPLE = 1500


def label_agreement(points: np.ndarray, labels: np.ndarray, k: int = 10) -> float:
    _, near = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    return float((labels[near[:, 1:]] == labels[:, None]).mean())


def one_set(name: str) -> list[dict]:
    frame = pd.read_parquet(POOL / f"{name}.parquet")
    features = build_features(frame, exclude=["label", "split", "id", "target"])
    vectors = row_vectors(features, 0)
    rng = np.random.default_rng(0)
    chosen = np.sort(rng.choice(len(vectors), min(SAMPLE, len(vectors)), replace=False))
    labels = frame["label"].astype(str).to_numpy()[chosen]
    part = vectors[chosen]
    judged = np.sort(rng.choice(len(part), min(QUALITY_SAMPLE, len(part)), replace=False))
    results = []
    for method in METHODS:
        start = time.perf_counter()
        points = layout(part, 0, method)
        seconds = time.perf_counter() - start
        results.append(
            {
                "set": name,
                "method": method,
                "rows": len(part),
                "seconds": round(seconds, 2),
                "trustworthiness": round(
                    trustworthiness(part[judged], points[judged], n_neighbors=10), 3
                ),
                "label_agreement": round(label_agreement(points, labels), 3),
                "feature_space_agreement": round(label_agreement(part, labels), 3),
            }
        )
        print(results[-1], flush=True)
    return results


def at_20000() -> None:
    frame = pd.read_parquet(POOL / "letters.parquet")
    vectors = row_vectors(build_features(frame, exclude=["label"]), 0)
    for method in [m for m in METHODS if m != "tsne"]:
        start = time.perf_counter()
        layout(vectors, 0, method)
        print(
            {
                "set": "letters",
                "rows": len(vectors),
                "method": method,
                "seconds": round(time.perf_counter() - start, 2),
            },
            flush=True,
        )


def main() -> None:
    chosen = sys.argv[1].split(",") if len(sys.argv) > 1 and sys.argv[1] != "all" else SETS
    results = [r for name in chosen for r in one_set(name)]
    table = pd.DataFrame(results)
    print(table.to_string())
    print(
        table.groupby("method")[["seconds", "trustworthiness", "label_agreement"]]
        .agg(["mean", "min", "max"])
        .to_string()
    )
    at_20000()


if __name__ == "__main__":
    main()
