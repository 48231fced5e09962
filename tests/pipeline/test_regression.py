"""Regression scans: a delivery-time table with known wrong values injected, end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import databugs
from databugs.data.task import NumberStyle, as_column_number
from databugs.detectors.regression import conflicting_values, target_outliers
from databugs.errors import DatabugsError
from databugs.models.regression import residual_scores
from tests.conftest import run

GATE = "model_r2<0.5,target_outlier>0,label_issues>1%"
WRONG = [3, 40, 77, 120, 161, 199, 230, 268, 301, 340]


def deliveries(rows: int = 360, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Delivery durations in minutes (one decimal) from distance, items and weather; the rows
    in ``WRONG`` hold another delivery's duration plus an hour. Returns the table and the
    clean durations."""
    rng = np.random.default_rng(seed)
    distance = rng.gamma(2.0, 2.5, rows).round(2)
    items = rng.integers(1, 12, rows)
    weather = rng.choice(["dry", "rain", "snow"], rows, p=[0.7, 0.2, 0.1])
    slow = pd.Series(weather).map({"dry": 0.0, "rain": 6.0, "snow": 15.0}).to_numpy()
    clean = (12 + 3.1 * distance + 1.5 * items + slow + rng.normal(0, 1.5, rows)).round(1)
    minutes = clean.copy()
    wrong = [row for row in WRONG if row < rows]
    minutes[wrong] = clean[rng.permutation(wrong)] + 60
    frame = pd.DataFrame(
        {
            "order": [f"o{i:04d}" for i in range(rows)],
            "distance_km": distance,
            "items": items,
            "weather": weather,
            "minutes": minutes,
        }
    )
    return frame, clean


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, np.ndarray]:
    folder = tmp_path_factory.mktemp("deliveries")
    frame, clean = deliveries()
    data = folder / "deliveries.csv"
    frame.to_csv(data, index=False)
    args = ["--label", "minutes", "--id", "order", "--out", folder / "out", "--fail-on", GATE]
    result = run("scan", data, *args, "--format", "plain")
    assert result.exit_code == 1, result.output  # the gate failed; every file is written
    return data, folder / "out", clean


def test_auto_chooses_regression_and_says_why_and_how_to_override(scanned) -> None:
    _, out, _ = scanned
    report = json.loads((out / "report.json").read_text())
    assert report["task"]["kind"] == "regression" and report["task"]["chosen_by"] == "auto"
    assert "'minutes' holds numbers" in report["task"]["reason"]
    assert report["task"]["override"] == "--task classification|multilabel"
    assert "task: regression \\(chosen automatically" in (out / "report.md").read_text()
    assert report["summary"]["classes"] == 0 and report["classes"] == []
    assert "class_imbalance" not in report["summary"]["counts"]


def test_the_wrong_values_are_flagged_with_the_prediction_written_like_the_column(scanned) -> None:
    _, out, clean = scanned
    rows = pd.read_csv(out / "corrected_labels.csv")
    flagged = set(rows.loc[rows.is_label_issue, "row"])
    assert len(flagged & set(WRONG)) >= 9 and len(flagged - set(WRONG)) <= 2
    worst = rows.sort_values("label_quality").head(len(WRONG))
    assert set(worst.row) <= set(WRONG) | flagged
    suggested = rows.loc[rows.is_label_issue, "suggested_label"].astype(str)
    assert suggested.str.fullmatch(r"-?\d+\.\d").all()  # one decimal, as the column writes them
    fixed = rows.suggested_label.to_numpy(dtype=float)
    given = rows.given_label.to_numpy(dtype=float)
    assert np.abs(fixed - clean).mean() < np.abs(given - clean).mean()
    html = (out / "report.html").read_text()
    assert "Given vs predicted values" in html and "R²" in html


def test_fix_writes_the_numbers_back_into_the_column(scanned, tmp_path: Path) -> None:
    data, out, clean = scanned
    copy = tmp_path / "deliveries.csv"
    copy.write_bytes(data.read_bytes())
    result = run("fix", "--report", out, "--data", copy, "--accept-top", "5")
    assert result.exit_code == 0, result.output
    fixed = pd.read_csv(tmp_path / "deliveries.fixed.csv")
    changed = np.flatnonzero(fixed.minutes.to_numpy() != pd.read_csv(data).minutes.to_numpy())
    assert len(changed) == 5 and set(changed) <= set(WRONG)
    assert fixed.minutes.dtype == float
    assert np.abs(fixed.minutes.to_numpy()[changed] - clean[changed]).max() < 15


