"""Several annotators: agreement figures, annotator ranking, consensus, guideline conflicts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import databugs
from databugs.annotators.agreement import _fleiss_from_counts, cohen_kappa, krippendorff_alpha
from databugs.cli import app
from databugs.errors import DatabugsError
from databugs.render import markdown
from tests.conftest import make_blobs_table

runner = CliRunner()


def test_alpha_matches_krippendorffs_worked_example() -> None:
    """Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal: 0.743."""
    n = 0  # not coded
    coders = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    matrix = np.array(coders).T - 1  # classes 0..4, -1 missing
    assert round(krippendorff_alpha(matrix, 5), 3) == 0.743


def test_fleiss_kappa_matches_the_worked_example() -> None:
    """Fleiss (1971) as worked on Wikipedia: 10 items, 14 raters, 5 categories: 0.210."""
    counts = np.array(
        [
            [0, 0, 0, 0, 14],
            [0, 2, 6, 4, 2],
            [0, 0, 3, 5, 6],
            [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0],
            [3, 2, 6, 3, 0],
            [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0],
            [0, 2, 2, 3, 7],
        ]
    )
    assert round(_fleiss_from_counts(counts), 3) == 0.210


def test_cohen_kappa_matches_the_worked_example() -> None:
    """50 items: both yes 20, yes/no 5, no/yes 10, both no 15: kappa 0.4."""
    first = np.array([1] * 25 + [0] * 25)
    second = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    assert round(cohen_kappa(first, second), 3) == 0.400


def _simulated(frame: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Three decent annotators and one who swaps two classes; each skips a quarter of rows."""
    rng = np.random.default_rng(seed)
    truth = frame["label"].astype(str).to_numpy()
    classes = np.array(sorted(set(truth)))

    def annotate(accuracy: float, swap: tuple[str, str] | None = None) -> np.ndarray:
        labels = truth.astype(object).copy()
        wrong = rng.random(len(labels)) > accuracy
        labels[wrong] = [rng.choice(classes[classes != t]) for t in truth[wrong]]
        if swap:
            labels[truth == swap[0]], labels[truth == swap[1]] = swap[1], swap[0]
        labels[rng.random(len(labels)) < 0.25] = None
        return labels

    annotations = {
        "ann_a": annotate(0.85),
        "ann_b": annotate(0.8),
        "ann_c": annotate(0.85),
        "ann_d": annotate(0.85, swap=(classes[3], classes[8 % len(classes)])),
    }
    return frame.drop(columns="label").assign(**annotations), truth


def test_swapping_annotator_ranks_last_and_consensus_beats_majority(shared_dataset) -> None:
    data, truth = _simulated(shared_dataset("digits"))
    report = databugs.scan(data, annotators=["ann_a", "ann_b", "ann_c", "ann_d"], jobs=2)
    assert report.annotators[0]["name"] == "ann_d"
    assert {
        report.annotators[0]["worst_confusion"]["label"],
        report.annotators[0]["worst_confusion"]["as"],
    } == {"3", "8"}
    habits = [i for i in report.issues if i.kind == "annotator_systematic"]
    assert {
        (i.details["annotator"], i.details["consensus_label"], i.details["used_label"])
        for i in habits
    } == {("ann_d", "3", "8"), ("ann_d", "8", "3")}
    assert report.agreement["class_pairs"][0]["classes"] == ["3", "8"]
    rows = report.rows
    labelled = rows["consensus_label"].notna().to_numpy()
    consensus = (rows["consensus_label"][labelled] == truth[labelled]).mean()
    majority = (rows["given_label"][labelled] == truth[labelled]).mean()  # no label column
    assert consensus > majority + 0.05
    assert report.input["label"] == "consensus"
    assert 0.4 < report.summary["alpha"] < 0.8


@pytest.fixture
def annotated_csv(tmp_path: Path) -> Path:
    """Blobs with a label column and three annotators; ann_c calls every bird a dog."""
    frame = make_blobs_table(240, seed=3)
    rng = np.random.default_rng(1)
    truth = frame["label"].to_numpy()
    frame["ann_a"] = truth
    frame["ann_b"] = np.where(rng.random(len(truth)) < 0.1, "cat", truth)
    frame["ann_c"] = np.where(truth == "bird", "dog", truth)
    frame.loc[rng.random(len(truth)) < 0.2, "ann_b"] = ""
    path = tmp_path / "animals.csv"
    frame.to_csv(path, index=False)
    return path


