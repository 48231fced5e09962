"""databugs next: which rows to label next, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from databugs.active.selection import select_rows, unexplored_regions
from databugs.cli import app
from databugs.data.features import build_features
from tests.conftest import make_blobs_table

runner = CliRunner()


def _partly_labelled(tmp_path: Path, labelled: int) -> tuple[Path, pd.DataFrame]:
    frame = make_blobs_table(rows=300, seed=2)
    truth = frame["label"].copy()
    frame.loc[labelled:, "label"] = ""
    frame.insert(0, "animal_id", [f"a{i}" for i in range(len(frame))])
    path = tmp_path / "animals.csv"
    frame.to_csv(path, index=False)
    return path, truth


def test_next_lists_unlabelled_rows_and_rows_to_relabel(tmp_path: Path) -> None:
    path, truth = _partly_labelled(tmp_path, labelled=60)
    frame = pd.read_csv(path, keep_default_na=False)
    frame.loc[3, "label"] = "bird" if truth[3] != "bird" else "cat"  # a wrong label
    frame.to_csv(path, index=False)
    result = runner.invoke(
        app,
        [
            "next",
            str(path),
            "--budget",
            "12",
            "--relabel",
            "2",
            "--id",
            "animal_id",
            "--out",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "r" / "to_label.csv", keep_default_na=False)
    assert list(table.columns[:5]) == ["row", "id", "reason", "predicted_label", "confidence"]
    assert {"weight", "height", "colour"} <= set(table.columns)
    new, again = table.iloc[:12], table.iloc[12:]
    assert (new["row"] >= 60).all() and new["row"].is_unique
    assert (new["id"] == "a" + new["row"].astype(str)).all()
    assert len(again) == 2 and 3 in again["row"].tolist()
    assert set(again["reason"]) == {"relabel: likely wrong label"}


def test_a_first_batch_with_no_labels_is_spread_over_the_data(tmp_path: Path) -> None:
    frame = make_blobs_table(rows=300, seed=3)
    truth = frame["label"].to_numpy()
    features = build_features(frame, exclude=["label"])
    picked = select_rows(features, [None] * len(frame), budget=6).rows
    assert len(set(picked)) == 6
    assert set(truth[picked]) == {"cat", "dog", "bird"}  # three blobs, all found at once


def test_one_class_labelled_so_far(tmp_path: Path) -> None:
    frame = make_blobs_table(rows=300, seed=4)
    labels = [label if label == "cat" else None for label in frame["label"]]
    features = build_features(frame, exclude=["label"])
    picked = select_rows(features, labels, budget=5).rows
    assert all(labels[row] is None for row in picked)
    assert len(set(frame["label"].to_numpy()[picked]) - {"cat"}) == 2


def test_unexplored_regions_pick_typical_rows_of_unlabelled_clusters() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [10, 0], [0, 10], [10, 10]])
    points = np.vstack([c + rng.normal(0, 0.5, (50, 2)) for c in centres])
    labelled = np.array([0])  # one row of the first cluster
    pool = np.arange(1, 200)
    picked = unexplored_regions(points, labelled, pool, 3, seed=0)
    assert sorted(picked // 50) == [1, 2, 3]


def test_label_studio_tasks(tmp_path: Path) -> None:
    path, _ = _partly_labelled(tmp_path, labelled=60)
    result = runner.invoke(
        app,
        [
            "next",
            str(path),
            "--budget",
            "3",
            "--format",
            "label-studio",
            "--out",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 0, result.output
    tasks = json.loads((tmp_path / "r" / "to_label.json").read_text())
    assert len(tasks) == 3
    assert {"weight", "height", "colour", "databugs_row"} <= set(tasks[0]["data"])
    choice = tasks[0]["predictions"][0]["result"][0]
    assert choice["type"] == "choices" and choice["value"]["choices"][0] in {"cat", "dog", "bird"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget", "0"], "--budget 0 is below 1"),
        (["--budget", "3", "--strategy", "smart"], "--strategy smart is not known"),
    ],
)
def test_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    path, _ = _partly_labelled(tmp_path, labelled=60)
    result = runner.invoke(app, ["next", str(path), *args, "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and message in result.output


def test_no_unlabelled_rows_and_a_budget_larger_than_the_pool(tmp_path: Path) -> None:
    frame = make_blobs_table(rows=100, seed=5)
    features = build_features(frame, exclude=["label"])
    assert len(select_rows(features, frame["label"].tolist(), budget=10).rows) == 0
    labels = [label if i < 40 else None for i, label in enumerate(frame["label"])]
    picked = select_rows(features, labels, budget=500).rows
    assert sorted(picked) == list(range(40, 100))
