"""The noise-aware calibration step with and without its guard, on kept out-of-fold probabilities.

Reads the files ``pool_oof.py`` writes (or any folder of them: ``clean``, ``noisy`` and
``p_<model>`` arrays), combines the candidates as a scan does (``oof.combine``), and flags as
``label_issue`` does (posterior gain >= 0.8, classes with at least 5 rows), once with the
noise-aware step always taken (before session 12) and once through ``calibrate`` (the guard:
skipped below a tenth of the labels' entropy explained, or when held-out labels say it loses).
Prints each case and the pool figures: accuracy gain of accepting every flag, worst class gain,
flag precision, AP of the label quality.

    python benchmarks/pool_oof.py --tier quick
    python benchmarks/calibration_guard.py benchmarks/results/pool-oof
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

sys.path.insert(0, str(Path(__file__).parent))
from pool import worst_class_gain

from databugs.models.calibration import calibrate, noise_matrix, posterior, vector_scaling
from databugs.models.oof import combine

MIN_GAIN, FOLDS = 0.8, 5


def judged(clean: np.ndarray, noisy: np.ndarray, post: np.ndarray) -> dict[str, float]:
    rows = np.arange(len(noisy))
    suggested = post.argmax(axis=1)
    learnable = np.bincount(noisy, minlength=post.shape[1])[noisy] >= FOLDS
    gain = post[rows, suggested] - post[rows, noisy]
    flagged = (suggested != noisy) & (gain >= MIN_GAIN) & learnable
    fixed = np.where(flagged, suggested, noisy)
    wrong = noisy != clean
    return {
        "flags": int(flagged.sum()),
        "right": int((flagged & (suggested == clean)).sum()),
        "gain": float((fixed == clean).mean() - (noisy == clean).mean()),
        "worst": worst_class_gain(clean, noisy, fixed),
        "ap": float(average_precision_score(wrong, 1 - post[rows, noisy]))
        if wrong.any()
        else np.nan,
    }


def one_case(path: Path) -> dict[str, object]:
    arrays = np.load(path)
    noisy, clean = arrays["noisy"], arrays["clean"]
    names = [key[2:] for key in arrays.files if key.startswith("p_") and key != "p_recipe"]
    mixed, _ = combine(names, np.stack([arrays[f"p_{name}"] for name in names]), noisy)
    plain = vector_scaling(mixed, noisy)
    aware = vector_scaling(mixed, noisy, noise=noise_matrix(noisy, plain))
    always = posterior(aware, noise_matrix(noisy, aware), noisy)
    guarded = calibrate(mixed, noisy)
    row: dict[str, object] = {"case": path.stem, "noise_aware": guarded.noise_aware}
    for name, post in (("always", always), ("guarded", guarded.posterior)):
        row.update({f"{name}_{key}": value for key, value in judged(clean, noisy, post).items()})
    return row


def main() -> None:
    table = pd.DataFrame([one_case(path) for path in sorted(Path(sys.argv[1]).glob("*.npz"))])
    pd.set_option("display.width", 250)
    print(table.round(4).to_string(index=False))
    for name in ("always", "guarded"):
        gain, worst = table[f"{name}_gain"], table[f"{name}_worst"]
        print(
            f"{name}: cases {len(table)}, gain > 0 {(gain > 0).mean():.3f}, gain < 0 "
            f"{(gain < 0).sum()}, worst class >= -0.005 {(worst >= -0.005).mean():.3f}, worst "
            f"{worst.min():+.3f}, mean gain {gain.mean():+.4f}, precision "
            f"{table[f'{name}_right'].sum() / table[f'{name}_flags'].sum():.3f}, mean AP "
            f"{table[f'{name}_ap'].mean():.4f}"
        )


if __name__ == "__main__":
    main()
