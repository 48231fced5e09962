"""Outliers: rows of another dataset planted at 1% into each classification set of
../shared/datasets, found by databugs' ``outlier`` detector and by cleanlab Datalab's
``outlier`` issue type on the same features.

Planting (seed 0; each set first cut to at most 5,000 rows at random, so that the pool runs in
minutes on a shared machine): the donor is the next set of the same kind in name order (text
into text, table into table, cyclically) that comes from another source (``SAME_SOURCE``: a
tweet among tweets of another TweetEval task is no outlier).

- Text: the donor's ``text`` cells; any other column (``title``, ``target``) takes values of
  random rows of this set.
- Tables: the donor's numeric columns are mapped onto this set's numeric columns by position
  (cycling when the donor has fewer), each rescaled to this column's mean and sd (z-score in the
  donor's column, times this column's sd, plus its mean) and rounded to the decimals this
  column is written with; other columns take values of random rows of this set.
- Labels: random labels of this set (an outlier's label is not what is tested).
- Planted rows equal to a row already there (label aside) are dropped: nothing can tell them
  (balance_scale holds all 625 combinations of its four 1-5 columns, so every row planted
  there is a copy and the set is left out).

Per set: AP of databugs' weighted evidence (``outlier_scores(...).score``) against the planted
rows; AP of cleanlab Datalab's ``outlier`` issue type (``1 - outlier_score``) on databugs'
distance space with its defaults and with ``metric="euclidean"``, and for tables on the plain
standardised columns (``ap_datalab_default``; ``ap_datalab`` the best of these per set);
databugs' flags (precision, recall) and each method's seconds.

    python benchmarks/outliers.py [--datasets a,b] [--report]
    python benchmarks/outliers.py --overhead     # scan time at 100,000 rows with and without

Needs Datalab's extra dependency: ``pip install 'cleanlab[datalab]'``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pool import SHARED, dataset_names, is_text

from databugs.data.features import build_features
from databugs.detectors.outliers import (
    MIN_SCORE,
    decimals_of,
    outlier_scores,
    reference_rows,
    representation,
)

RESULTS = Path(__file__).resolve().parent / "results"
MAX_ROWS = 5_000
RATE = 0.01
SEED = 0
METADATA_COLUMNS = ("split", "id")


def load(name: str) -> pd.DataFrame:
    frame = pd.read_parquet(SHARED / f"{name}.parquet")
    frame = frame.drop(columns=[c for c in METADATA_COLUMNS if c in frame.columns])
    frame["label"] = frame["label"].astype(str)
    if len(frame) > MAX_ROWS:
        frame = frame.sample(n=MAX_ROWS, random_state=SEED)
    return frame.reset_index(drop=True)


SAME_SOURCE = (
    ("text_tweeteval_",),
    ("text_uci_sentiment_sentences_",),
    ("tab_bank_marketing",),
    ("digits", "tab_pmlb_optdigits"),
)
"""Sets drawn from one source: tweets of one TweetEval task are not outliers among another's,
nor a bank client among the other bank table's, nor sklearn's digits among UCI's optdigits."""


def source_of(name: str) -> str:
    """The source a set comes from: its family's first prefix, else its own name."""
    for family in SAME_SOURCE:
        if name.startswith(family):
            return family[0]
    return name


def donor_of(name: str, names: list[str]) -> str:
    """The next set of the same kind (text or table) and of another source, in name order,
    cyclically."""
    same = [n for n in names if is_text(load_head(n)) == is_text(load_head(name))]
    start = same.index(name)
    following = same[start + 1 :] + same[:start]
    return next(n for n in following if source_of(n) != source_of(name))


def load_head(name: str) -> pd.DataFrame:
    return pd.read_parquet(SHARED / f"{name}.parquet").head(0)


