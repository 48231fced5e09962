"""Agreement with the consensus per annotator and class: report.json's cells match a count by
hand, report.html draws them (names and labels as text), report.md shows the busiest 20."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli.test_crowd import answers_csv
from tests.cli.test_crowd import scan as scan_answers
from tests.conftest import SHARED, make_blobs_table, run

HOSTILE = {"w_habit": '<script>alert("w")</script>', "w_sloppy": '"><img src=x onerror=alert(1)>'}
HOSTILE_CLASS = {"dog": "javascript:alert(1)"}


def _by_hand(answers: pd.DataFrame, consensus: pd.Series, classes: list) -> dict:
    """Per annotator: answers and agreements on items of each consensus class (latest answer
    kept where an annotator answered an item twice)."""
    latest = answers.drop_duplicates(["item_id", "annotator_id"], keep="last").astype(str)
    consensus = consensus.dropna().astype(str).set_axis(consensus.dropna().index.astype(str))
    latest = latest.assign(consensus=latest["item_id"].map(consensus)).dropna()
    classes = [str(c) for c in classes]
    found = {}
    for name, own in latest.groupby("annotator_id"):
        found[name] = (
            [int((own["consensus"] == c).sum()) for c in classes],
            [int(((own["consensus"] == c) & (own["label"] == c)).sum()) for c in classes],
        )
    return found


def _check_cells(out: Path, answers: pd.DataFrame, consensus: pd.Series) -> dict:
    table = json.loads((out / "report.json").read_text())["agreement"]["class_agreement"]
    expected = _by_hand(answers, consensus, table["classes"])
    cells = {e["name"]: (e["answers"], e["agreed"]) for e in table["annotators"]}
    assert {name: cells[name] for name in expected} == expected
    return table


def test_label_only_cells_match_a_count_by_hand_and_stay_text(tmp_path: Path) -> None:
    path, _ = answers_csv(tmp_path)
    answers = pd.read_csv(path).replace(HOSTILE).replace(HOSTILE_CLASS)
    answers.to_csv(path, index=False)
    result = scan_answers(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(tmp_path / "out" / "corrected_labels.csv", dtype={"id": str})
    table = _check_cells(tmp_path / "out", answers, rows.set_index("id")["consensus_label"])
    habit = next(e for e in table["annotators"] if e["name"] == HOSTILE["w_habit"])
    bird = table["classes"].index("bird")
    assert habit["answers"][bird] >= 20 and habit["agreed"][bird] / habit["answers"][bird] < 0.3
    page = (tmp_path / "out" / "report.html").read_text()
    heatmap = page[page.index("Agreement with the consensus per class") - 20000 :]
    assert "&lt;script&gt;alert(&quot;w&quot;)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img" not in page and "<script>alert" not in page
    assert "javascript:alert(1)" in heatmap and 'href="javascript' not in page
    assert "How to read this" in heatmap


def test_feature_scan_cells_match_the_consensus_of_crowdlab(tmp_path: Path) -> None:
    frame = make_blobs_table(300, seed=4)
    rng = np.random.default_rng(2)
    truth = frame["label"].to_numpy()
    frame["ann_a"] = truth
    frame["ann_b"] = np.where(rng.random(len(truth)) < 0.15, "cat", truth)
    frame["ann_c"] = np.where(truth == "bird", "dog", truth)  # a habit on one class
    path = tmp_path / "animals.csv"
    frame.drop(columns="label").to_csv(path, index=False)
    out = tmp_path / "r"
    result = run("scan", path, "--annotators", "ann_a,ann_b,ann_c", "--out", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out / "corrected_labels.csv")
    long = (
        frame.drop(columns="label")
        .reset_index(names="item_id")
        .melt("item_id", ["ann_a", "ann_b", "ann_c"], var_name="annotator_id", value_name="label")
    )
    table = _check_cells(out, long, rows.set_index("row")["consensus_label"])
    c = next(e for e in table["annotators"] if e["name"] == "ann_c")
    bird = table["classes"].index("bird")
    assert c["agreed"][bird] == 0 < c["answers"][bird]
    text = (out / "report.md").read_text()
    assert re.search(r"^\| ann\\_c \| 0% of \d+ \| 100% of", text, flags=re.M)  # bird first


@pytest.mark.skipif(not (SHARED / "crowd_snow2008_rte_answers.parquet").exists(), reason="pool")
def test_a_real_crowd_of_164_shows_its_20_busiest_in_report_md(tmp_path: Path) -> None:
    """Snow et al. (2008) RTE: 164 workers, 800 items, 10 answers each."""
    answers = pd.read_parquet(SHARED / "crowd_snow2008_rte_answers.parquet")
    path = tmp_path / "rte.csv"
    answers.to_csv(path, index=False)
    result = scan_answers(path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(tmp_path / "out" / "corrected_labels.csv", dtype={"id": str})
    answers = pd.read_csv(path, dtype={"item_id": str})
    _check_cells(tmp_path / "out", answers, rows.set_index("id")["consensus_label"])
    text = (tmp_path / "out" / "report.md").read_text()
    part = text[text.index("Agreement with the consensus per class") :]
    shown = re.findall(r"^\| (\S+) \| .*of", part.split("\n\n", 2)[1], flags=re.M)
    busiest = answers["annotator_id"].astype(str).value_counts()
    assert len(shown) == 20 and set(shown) <= set(busiest.index[busiest >= busiest.iloc[19]])
    assert "Not shown here: 144 annotators" in part
    kappa = text[text.index("Cohen's kappa per pair") :].split("\n\n", 2)[1].splitlines()
    assert len(kappa) == 2 + 20 and kappa[0].count(" | ") == 20  # header, rule, 20 busiest
    assert "not shown here: 144 annotators" in text