def test_wide_scan_writes_the_annotator_sections(annotated_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "scan",
            str(annotated_csv),
            "--annotators",
            "ann_a,ann_b,ann_c",
            "--out",
            str(out),
            "--format",
            "plain",
            "--jobs",
            "1",
            "--fail-on",
            "alpha<0.9",
        ],
    )
    assert result.exit_code == 1, result.output  # the gate: agreement is too low
    assert "least reliable ann_c" in result.output
    content = json.loads((out / "report.json").read_text())
    assert content["annotators"][0]["name"] == "ann_c"
    assert content["annotators"][0]["worst_confusion"] == {
        "label": "bird",
        "as": "dog",
        "share": 1.0,
        "rows": int((pd.read_csv(annotated_csv)["label"] == "bird").sum()),
    }
    assert content["gate"]["rules"][0]["measured"] == content["agreement"]["krippendorff_alpha"]
    assert content["agreement"]["cohen_kappa"]["ann_a"]["ann_c"] < 0.7
    assert content["summary"]["counts"]["annotator_systematic"] == 1
    features = {use["column"] for use in content["features"] if use["used_as"] != "left out"}
    assert features == {"weight", "height", "colour"}  # annotations never become features
    corrected = pd.read_csv(out / "corrected_labels.csv")
    assert list(corrected.columns[-4:]) == [
        "consensus_label",
        "consensus_quality",
        "annotations",
        "annotator_agreement",
    ]
    ann_b_rows = pd.read_csv(annotated_csv, dtype=str, keep_default_na=False)["ann_b"] != ""
    assert (corrected["annotations"] == np.where(ann_b_rows, 3, 2)).all()
    assert corrected["annotator_agreement"].between(0, 1).all()
    data = pd.read_csv(annotated_csv)
    assert (corrected["consensus_label"] == data["label"]).mean() > 0.95
    markdown = (out / "report.md").read_text()
    assert "## Annotators" in markdown and "labels bird as dog in 100%" in markdown


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


def test_fix_accepts_the_consensus_where_it_overrules_the_label(
    annotated_csv: Path, tmp_path: Path
) -> None:
    data = pd.read_csv(annotated_csv, dtype=str, keep_default_na=False)
    wrong = [4, 9, 30]  # all three annotators say otherwise
    for row in wrong:
        data.loc[row, "label"] = "cat" if data.loc[row, "ann_a"] != "cat" else "dog"
        data.loc[row, ["ann_a", "ann_b", "ann_c"]] = data.loc[row, "ann_a"]
    path = tmp_path / "relabelled.csv"
    data.to_csv(path, index=False)
    out = tmp_path / "out"
    scanned = runner.invoke(
        app, ["scan", str(path), "--annotators", "ann_a,ann_b,ann_c", "--out", str(out)]
    )
    assert scanned.exit_code == 0, scanned.output
    fixed = runner.invoke(app, ["fix", "--report", str(out), "--accept-consensus"])
    assert fixed.exit_code == 0, fixed.output
    result = pd.read_csv(tmp_path / "relabelled.fixed.csv", dtype=str, keep_default_na=False)
    changed = sorted(np.flatnonzero(result["label"] != data["label"]).tolist())
    assert set(wrong) <= set(changed)
    assert (result.loc[wrong, "label"] == data.loc[wrong, "ann_a"]).all()
    assert len(changed) < 10  # only rows whose consensus differs from their label


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


def test_annotations_of_unlabelled_rows_count_for_agreement(annotated_csv: Path) -> None:
    data = pd.read_csv(annotated_csv, dtype=str, keep_default_na=False)
    data.loc[:59, "label"] = ""
    data["ann_d"] = ""
    data.loc[:59, "ann_d"] = data.loc[:59, "ann_a"]  # only labelled rows nobody else labelled
    full = databugs.scan(pd.read_csv(annotated_csv, dtype=str), annotators=["ann_a", "ann_c"])
    report = databugs.scan(data, annotators=["ann_a", "ann_c", "ann_d"], jobs=1)
    assert report.annotators[-1]["name"] == "ann_d" and report.annotators[-1]["quality"] is None
    cohen = report.agreement["cohen_kappa"]["ann_a"]["ann_c"]
    assert cohen == full.agreement["cohen_kappa"]["ann_a"]["ann_c"]  # all 240 rows count
    row = next(line for line in markdown.render(report).splitlines() if "| ann\\_d |" in line)
    assert "n/a" in row  # no quality for an annotator of unlabelled rows only


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


def test_long_format_ignores_columns_and_refuses_double_votes(tmp_path: Path) -> None:
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
        ["scan", str(path), "--annotator-col", "annotator", "--id", "item", "--ignore", "stamp"],
    )
    assert twice.exit_code == 2 and "labels item 'i3' a second time" in twice.output


def test_alpha_gate_in_percent_and_consensus_needs_annotators(
    annotated_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "scan",
            str(annotated_csv),
            "--annotators",
            "ann_a,ann_b,ann_c",
            "--out",
            str(out),
            "--fail-on",
            "alpha<99%",
            "-q",
        ],
    )
    content = json.loads((out / "report.json").read_text())
    alpha = content["agreement"]["krippendorff_alpha"]
    assert content["gate"]["rules"][0]["measured"] == pytest.approx(100 * alpha, abs=1e-4)
    assert result.exit_code == 1
    plain = tmp_path / "plain"
    runner.invoke(app, ["scan", str(annotated_csv), "--out", str(plain), "-q"])
    refused = runner.invoke(app, ["fix", "--report", str(plain), "--accept-consensus"])
    assert refused.exit_code == 2 and "the scan had no annotators" in refused.output
