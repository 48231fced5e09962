"""Reading annotators' labels: wide and long tables, spellings, numbers, bad shapes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import databugs
from databugs.cli import app
from databugs.errors import DatabugsError
from tests.conftest import make_blobs_table, runner


def test_long_format_is_pivoted_and_rows_point_at_first_lines(tmp_path: Path) -> None:
    wide = make_blobs_table(150, seed=5).assign(item=lambda f: [f"i{n}" for n in range(len(f))])
    lines = []
    for annotator, flip in (("ann", None), ("bob", None), ("eve", "cat")):
        part = wide.copy()
        part["annotator"] = annotator
        if flip:
            part["label"] = np.where(part["label"] == "bird", flip, part["label"])
        lines.append(part)
    long = pd.concat(lines).sample(frac=1.0, random_state=0).reset_index(drop=True)
    path = tmp_path / "long.csv"
    long.to_csv(path, index=False)
    report = databugs.scan(path, annotator_col="annotator", id="item", label="label", jobs=1)
    assert report.summary["rows"] == 150 and report.input["rows"] == 450
    first_line = long.groupby("item", sort=False).head(1)
    first_of = dict(zip(first_line["item"], first_line.index, strict=True))
    assert all(first_of[i] == r for i, r in zip(report.rows["id"], report.rows["row"], strict=True))
    assert report.annotators[0]["name"] == "eve"
    with pytest.raises(DatabugsError, match="no label column"):
        from databugs.corrections.plan import plan_fix

        plan_fix(report.to_dict(), accept_top=1)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f.assign(ann_b=""), "annotator 'ann_b' labelled no row"),
        (lambda f: f.drop(columns=["ann_b", "ann_c"]), "no column 'ann_b'"),
    ],
)
def test_bad_annotator_shapes_exit_2(annotated_csv, tmp_path, change, expected) -> None:
    path = tmp_path / "bad.csv"
    change(pd.read_csv(annotated_csv, dtype=str, keep_default_na=False)).to_csv(path, index=False)
    result = runner.invoke(
        app,
        ["scan", str(path), "--annotators", "ann_a,ann_b,ann_c", "--out", str(tmp_path / "out")],
    )
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_one_annotator_and_undeclared_labels_exit_2(annotated_csv: Path, tmp_path: Path) -> None:
    one = runner.invoke(app, ["scan", str(annotated_csv), "--annotators", "ann_a"])
    assert one.exit_code == 2 and "at least two" in one.output
    declared = runner.invoke(
        app,
        [
            "scan",
            str(annotated_csv),
            "--annotators",
            "ann_a,ann_c",
            "--classes",
            "cat,bird",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert declared.exit_code == 2 and "'dog', not one of --classes" in declared.output


def test_long_items_whose_features_differ_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "item,annotator,size,label\na,ann,1.0,cat\na,bob,1.0,cat\nb,ann,2.0,dog\nb,bob,2.5,dog\n"
    )
    result = runner.invoke(app, ["scan", str(path), "--annotator-col", "annotator", "--id", "item"])
    assert result.exit_code == 2
    assert "item 'b' has different 'size' values" in result.output
    no_id = runner.invoke(app, ["scan", str(path), "--annotator-col", "annotator"])
    assert no_id.exit_code == 2 and "--annotator-col needs --id" in no_id.output


def test_annotator_spellings_and_number_formats_match_the_label_column(tmp_path: Path) -> None:
    frame = make_blobs_table(180, seed=4)
    frame["label"] = frame["label"].map({"cat": 1, "dog": 2, "bird": 3})
    rng = np.random.default_rng(0)
    for name in ("ann_a", "ann_b"):
        frame[name] = frame["label"].where(rng.random(len(frame)) > 0.2)  # floats with gaps
    path = tmp_path / "numbers.jsonl"
    frame.to_json(path, orient="records", lines=True)
    report = databugs.scan(path, annotators=["ann_a", "ann_b"], jobs=1)
    assert sorted(c["label"] for c in report.classes) == ["1", "2", "3"]
    json.dumps(report.to_dict(), allow_nan=False)  # no NaN anywhere

    words = make_blobs_table(180, seed=4)
    words["ann_a"] = words["label"]
    words["ann_b"] = words["label"].str.capitalize()  # Cat / Dog / Bird
    report = databugs.scan(words, annotators=["ann_a", "ann_b"], jobs=1)
    assert sorted(c["label"] for c in report.classes) == ["bird", "cat", "dog"]
    assert report.agreement["krippendorff_alpha"] == 1.0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--annotators", "ann_a,ann_a,ann_b"], "--annotators names 'ann_a' twice"),
        (["--annotators", "ann_a,ann_single"], "no row was labelled by two annotators"),
    ],
)
def test_more_bad_annotator_shapes_exit_2(annotated_csv, tmp_path, options, message) -> None:
    data = pd.read_csv(annotated_csv, dtype=str, keep_default_na=False)
    data["ann_a"] = np.where(np.arange(len(data)) % 2 == 0, data["ann_a"], "")
    data["ann_single"] = np.where(np.arange(len(data)) % 2 == 1, data["ann_c"], "")
    path = tmp_path / "data.csv"
    data.to_csv(path, index=False)
    result = runner.invoke(app, ["scan", str(path), *options, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_long_format_ignores_columns_and_keeps_the_latest_repeated_answer(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    lines = ["item,annotator,size,stamp,label"]
    for item in range(40):
        for annotator in ("ann", "bob"):
            kind = "cat" if item % 2 else "dog"
            lines.append(f"i{item},{annotator},{item % 2 + item / 100},{item}{annotator},{kind}")
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(
        app,
        [
            "scan",
            str(path),
            "--annotator-col",
            "annotator",
            "--id",
            "item",
            "--ignore",
            "stamp",
            "--out",
            str(tmp_path / "out"),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    path.write_text("\n".join([*lines, "i3,bob,1.03,x,dog"]) + "\n")
    twice = runner.invoke(
        app,
        [
            *("scan", str(path), "--annotator-col", "annotator", "--id", "item"),
            *("--ignore", "stamp", "--out", str(tmp_path / "again"), "-q"),
        ],
    )
    assert twice.exit_code == 0, twice.output
    report = json.loads((tmp_path / "again" / "report.json").read_text())
    assert report["agreement"]["repeated_answers"] == 1
    assert any("1 times an annotator answered an item again (1 with" in n for n in report["notes"])
    rows = pd.read_csv(tmp_path / "again" / "corrected_labels.csv")
    assert rows.loc[rows["id"] == "i3", "annotations"].item() == 2  # the repeat is not a vote
