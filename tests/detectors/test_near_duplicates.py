"""Nearly identical rows with different labels, in text and in tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

import databugs
from databugs.corrections.plan import corrections
from databugs.detectors.similarity import similar_pairs, word_vectors
from tests.conftest import EXAMPLES, _kinds, make_blobs_table, scan


def test_near_duplicate_texts_are_found_without_all_pairs() -> None:
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(3000)])
    texts = [" ".join(rng.choice(words, 30)) for _ in range(2000)]
    texts[1500] = texts[10] + " extra"  # a near copy
    pairs = similar_pairs(word_vectors(pd.Series(texts)), min_cosine=0.9, seed=0)
    assert [tuple(pair) for pair in pairs] == [(10, 1500)]


def test_near_duplicates_in_a_table() -> None:
    """A letter's 16 measurements written again with one of them a thousandth off and another
    letter: a near copy (in 300 rows of two measurements and a colour, rows equal once rounded
    to 2 significant digits are expected by chance, and are not reported)."""
    frame = pd.read_csv(EXAMPLES / "letters_sample.csv")
    frame.loc[200] = frame.loc[20]
    frame.loc[200, "x.box"] += 0.001
    frame.loc[200, "label"] = "Z" if frame.loc[20, "label"] != "Z" else "Y"
    report = databugs.scan(frame, jobs=1, detectors=["near_duplicates"])
    found = _kinds(report, "near_duplicates")
    assert sorted(issue.row for issue in found) == [20, 200]
    assert {issue.suggested_label for issue in found} == {frame.loc[20, "label"]}


def test_rounded_values_of_one_column_are_no_near_copies() -> None:
    """One measured column rounded to 2 significant digits puts 600 rows into a few dozen
    groups: neighbours on one scale, not copies."""
    rng = np.random.default_rng(3)
    score = rng.normal(50, 10, 600).round(2)
    label = np.where(score + rng.normal(0, 5, 600) > 50, "high", "low")
    frame = pd.DataFrame({"score": score, "label": label})
    report = databugs.scan(frame, jobs=1, detectors=["near_duplicates", "label_issue"])
    assert _kinds(report, "near_duplicates") == []


def _letters_with_a_stock_comment(rows: int) -> tuple[pd.DataFrame, set[int]]:
    """The shipped letters sample (true labels restored), 3% of labels changed, and a comment
    column that is 90% "no comment given" / "No comment given."; returns it and the changed
    rows."""
    frame = pd.read_csv(EXAMPLES / "letters_sample.csv").head(rows)
    truth = pd.read_csv(EXAMPLES / "letters_sample.truth.csv")
    truth = truth[truth["row"] < rows]
    frame.loc[truth["row"], "label"] = truth["true_label"].to_numpy()
    rng = np.random.default_rng(0)
    classes = np.array(sorted(frame["label"].unique()))
    changed = np.flatnonzero(rng.random(rows) < 0.03)
    for row in changed:
        frame.loc[row, "label"] = rng.choice(classes[classes != frame.loc[row, "label"]])
    stock = rng.choice(["no comment given", "No comment given."], rows).astype(object)
    remarks = ["blurry scan", "faint stroke", "thick ink", "smudge", "rotated", "cropped edge"]
    own = np.flatnonzero(rng.random(rows) < 0.1)
    stock[own] = [" ".join(rng.choice(remarks, 3)) for _ in own]
    return frame.assign(comment=stock), set(changed.tolist())


def test_a_stock_comment_does_not_make_a_table_one_group(tmp_path: Path) -> None:
    sizes = {}
    for rows in (500, 2000):
        frame, changed = _letters_with_a_stock_comment(rows)
        path = tmp_path / f"letters_{rows}.csv"
        frame.to_csv(path, index=False)
        out = tmp_path / f"report_{rows}"
        scan(path, out)
        sizes[rows] = (out / "report.json").stat().st_size
    report = json.loads((out / "report.json").read_text())
    near = [issue for issue in report["issues"] if issue["kind"] == "near_duplicates"]
    assert len(near) <= 20, len(near)
    accepted = corrections(report)[:30]  # what `fix --accept-top 30` takes
    assert not [issue for issue in accepted if issue["kind"] == "near_duplicates"]
    assert len({issue["row"] for issue in accepted} & changed) >= 20
    assert sizes[2000] < 6 * sizes[500], sizes  # 4 times the rows: about 4 times the bytes


def test_a_group_is_described_within_bounds() -> None:
    """A big group of copies lists a few of its rows and counts its labels, in each issue."""
    frame = make_blobs_table(rows=2000, seed=2)
    frame.loc[:99, ["weight", "height", "colour"]] = [[0.31, 0.42, "red"]] * 100
    frame.loc[:99, "weight"] += 1e-6 * (np.arange(100) % 3)  # near copies, not exact ones
    frame.loc[:99, "label"] = np.where(np.arange(100) < 90, "cat", "dog")
    report = databugs.scan(frame, jobs=1)
    found = _kinds(report, "near_duplicates")
    assert found
    for issue in found:
        assert len(issue.details["rows"]) <= 10
        assert issue.details["group_size"] == 100
        assert issue.details["labels"] == {"cat": 90, "dog": 10}
        assert len(issue.message) < 200
