"""Rebuild the shipped example datasets from ../shared/datasets (needs that folder).

Each example is a sample of a CC BY 4.0 dataset with known label noise injected; the rows whose
label was changed are listed in ``<name>.truth.csv`` (row, true_label, given_label), so a scan's
findings can be checked against the truth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
SHARED = HERE.parent.parent / "shared" / "datasets"


def flip_labels(labels: pd.Series, share: float, seed: int) -> tuple[pd.Series, np.ndarray]:
    """Give ``share`` of the rows a random other class; returns the noisy labels and rows."""
    rng = np.random.default_rng(seed)
    classes = np.array(sorted(labels.unique()))
    rows = np.sort(rng.choice(len(labels), size=round(share * len(labels)), replace=False))
    noisy = labels.copy()
    for row in rows:
        others = classes[classes != labels.iat[row]]
        noisy.iat[row] = rng.choice(others)
    return noisy, rows


def write_example(frame: pd.DataFrame, name: str, share: float, seed: int) -> None:
    noisy, rows = flip_labels(frame["label"], share, seed)
    truth = pd.DataFrame(
        {
            "row": rows,
            "true_label": frame["label"].to_numpy()[rows],
            "given_label": noisy.to_numpy()[rows],
        }
    )
    frame.assign(label=noisy).to_csv(HERE / f"{name}.csv", index=False)
    truth.to_csv(HERE / f"{name}.truth.csv", index=False)


def main() -> None:
    sms = pd.read_parquet(SHARED / "sms_spam.parquet").sample(n=1000, random_state=1)
    sms = sms.reset_index(drop=True)
    sms.insert(0, "message_id", [f"sms-{i:04d}" for i in range(len(sms))])
    write_example(sms[["message_id", "text", "label"]], "sms_sample", share=0.05, seed=1)

    letters = pd.read_parquet(SHARED / "letters.parquet").sample(n=2000, random_state=1)
    write_example(letters.reset_index(drop=True), "letters_sample", share=0.08, seed=1)


if __name__ == "__main__":
    main()
