"""databugs next as a user runs it: the rows to label next, as a table or Label Studio tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from databugs.cli import app
from tests.conftest import make_blobs_table, runner


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
        (["--budget", "3", "--seed", "-1"], "--seed -1 is outside 0 to"),  # was a traceback
    ],
)
def test_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    path, _ = _partly_labelled(tmp_path, labelled=60)
    result = runner.invoke(app, ["next", str(path), *args, "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and message in result.output


def test_help_shows_the_label_studio_round_trip_one_command_a_line() -> None:
    lines = [line.strip() for line in runner.invoke(app, ["next", "--help"]).output.splitlines()]
    assert any(line.endswith("--format label-studio") for line in lines)
    assert any(line.endswith("--import export.json") for line in lines)


def test_fully_labelled_data_points_to_relabel(tmp_path: Path) -> None:
    data = tmp_path / "animals.csv"
    make_blobs_table(200).to_csv(data, index=False)
    result = runner.invoke(app, ["next", str(data), "--budget", "5", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "0 rows to label" in result.output
    assert "every row is labelled: --relabel N lists labelled rows worth" in result.output
    again = runner.invoke(
        app, ["next", str(data), "--budget", "5", "--relabel", "3", "--out", str(tmp_path / "p")]
    )
    assert "3 rows to label" in again.output and "every row is labelled" not in again.output