def plant(frame: pd.DataFrame, donor: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` with 1% of rows from ``donor`` (the scheme of the docstring) at random places;
    returns the data and which rows were planted."""
    count = max(2, round(RATE * len(frame)))
    taken = donor.sample(n=count, random_state=SEED, replace=count > len(donor))
    filler = frame.sample(n=count, random_state=SEED + 1, replace=True).reset_index(drop=True)
    planted = filler.copy()
    if is_text(frame):
        planted["text"] = taken["text"].to_numpy()
    else:
        mine = [c for c in frame.columns if c != "label" and _is_number(frame[c])]
        theirs = [c for c in donor.columns if c != "label" and _is_number(donor[c])]
        for position, column in enumerate(mine):
            source = donor[theirs[position % len(theirs)]].astype(float)
            z = (taken[source.name].astype(float) - source.mean()) / (source.std() or 1.0)
            target = frame[column].astype(float)
            scaled = z * target.std() + target.mean()
            planted[column] = scaled.round(decimals_of(target.to_numpy(float))).to_numpy()
    planted = planted[~_copies_of(planted, frame)]
    rows = pd.concat([frame, planted], ignore_index=True)
    truth = np.r_[np.zeros(len(frame), bool), np.ones(len(planted), bool)]
    order = np.random.default_rng(SEED).permutation(len(rows))
    return rows.iloc[order].reset_index(drop=True), truth[order]


def _copies_of(planted: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Which planted rows equal a row already there (label aside): no method can tell them."""
    content = [c for c in frame.columns if c != "label"]

    def hashes(rows: pd.DataFrame) -> pd.Series:
        numbers = {c: rows[c].astype(float) for c in content if _is_number(frame[c])}
        return pd.util.hash_pandas_object(rows[content].assign(**numbers), index=False)

    return hashes(planted).isin(set(hashes(frame))).to_numpy()


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def run_case(name: str, donor: str) -> dict | None:
    """The figures of one set; None when every planted row is a copy of a row already there."""
    data, truth = plant(load(name), load(donor))
    if not truth.any():
        return None
    features = build_features(data, exclude=["label"], text=["text"] if is_text(data) else ())
    start = time.perf_counter()
    scores = outlier_scores(features, data, seed=SEED)
    ours_seconds = time.perf_counter() - start
    flagged = scores.robust_z() >= MIN_SCORE
    reference = reference_rows(len(data), seed=SEED)
    space = representation(features, data, reference, seed=SEED)
    start = time.perf_counter()
    datalab = {"default": average_precision_score(truth, datalab_scores(data, space))}
    datalab["euclidean"] = average_precision_score(truth, datalab_scores(data, space, "euclidean"))
    if features.kind == "table":  # and on the columns as they are, standardised
        columns = pd.DataFrame(np.asarray(features.matrix, dtype=float))
        columns = (columns.fillna(columns.median()) - columns.mean()) / columns.std().replace(0, 1)
        plain = columns.fillna(0).to_numpy()
        datalab["plain"] = average_precision_score(truth, datalab_scores(data, plain))
    return {
        "dataset": name,
        "donor": donor,
        "kind": features.kind,
        "rows": len(data),
        "planted": int(truth.sum()),
        "ap_databugs": average_precision_score(truth, scores.score),
        "ap_datalab": max(datalab.values()),
        "datalab_best": max(datalab, key=datalab.get),
        "ap_datalab_default": datalab["default"],
        "flagged": int(flagged.sum()),
        "precision": float(truth[flagged].mean()) if flagged.any() else float("nan"),
        "recall": float(flagged[truth].mean()),
        "seconds_databugs": ours_seconds,
        "seconds_datalab": time.perf_counter() - start,
    }


def datalab_scores(data: pd.DataFrame, space: np.ndarray, metric: str | None = None) -> np.ndarray:
    """Datalab's outlier issue type on ``space`` (its own choice of metric unless given);
    higher = more outlying."""
    from cleanlab import Datalab

    lab = Datalab(data[["label"]], label_name="label", verbosity=0)
    lab.find_issues(features=space, issue_types={"outlier": {"metric": metric} if metric else {}})
    return 1 - lab.get_issues("outlier")["outlier_score"].to_numpy()


def overhead(rows: int = 100_000, repeats: int = 1) -> Iterator[dict]:
    """Scan wall time without ``outlier`` and with every detector (``repeats`` times each,
    alternated, after a warm-up scan), in this process, on scale.py's synthetic table and on
    resampled TREC questions; and the detector's own time (its scores) on the same features."""
    from scale import resampled_texts, synthetic_table

    yield _overhead_of("table", synthetic_table(rows)[0], text=(), repeats=repeats)
    yield _overhead_of("text", resampled_texts(rows), text=("text",), repeats=repeats)


def _overhead_of(kind: str, frame: pd.DataFrame, *, text: tuple[str, ...], repeats: int) -> dict:
    import databugs
    from databugs.detectors.registry import all_detectors

    others = [name for name in all_detectors() if name != "outlier"]
    databugs.scan(frame.head(2_000), jobs=2, text=list(text))
    times: dict = {"data": kind, "rows": len(frame)}
    for run, detectors in (("without", others), ("with", None)) * repeats:
        start = time.perf_counter()
        databugs.scan(frame, jobs=2, detectors=detectors, text=list(text))
        times.setdefault(run, []).append(round(time.perf_counter() - start, 2))
    features = build_features(frame, exclude=["label"], text=text)
    start = time.perf_counter()
    outlier_scores(features, frame)
    times["outlier_scores"] = round(time.perf_counter() - start, 2)
    without = min(times["without"])
    times["added_by_scans"] = f"{(min(times['with']) - without) / without:+.1%}"
    times["added_by_scores"] = f"{times['outlier_scores'] / without:.1%}"
    return times


def report(results: pd.DataFrame) -> str:
    """The tables of docs/benchmarks.md's outlier section."""
    lines = [
        "| | databugs AP | Datalab AP (its defaults) | Datalab AP (best setting per set) |",
        "|---|---:|---:|---:|",
    ]
    for label, part in [("all", results), *results.groupby("kind")]:
        cells = [
            f"{part[c].mean():.3f} / {part[c].median():.3f}"
            for c in ("ap_databugs", "ap_datalab_default", "ap_datalab")
        ]
        lines.append(f"| {label} ({len(part)} sets), mean / median | {' | '.join(cells)} |")
    flagged = results.flagged.sum()
    hits = (results.precision.fillna(0) * results.flagged).sum()
    lines += [
        "",
        f"databugs >= Datalab's best on {(results.ap_databugs >= results.ap_datalab).sum()} of "
        f"{len(results)} sets; AP >= 0.9 on {(results.ap_databugs >= 0.9).sum()}. Flags: "
        f"{flagged:.0f}, {hits:.0f} planted (precision {hits / max(flagged, 1):.2f}, recall "
        f"{hits / results.planted.sum():.2f} of {results.planted.sum()} planted).",
    ]
    worst = results.nsmallest(8, "ap_databugs")
    lines += ["", "| worst 8 | donor | databugs AP | Datalab AP (best) |", "|---|---|---:|---:|"]
    lines += [
        f"| {r.dataset} | {r.donor} | {r.ap_databugs:.3f} | {r.ap_datalab:.3f} |"
        for r in worst.itertuples()
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--overhead", action="store_true")
    parser.add_argument("--repeats", type=int, default=1, help="scans of each kind (--overhead)")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    if args.overhead:
        for times in overhead(repeats=args.repeats):
            print(times, flush=True)
        return
    path = RESULTS / "outliers.csv"
    if args.report:
        print(report(pd.read_csv(path)))
        return
    names = dataset_names()
    chosen = args.datasets.split(",") if args.datasets else names
    rows = []
    for name in chosen:
        case = run_case(name, donor_of(name, names))
        if case is None:
            print(f"{name}: every planted row is a copy of a row already there; left out")
            continue
        rows.append(case)
        print({k: round(v, 3) if isinstance(v, float) else v for k, v in rows[-1].items()})
        sys.stdout.flush()
    results = pd.DataFrame(rows)
    if not args.datasets:
        results.to_csv(path, index=False)
    print(report(results))


if __name__ == "__main__":
    main()
