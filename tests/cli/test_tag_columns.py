"""Multi-label data as 0/1 tag columns (``--labels a,b,c``): the emotions set of the pool with
one tag flipped on 10% of its rows, scanned and its bad input refused in one line; the letters
sample's shape tags as columns, fixed (only the flipped 0/1 cells written, in each column's own
spelling). On emotions the per-tag models are too weak for a sure flip: no suggestion to write."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import databugs
from databugs.corrections.plan import corrections
from tests.conftest import LETTER_TAGS, SHARED, letter_tag_columns, run, scan

TAGS = ["amazed", "happy", "relaxing", "quiet", "sad", "angry"]


@pytest.fixture(scope="module")
def emotions(tmp_path_factory):
    """The emotions features with its six tags as 0/1 columns (``angry`` written true/false),
    one tag flipped on 10% of the rows; returns the file, the noisy rows and the clean tags."""
    path = SHARED / "multilabel_mulan_emotions.parquet"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    frame = pd.read_parquet(path)
    cells = [set() if text == "" else set(text.split(";")) for text in frame.pop("label")]
    names = sorted({tag for row in cells for tag in row})
    clean = np.array([[tag in row for tag in names] for row in cells], dtype=int)
    rng = np.random.default_rng(0)
    noisy_rows = np.sort(rng.choice(len(frame), round(0.1 * len(frame)), replace=False))
    noisy = clean.copy()
    for row in noisy_rows:
        noisy[row, rng.integers(len(names))] ^= 1
    tags = dict(zip(TAGS, np.array(names)[[0, 1, 2, 3, 4, 5]], strict=True))
    for short, name in tags.items():
        frame[short] = noisy[:, names.index(name)]
    frame["angry"] = frame["angry"].map({0: "false", 1: "true"})
    data = tmp_path_factory.mktemp("tag_columns") / "emotions.csv"
    frame.to_csv(data, index=False)
    return data, noisy_rows, clean


@pytest.fixture(scope="module")
def scanned(emotions, tmp_path_factory):
    data, _, _ = emotions
    out = tmp_path_factory.mktemp("tag_columns_report")
    return out, scan(data, out, "--labels", ",".join(TAGS), "--model", "extra-trees")


def test_the_scan_reads_the_tag_columns_and_flags_the_noisy_rows(emotions, scanned):
    _, noisy_rows, _ = emotions
    out, result = scanned
    assert "task: multilabel" in result.output and "--labels names 6 columns" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["input"]["label"] == TAGS
    assert [c["label"] for c in report["classes"]] == TAGS
    assert not {f["column"] for f in report["features"]} & set(TAGS)
    flags = {r["row"] for r in report["issues"] if r["kind"] == "tag_issue"}
    found = len(flags & set(noisy_rows.tolist()))
    # flags a reviewer can use: 121 rows (20%), 28 of the 59 flipped, precision 0.23; cleanlab's
    # filter alone flagged 265 (45%), 45 of the flipped, precision 0.17
    assert len(flags) <= 0.25 * report["summary"]["rows"]
    assert found >= 0.2 * len(flags) and found >= 0.4 * len(noisy_rows)
    rows = pd.read_csv(out / "corrected_labels.csv", keep_default_na=False)
    given = pd.read_csv(emotions[0])
    for row in (0, 1, 2):
        set_then = [t for t in TAGS if given.at[row, t] in (1, True)]
        assert rows.at[row, "given_label"] == (";".join(set_then) or "(no tags)")


@pytest.fixture(scope="module")
def letters(tmp_path_factory):
    """The letters sample's shape tags as 0/1 columns, one tag flipped on 10% of the rows,
    written and scanned; returns the file and the report folder."""
    folder = tmp_path_factory.mktemp("letter_columns")
    data = folder / "letters.csv"
    letter_tag_columns()[0].to_csv(data, index=False)
    scan(data, folder / "out", "--labels", ",".join(LETTER_TAGS), "--model", "extra-trees")
    return data, folder / "out"


def test_fix_writes_only_the_flipped_cells_in_each_columns_spelling(letters, tmp_path):
    data, out = letters
    fixed = tmp_path / "fixed.csv"
    result = run("fix", "--report", out, "--accept-top", "20", "--output", fixed)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    wanted = {
        r["row"]: r["suggested_label"] for r in report["issues"] if r["suggested_label"] is not None
    }
    tag_flips = {
        r["row"] for r in report["issues"] if r["kind"] == "tag_issue" and r["suggested_label"]
    }  # a conflicting duplicate's suggestion is the majority set, which may differ in more
    before_lines = data.read_text().splitlines(keepends=True)
    after_lines = fixed.read_text().splitlines(keepends=True)
    assert len(before_lines) == len(after_lines)
    changed = [
        i - 1 for i, (a, b) in enumerate(zip(before_lines, after_lines, strict=True)) if a != b
    ]
    assert 1 <= len(changed) <= 20 and set(changed) <= set(wanted)
    before, after = pd.read_csv(data), pd.read_csv(fixed)
    others = [c for c in before.columns if c not in LETTER_TAGS]
    pd.testing.assert_frame_equal(before[others], after[others])
    assert set(after["vowel"]) <= {True, False} and set(after["curved"]) <= {0, 1}
    for row in changed:
        set_now = [t for t in LETTER_TAGS if after.at[row, t] in (1, True)]
        assert (";".join(set_now) or "(no tags)") == wanted[row]
        flipped = [t for t in LETTER_TAGS if before.at[row, t] != after.at[row, t]]
        if row in tag_flips:
            assert len(flipped) == 1  # one tag added or removed, the other cells as they were
    assert tag_flips & set(changed)


@pytest.mark.parametrize(
    ("change", "extra", "said"),
    [
        ("sad2", (), "row 3 of column 'sad' is '2', not 0 or 1"),
        ("none", ("--labels", "happy,gloomy"), "gloomy"),
        ("none", ("--label", "happy"), "--labels names the tag columns and --label"),
    ],
)
def test_bad_tag_columns_are_refused_in_one_line(tmp_path, change, extra, said):
    frame = pd.DataFrame({"x": np.arange(40.0), "happy": [0, 1] * 20, "sad": [1, 0, 0, 1] * 10})
    if change == "sad2":
        frame["sad"] = frame["sad"].astype(str).where(frame.index != 3, "2")
    data = tmp_path / "tags.csv"
    frame.to_csv(data, index=False)
    labels = () if "--labels" in extra else ("--labels", "happy,sad")
    result = run("scan", data, "--out", tmp_path / "out", *labels, *extra)
    assert result.exit_code == 2, result.output
    assert said in result.output and len(result.output.strip().splitlines()) <= 2
    assert not (tmp_path / "out" / "report.json").exists()


def test_corrected_sets_the_tag_columns_in_their_own_types(letters) -> None:
    """``report.corrected(df)`` after a scan of 0/1 columns raised a TypeError (a list as a
    column name)."""
    data, _ = letters
    frame = pd.read_csv(data).assign(vowel=lambda f: f["vowel"].astype(bool))
    tags = list(LETTER_TAGS)
    report = databugs.scan(frame, labels=tags, model="extra-trees", jobs=1)
    fixed = report.corrected(frame)
    changed = (fixed[tags] != frame[tags]).to_numpy()
    rows = sorted({c["row"] for c in report.corrections()})
    assert changed.any() and set(np.flatnonzero(changed.any(axis=1))) <= set(rows)
    assert fixed["curved"].dtype == frame["curved"].dtype and fixed["vowel"].dtype == bool
    with pytest.raises(databugs.DatabugsError, match="not the scanned data"):
        report.corrected(frame.drop(columns="straight"))


def test_a_reviewed_flip_of_a_true_false_column_is_written_in_its_spelling(tmp_path) -> None:
    """The tag flips of the fix test above land in 0/1 columns only: here a reviewer toggles
    ``vowel`` (written true/false) on the first row shown, and fix writes that one cell, as
    ``true`` or ``false``."""
    data = tmp_path / "letters.csv"
    letter_tag_columns()[0].to_csv(data, index=False)
    tags = list(LETTER_TAGS)
    scan(data, tmp_path / "out", "--labels", ",".join(tags), "--model", "extra-trees")
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    first = corrections(report)[0]  # the first row review shows
    given = first["given_label"].split(";") if first["given_label"] != "(no tags)" else []
    toggled = [t for t in given if t != "vowel"] + ([] if "vowel" in given else ["vowel"])
    command = [sys.executable, "-m", "databugs.cli", "review", "--report", str(tmp_path / "out")]
    typed = f"e\n{';'.join(toggled)}\nq\n"
    result = subprocess.run(command, input=typed, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    fixed = tmp_path / "fixed.csv"
    assert run("fix", "--report", tmp_path / "out", "--output", fixed).exit_code == 0
    before = data.read_text().splitlines()
    after = fixed.read_text().splitlines()
    assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [
        first["row"] + 1
    ]
    was, now = pd.read_csv(data, dtype=str), pd.read_csv(fixed, dtype=str)
    row = first["row"]
    assert now.at[row, "vowel"] == ("false" if "vowel" in given else "true")
    assert was.loc[row].drop("vowel").equals(now.loc[row].drop("vowel"))
