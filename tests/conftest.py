"""Shared fixtures: small real-looking tables built in the test, and the shipped examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared" / "datasets"


@pytest.fixture
def shared_dataset():
    """Load a dataset from ../shared/datasets, skipping the test when it is not there."""

    def load(name: str) -> pd.DataFrame:
        path = SHARED / f"{name}.parquet"
        if not path.exists():
            pytest.skip(f"{path} is not available")
        return pd.read_parquet(path)

    return load


def make_blobs_table(rows: int = 300, seed: int = 0) -> pd.DataFrame:
    """Three well-separated classes of two numeric features plus a categorical one."""
    rng = np.random.default_rng(seed)
    centres = {"cat": (0.0, 0.0), "dog": (6.0, 0.0), "bird": (0.0, 6.0)}
    names = np.array(list(centres))[rng.integers(0, 3, rows)]
    points = np.array([centres[name] for name in names]) + rng.normal(0, 1.0, (rows, 2))
    return pd.DataFrame(
        {
            "weight": points[:, 0].round(3),
            "height": points[:, 1].round(3),
            "colour": rng.choice(["red", "green", "blue"], rows),
            "label": names,
        }
    )


@pytest.fixture
def blobs() -> pd.DataFrame:
    return make_blobs_table()


@pytest.fixture
def blobs_csv(tmp_path: Path, blobs: pd.DataFrame) -> Path:
    """The blobs table with 6 labels swapped, as a CSV file; the swapped rows are attributes."""
    noisy = blobs.copy()
    swaps = {5: "dog", 40: "bird", 77: "cat", 120: "dog", 200: "bird", 250: "cat"}
    for row, label in swaps.items():
        if noisy.at[row, "label"] == label:  # make sure each swap is a real change
            label = "cat" if label != "cat" else "dog"
        noisy.at[row, "label"] = label
    path = tmp_path / "animals.csv"
    noisy.to_csv(path, index=False)
    return path


SWAPPED_ROWS = {5, 40, 77, 120, 200, 250}
