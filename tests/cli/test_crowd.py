"""Label-only scans: crowd answers (item, annotator, label) with no feature column."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from databugs.cli import app
from databugs.detectors.registry import all_detectors
from tests.annotators.test_truth import simulated_answers
from tests.conftest import EXAMPLES, runner

NAMES = ["w_ace", "w_good", "w_fine", "w_ok", "w_meh", "w_habit", "w_sloppy"]
CLASSES = np.array(["bird", "cat", "dog"])


def answers_csv(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """The simulated answers of test_truth as an export: one line per answer, ids only, plus a
    repeated answer and an item with one answer only."""
    matrix, truth, _ = simulated_answers()
    item, annotator = np.nonzero(matrix >= 0)
    lines = pd.DataFrame(
        {
            "item_id": [f"q{i:03d}" for i in item],
            "annotator_id": np.array(NAMES)[annotator],
            "label": CLASSES[matrix[item, annotator]],
        }
    )
    extra = pd.DataFrame(
        {
            "item_id": ["q000", "lonely"],
            "annotator_id": [lines["annotator_id"].iat[0], "w_ace"],
            "label": ["cat" if lines["label"].iat[0] != "cat" else "dog", "cat"],
        }
    )
    path = tmp_path / "answers.csv"
    pd.concat([lines, extra]).to_csv(path, index=False)
    return path, truth


def scan(path: Path, out: Path, *extra: str):
    return runner.invoke(
        app,
        [
            *("scan", str(path), "--annotator-col", "annotator_id", "--id", "item_id"),
            *("--out", str(out), "-q", *extra),
        ],
    )


def test_label_only_scan_finds_consensus_quality_and_habits(tmp_path: Path) -> None:
    path, truth = answers_csv(tmp_path)
    result = scan(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert "no model was fitted" in report["input"]["label_only"]
    assert report["notes"][0].startswith("no model was fitted")
    assert report["models"] == []
    assert report["agreement"]["consensus_model"] == "dawid-skene"
    assert report["agreement"]["repeated_answers"] == 1
    assert report["agreement"]["single_answer_items"] == 1
    ranked = [entry["name"] for entry in report["annotators"]]
    assert set(ranked[:2]) == {"w_habit", "w_sloppy"}
    assert all(entry["rows"] > 100 for entry in report["annotators"])
    rows = pd.read_csv(tmp_path / "out" / "corrected_labels.csv", dtype={"id": str})
    scored = rows[rows["id"].str.startswith("q")].sort_values("id")
    right = (scored["consensus_label"].to_numpy() == CLASSES[truth]).mean()
    assert right > 0.9
    needs_model = {name for name, kind in all_detectors().items() if "model" in kind.needs}
    assert needs_model >= {"label_issue", "outlier", "near_duplicates", "conflicting_duplicates"}
    kinds = {issue["kind"] for issue in report["issues"]}
    assert "annotator_disagreement" in kinds and not kinds & needs_model
    assert "annotator_disagreement" in report["kinds"]
    assert not set(report["kinds"]) & needs_model  # no "none found" where nothing looked
    assert report["summary"]["counts"]["label_issue"] == 0
    habits = [i for i in report["issues"] if i["kind"] == "annotator_systematic"]
    assert {i["evidence"]["annotator"] for i in habits} >= {"w_habit", "w_sloppy"}
    assert {"w_habit:bird->dog", "w_sloppy:bird->dog"} <= {i["group"] for i in habits}


def test_the_summary_says_once_that_no_model_was_fitted(tmp_path: Path) -> None:
    """The models line says it; the notes below it do not repeat it (they list the rest)."""
    path, _ = answers_csv(tmp_path)
    result = runner.invoke(
        app,
        [
            *("scan", str(path), "--annotator-col", "annotator_id", "--id", "item_id"),
            *("--out", str(tmp_path / "out")),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("no model was fitted") == 1
    assert "models: no model was fitted" in result.output
    assert "note: repeated answers: 1 times" in result.output


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["q1,a,cat", "q2,b,dog"], "no row was labelled by two annotators"),
        (["q1,a,cat", ",b,dog", "q1,b,cat"], "row 1: empty 'item_id'"),
        (
            [f"q{i},{w},{(i * 7 + j * 13) % 100}" for i in range(20) for j, w in enumerate("abc")],
            "numeric crowd answers are not supported yet",
        ),
    ],
)
def test_answers_that_cannot_be_analysed_exit_2_in_one_line(tmp_path, lines, message) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(["item_id,annotator_id,label", *lines]) + "\n")
    result = scan(path, tmp_path / "out")
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_gold_file_anchors_the_consensus_measures_annotators_and_is_never_flagged(
    tmp_path: Path,
) -> None:
    path, truth = answers_csv(tmp_path)
    # gold for 60 items, a third of them the items majority vote gets wrong
    matrix, _, _ = simulated_answers()
    voted = pd.Series([np.bincount(r[r >= 0], minlength=3).argmax() for r in matrix])
    wrong = np.flatnonzero(voted.to_numpy() != truth)[:20]
    chosen = sorted({*wrong.tolist(), *range(40)})
    gold = pd.DataFrame({"item_id": [f"q{i:03d}" for i in chosen], "label": CLASSES[truth[chosen]]})
    gold.to_csv(tmp_path / "gold.csv", index=False)
    result = scan(path, tmp_path / "out", "--gold", str(tmp_path / "gold.csv"))
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    flagged = {issue["id"] for issue in report["issues"] if issue["row"] is not None}
    assert flagged and not flagged & set(gold["item_id"])
    rows = pd.read_csv(tmp_path / "out" / "corrected_labels.csv").set_index("id")
    assert (rows.loc[gold["item_id"], "consensus_label"].to_numpy() == gold["label"]).all()
    by_name = {entry["name"]: entry for entry in report["annotators"]}
    assert by_name["w_ace"]["gold_accuracy"] > 0.85 > by_name["w_habit"]["gold_accuracy"]
    assert sum(entry["gold_answers"] for entry in by_name.values()) == 4 * len(chosen)
    assert any(note.startswith(f"gold items: {len(chosen)}") for note in report["notes"])
    markdown = (tmp_path / "out" / "report.md").read_text()
    ace = by_name["w_ace"]
    assert f"| {ace['gold_accuracy']:.1%} of {ace['gold_answers']} |" in markdown


def test_a_gold_column_is_read_and_not_used_as_a_feature(tmp_path: Path) -> None:
    import databugs

    path, truth = answers_csv(tmp_path)
    lines = pd.read_csv(path)
    known = {f"q{i:03d}": CLASSES[truth[i]] for i in range(30)}
    lines["gold"] = lines["item_id"].map(known)
    report = databugs.scan(lines, annotator_col="annotator_id", id="item_id")
    assert report.input["label_only"]  # the gold column is no feature
    assert all(entry["gold_answers"] > 0 for entry in report.annotators)
    bad = tmp_path / "bad_gold.csv"
    pd.DataFrame({"item_id": ["q001"], "label": ["horse"]}).to_csv(bad, index=False)
    result = scan(path, tmp_path / "out", "--gold", str(bad))
    assert result.exit_code == 2 and "gold label 'horse' is not a class" in result.output


def test_with_features_gold_items_are_measured_and_never_flagged_beside_crowdlab() -> None:
    import databugs
    from tests.conftest import make_blobs_table

    table = make_blobs_table(150, seed=3)
    rng = np.random.default_rng(0)
    truth = table.pop("label").to_numpy()
    for name, accuracy in (("ann_a", 0.95), ("ann_b", 0.9), ("ann_c", 0.6)):
        wrong = rng.random(len(truth)) > accuracy
        table[name] = np.where(wrong, np.roll(truth, 1), truth)
    table["gold"] = np.where(np.arange(len(truth)) < 40, truth, None)
    report = databugs.scan(table, annotators=["ann_a", "ann_b", "ann_c"], model="logistic", folds=3)
    assert report.agreement["consensus_model"] == "crowdlab" and not report.input.get("label_only")
    assert "gold" not in {use["column"] for use in report.features if use["used_as"] != "left out"}
    for entry in report.annotators:
        right = (table[entry["name"]].to_numpy()[:40] == truth[:40]).mean()
        assert entry["gold_answers"] == 40 and entry["gold_accuracy"] == pytest.approx(right)
    accuracy = {entry["name"]: entry["gold_accuracy"] for entry in report.annotators}
    assert accuracy["ann_c"] < accuracy["ann_a"]
    assert all(issue.row is None or issue.row >= 40 for issue in report.issues)


def test_a_label_contradicting_its_gold_answer_is_the_first_correction() -> None:
    """Gold rows were never flagged, even where the label contradicts the gold answer: the
    surest errors of the data were hidden (and `fix --accept-consensus` skipped them)."""
    import databugs

    frame = pd.read_csv(EXAMPLES / "sms_sample.csv").head(300)
    truth = pd.read_csv(EXAMPLES / "sms_sample.truth.csv").query("row < 300")
    clean = frame["label"].to_numpy().copy()
    clean[truth["row"].to_numpy()] = truth["true_label"].to_numpy()
    rng = np.random.default_rng(1)
    for name in ("ann_a", "ann_b", "ann_c"):
        frame[name] = np.where(rng.random(len(frame)) < 0.1, rng.choice(["ham", "spam"]), clean)
    frame["gold"] = np.where(np.arange(len(frame)) < 150, clean, None)
    wrong = set(np.flatnonzero((frame["label"] != clean).to_numpy()[:150]).tolist())
    assert wrong  # the sample's own errors among the gold rows
    report = databugs.scan(frame, annotators=["ann_a", "ann_b", "ann_c"], id="message_id")
    first = report.issues[: len(wrong)]
    assert {issue.row for issue in first} == wrong
    assert all(issue.suggested_label == clean[issue.row] for issue in first)
    assert (report.rows.loc[sorted(wrong), "label_quality"] == 0).all()
    gold_rows = {issue.row for issue in report.issues if issue.row is not None and issue.row < 150}
    assert gold_rows <= wrong  # gold rows whose label is right are never flagged