def test_a_decimal_comma_target_is_a_number_flagged_and_fixed_in_its_own_form(
    tmp_path: Path,
) -> None:
    """A semicolon file written in a European locale (``34,5`` minutes) was 300 classes."""
    frame, clean = deliveries()
    data = tmp_path / "d.csv"
    frame.to_csv(data, sep=";", decimal=",", index=False)
    out = tmp_path / "out"
    result = run("scan", data, "--label", "minutes", "--out", out, "--format", "plain")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["task"]["kind"] == "regression"
    flagged = {issue["row"]: issue for issue in report["issues"] if issue["kind"] == "label_issue"}
    assert len(set(flagged) & set(WRONG)) >= 9
    assert all(re.fullmatch(r"-?\d+,\d", issue["suggested_label"]) for issue in flagged.values())
    result = run("fix", "--report", out, "--data", data, "--accept-top", "5")
    assert result.exit_code == 0, result.output
    fixed = pd.read_csv(tmp_path / "d.fixed.csv", sep=";", decimal=",")
    changed = np.flatnonzero(fixed.minutes.to_numpy() != frame.minutes.to_numpy())
    assert len(changed) == 5 and set(changed) <= set(WRONG) and fixed.minutes.dtype == float
    assert np.abs(fixed.minutes.to_numpy()[changed] - clean[changed]).max() < 15


