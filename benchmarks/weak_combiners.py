"""How well databugs label picks its vote combiner on the gold rows the rules cover: by accuracy
(what it does) or by log loss, against the best of the three on the hidden covered rows.
No model is fitted (seconds per set). Seeds 0-2, 1% and 5% gold, the sets of weak.py.

    python benchmarks/weak_combiners.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from weak import GOLD, SETS, make_case

from databugs.weak.combine import COMBINERS
from databugs.weak.label_model import fit_label_model, gold_weighted_votes, vote_shares


def combiner_views(votes: np.ndarray, gold: np.ndarray, n_classes: int) -> dict:
    unsupervised = fit_label_model(votes, n_classes, np.full(len(gold), -1))
    weighted = gold_weighted_votes(votes, n_classes, gold, unsupervised).posteriors
    views = (weighted, unsupervised.posteriors, vote_shares(votes, n_classes))
    return dict(zip(COMBINERS, views, strict=True))


def one_run(name: str, share: float, seed: int) -> dict:
    case = make_case(name, share, seed)
    classes, votes, gold, true = case.classes, case.votes, case.gold, case.true
    covered = (votes != -1).any(axis=1)
    judged, hidden = covered & (gold != -1), covered & (gold == -1)
    views = combiner_views(votes, gold, len(classes))
    right = {k: (v[judged].argmax(1) == gold[judged]).mean() for k, v in views.items()}
    loss = {k: -np.log(np.clip(v[judged, gold[judged]], 1e-6, 1)).mean() for k, v in views.items()}
    on_hidden = {k: float((v[hidden].argmax(1) == true[hidden]).mean()) for k, v in views.items()}
    by_accuracy = max(COMBINERS, key=lambda k: (right[k], -COMBINERS.index(k)))
    by_loss = min(COMBINERS, key=lambda k: loss[k])
    return {
        "by accuracy": on_hidden[by_accuracy],
        "by log loss": on_hidden[by_loss],
        "best": max(on_hidden.values()),
        **on_hidden,
    }


def main() -> None:
    runs = []
    for name in SETS:
        for share in GOLD:
            for seed in (0, 1, 2):
                runs.append(one_run(name, share, seed))
                print(name, share, seed, {k: round(v, 3) for k, v in runs[-1].items()}, flush=True)
    for key in runs[0]:
        values = np.array([run[key] for run in runs])
        worst = (values - np.array([run["best"] for run in runs])).min()
        print(f"{key}: mean {values.mean():.4f}, worst vs best {worst:+.3f}")


if __name__ == "__main__":
    main()