def test_text_cells_in_a_number_to_predict_are_refused(tmp_path: Path) -> None:
    frame, _ = deliveries(200)
    frame["minutes"] = frame.minutes.astype(object)
    frame.loc[17, "minutes"] = "about 20"
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    result = run("scan", data, "--label", "minutes", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "row 17 of column 'minutes' holds 'about 20'" in (
        result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_identical_rows_far_apart_and_impossible_values_are_reported() -> None:
    """Three measurements written twice with values 21 apart are a conflict; in one column of
    ages, equal ages with other values are two people (chance), not a conflict."""
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(200, 3)).round(3)
    matrix[1] = matrix[0]
    targets = rng.normal(20, 2, 200).round(1)
    targets[:2] = [10.0, 31.0]
    labels = [f"{v:g}" for v in targets]
    labelled = np.arange(200)
    conflicts = conflicting_values(matrix, labels, labelled, targets, tolerance=5.0)
    assert {issue.row for issue in conflicts} == {0, 1}
    assert not conflicting_values(matrix, labels, labelled, targets, tolerance=30.0)
    ages = rng.integers(18, 80, (200, 1)).astype(float)
    assert not conflicting_values(ages, labels, labelled, rng.normal(0, 50, 200), tolerance=5.0)
    # 5,000 prices of two decimals as the scan's float32 matrix holds them: repeats by chance
    prices = rng.uniform(100, 200, (5000, 1)).round(2).astype("float32")
    values = rng.normal(0, 50, 5000)
    texts = [f"{v:g}" for v in values]
    assert not conflicting_values(prices, texts, np.arange(5000), values, tolerance=5.0)
    durations = np.r_[np.linspace(5, 60, 200), -3.0]
    outliers = target_outliers([f"{v:g}" for v in durations], np.arange(201), durations)
    assert [issue.row for issue in outliers] == [200] and "negative" in outliers[0].message


def test_a_typed_value_is_a_number_written_like_the_columns() -> None:
    assert as_column_number("12.0", ["3", "10", None], "rings") == "12"
    assert as_column_number("12", ["3.0", "10.0"], "rings") == "12.0"  # whole, written 5.0
    assert as_column_number("12.5", ["1.25", "2.5"], "price") == "12.5"  # as typed
    assert as_column_number("12.5", ["1,25", "2,5"], "price") == "12,5"  # the column's mark
    assert as_column_number("12,5", ["1,25", "2,5"], "price") == "12,5"
    assert as_column_number("1,300", ["1,250", "12,000", "40"], "price") == "1,300"
    for typed, says in (("abc", "not a number"), ("inf", "not a number"), ("12.5", "whole")):
        with pytest.raises(DatabugsError, match=says):
            as_column_number(typed, ["3.0", "10.0"], "rings")


def test_number_style_and_residual_scale() -> None:
    assert NumberStyle.of(["3", "10", None]).write(7.6) == "8"
    assert NumberStyle.of(["3.0", "10.0"]).write(7.6) == "8.0"  # like the column
    assert NumberStyle.of(["1.25", "2.5"]).write(7.613) == "7.61"
    assert NumberStyle.of(["1,25", "2,5", None]).write(7.613) == "7,61"  # decimal comma
    assert NumberStyle.of(["1,250", "980", "12,000"]).write(4321.4) == "4,321"  # grouped
    # a residual of 3 is ordinary where the model errs by 3, far out where it errs by 0.1
    predictions = np.r_[np.zeros(150), np.full(50, 100.0)]
    targets = predictions + np.r_[np.full(150, 0.1), np.full(50, 3.0)]
    targets[[0, 175]] += 3.0
    scores = residual_scores(targets, predictions)
    assert scores[0] > 20 and scores[175] < 3


def test_the_python_api_takes_task(scanned) -> None:
    frame, _ = deliveries(150)
    report = databugs.scan(frame, label="minutes", id="order", task="regression", folds=2)
    assert report.task["chosen_by"] == "option" and report.regression["model"]
    assert "values" in repr(report)


def test_the_gate_names_regression_figures_and_kinds(scanned) -> None:
    _, out, _ = scanned
    gate = json.loads((out / "report.json").read_text())["gate"]["rules"]
    assert [rule["rule"] for rule in gate] == GATE.split(",")
    assert [rule["passed"] for rule in gate] == [True, True, False]  # 10 wrong of 360: over 1%


def test_a_regression_figure_in_the_gate_of_a_class_scan_is_refused_before_the_models(
    tmp_path: Path,
) -> None:
    """``model_r2<0.5`` on a scan of classes was refused only after every model was fitted."""
    frame, _ = deliveries(200)
    frame["late"] = np.where(frame.minutes > 30, "late", "on time")
    data = tmp_path / "d.csv"
    frame.drop(columns="minutes").to_csv(data, index=False)
    result = run(
        "scan", data, "--label", "late", "--out", tmp_path / "o", "--fail-on", "model_r2<0.5"
    )
    assert result.exit_code == 2 and "'model_r2<0.5' names a figure that a" in result.stderr
    assert "classification scan does not have" in result.stderr
    assert "--task regression" in result.stderr and not (tmp_path / "o").exists()


@pytest.mark.parametrize("rule", ["model_accuracy<0.8", "rare_class>0", "new_label_spelling>0"])
def test_a_class_figure_in_the_gate_of_a_regression_scan_is_refused_before_the_models(
    tmp_path: Path, rule: str
) -> None:
    """``model_accuracy<0.8`` or ``rare_class>0`` on a scan of numbers was refused only after
    every model was fitted (the other way round was mended in session 27)."""
    frame, _ = deliveries(200)
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    baseline = ("--baseline", tmp_path / "o") if rule.startswith("new_") else ()
    if baseline:
        assert run("scan", data, "--label", "minutes", "--out", tmp_path / "o").exit_code == 0
    out = tmp_path / "gated"
    result = run("scan", data, "--label", "minutes", "--out", out, "--fail-on", rule, *baseline)
    assert result.exit_code == 2 and f"{rule!r} names a figure that a regression" in result.stderr
    assert "--task classification" in result.stderr and not out.exists()


def _split_deliveries(folder: Path) -> tuple[Path, Path]:
    """A training and a test file of deliveries: three test rows copied into train, a notes
    column blank in 70% of the rows, and one broken record (a 900 km delivery)."""
    frame, _ = deliveries(rows=480, seed=3)
    rng = np.random.default_rng(3)
    frame["notes"] = np.where(rng.random(len(frame)) < 0.7, "", "leave at door")
    frame.loc[17, "distance_km"] = 900.0
    train, test = frame.iloc[:400].copy(), frame.iloc[400:].copy()
    copied = test.iloc[[5, 30, 60]].assign(order=["c1", "c2", "c3"])
    paths = folder / "train.csv", folder / "test.csv"
    pd.concat([train, copied]).to_csv(paths[0], index=False)
    test.to_csv(paths[1], index=False)
    return paths


def test_row_detectors_run_on_a_regression_scan(tmp_path: Path) -> None:
    """Leakage, outliers and empty columns are found in a regression too, counted in the
    summary, and the gate can name them (it exited 2: "names no figure of this scan")."""
    train, test = _split_deliveries(tmp_path)
    args = ["--test", test, "--label", "minutes", "--id", "order", "--out", tmp_path / "out"]
    result = run("scan", train, *args, "--fail-on", "split_leakage>0", "--format", "plain")
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    counts = report["summary"]["counts"]
    assert f"split_leakage>0 (measured {counts['split_leakage']})" in result.output
    leaked = {(i["split"], i["file_row"]) for i in report["issues"] if i["kind"] == "split_leakage"}
    copies = {("train", 400), ("train", 401), ("train", 402), ("test", 5), ("test", 30)}
    assert copies | {("test", 60)} <= leaked  # (and pairs of deliveries alike by chance)
    assert counts["empty_cells"] == 1
    assert {"split_shift", "mixed_types", "outlier"} <= set(counts)
    outliers = [i for i in report["issues"] if i["kind"] == "outlier"]
    assert outliers[0]["row"] == 17 and outliers[0]["suggested_label"] is None
    assert "nearest rows train:" in outliers[0]["detail"]  # rows named as fix --accept takes them
    assert set(report["kinds"]) >= {"label_issue", "split_leakage", "empty_cells"}


def test_values_that_moved_between_splits_are_a_split_shift() -> None:
    frame, _ = deliveries(rows=480, seed=4)
    train, test = frame.iloc[:360], frame.iloc[360:]
    same = databugs.scan(train, label="minutes", test=test, detectors=["split_shift"])
    assert _shifts(same) == []
    moved = databugs.scan(
        train,
        label="minutes",
        test=test.assign(minutes=test["minutes"] + 15),
        detectors=["split_shift"],
    )
    (shift,) = _shifts(moved)
    assert "values of 'minutes' moved between train and test" in shift.message
    assert shift.details["medians"]["test"] > shift.details["medians"]["train"] + 10


def _shifts(report: databugs.Report) -> list:
    return [i for i in report.issues if i.kind == "split_shift" and "medians" in i.details]


def test_a_free_text_note_beside_a_number_to_predict_leaves_the_table_models() -> None:
    """With a note column the regression candidates were the text models alone (the numbers
    a few scaled columns among the words): 15 reg_* sets with a note of filler words, mean AP
    0.27 where the same tables alone give 0.37. The table's candidates are fitted on the
    columns beside the text now, and the first fold chooses among them all."""
    frame, _ = deliveries(360)
    rng = np.random.default_rng(1)
    words = ["please", "ring", "twice", "the", "door", "left", "of", "a", "thanks", "gate"]
    noted = frame.assign(note=[" ".join(rng.choice(words, rng.integers(3, 9))) for _ in range(360)])
    plain = databugs.scan(frame, label="minutes", jobs=1)
    report = databugs.scan(noted, label="minutes", jobs=1)
    chosen = [model["name"] for model in report.models if model["weight"] == 1.0]
    assert chosen[0].endswith("on the columns beside the text")
    flagged = report.rows.loc[report.rows.is_label_issue, "row"].tolist()
    assert flagged == plain.rows.loc[plain.rows.is_label_issue, "row"].tolist()
    assert len(set(flagged) & set(WRONG)) >= 9


def test_negative_numbers_are_written_back_as_the_column_writes_them(tmp_path: Path) -> None:
    """An accounting column (``(2,257)``) got ``-2257`` from fix, and one written with the
    minus sign U+2212 got ``-``; typed values in either form read back."""
    accounting = NumberStyle.of(["(2,257)", "1,300"])
    assert accounting.write(-1234.4) == "(1,234)" and accounting.write(12) == "12"
    assert accounting.read("(1,234)") == -1234 and np.isnan(accounting.read("(-5)"))
    assert NumberStyle.of(["\u2212825", "12"]).write(-3) == "\u22123"
    assert NumberStyle.of(["$(50.00)", "$20.00"]).read("($12.50)") == -12.5
    frame, _ = deliveries()
    profit = np.round(40 - frame.minutes.to_numpy()) * 100  # some positive, most negative
    frame = frame.drop(columns="minutes").assign(
        profit=[f"({-v:,.0f})" if v < 0 else f"{v:,.0f}" for v in profit]
    )
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    assert run("scan", data, "--label", "profit", "--out", out).exit_code == 0
    report = json.loads((out / "report.json").read_text())
    suggested = [i["suggested_label"] for i in report["issues"] if i["kind"] == "label_issue"]
    assert suggested and all(re.fullmatch(r"\(\d[\d,]*\)|\d[\d,]*", s) for s in suggested)
    assert any(s.startswith("(") for s in suggested)


def test_the_figures_a_regression_gate_may_name_are_its_summary_s_numbers() -> None:
    """The list of figures gate rules may name on a regression scan is kept beside the summary
    that writes them: a figure added to one and not the other would be refused, or unchecked."""
    from databugs.pipeline.regression import SUMMARY_FIGURES

    frame, _ = deliveries(200)
    summary = databugs.scan(frame, label="minutes", jobs=1).summary
    numbers = {k for k, v in summary.items() if isinstance(v, int | float) and k != "counts"}
    assert numbers == set(SUMMARY_FIGURES)
