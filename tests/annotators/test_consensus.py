"""Consensus and annotator quality: a class-swapping annotator ranks last, consensus wins."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

import databugs


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


def test_a_scan_with_annotators_prints_no_convergence_warning(tmp_path: Path) -> None:
    """Pets told apart by size alone, two annotators (one calls 30% of small pets dogs): the
    many corrections of one kind on rows with the same few values were grouped by k-means,
    which warned that it found fewer distinct points than clusters."""
    rng = np.random.default_rng(0)
    size = rng.choice(["small", "medium", "large"], 900)
    truth = np.where(size == "small", "cat", np.where(size == "medium", "dog", "horse"))
    frame = pd.DataFrame(
        {
            "size": size,
            "colour": rng.choice(["red", "green"], 900),
            "label": np.where(rng.random(900) < 0.1, "horse", truth),
            "text": np.where((size == "small") & (rng.random(900) < 0.3), "dog", truth),
        }
    )
    path = tmp_path / "pets.csv"
    frame.to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = databugs.scan(path, annotators=["label", "text"], jobs=1)
    assert report.clusters  # the corrections were grouped
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_three_good_annotators_of_a_rare_class_are_not_overruled_by_the_model() -> None:
    """300 SMS (15% spam) and three annotators right 90% of the time: CROWDLAB rated each no
    better than always answering "ham", weighed them at its floor and took the model's guess,
    turning spam that all three called spam into ham. The answers' own consensus is used."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv").head(300)
    fixed = pd.read_csv(EXAMPLES / "sms_sample.truth.csv").set_index("row")["true_label"]
    truth = frame["label"].where(~frame.index.isin(fixed.index), fixed).to_numpy()
    rng = np.random.default_rng(1)
    answers = {}
    for name in ("ann_a", "ann_b", "ann_c"):
        wrong = rng.random(len(truth)) < 0.1
        answers[name] = np.where(wrong, np.where(truth == "spam", "ham", "spam"), truth)
    data = frame.assign(**answers)
    report = databugs.scan(data, label="label", annotators=list(answers), jobs=2)
    consensus = report.rows["consensus_label"].to_numpy()
    votes = np.column_stack(list(answers.values()))
    majority = np.where((votes == "spam").sum(axis=1) >= 2, "spam", "ham")
    unanimous = (votes == votes[:, :1]).all(axis=1)
    assert (consensus[unanimous] == votes[unanimous, 0]).all()
    assert (consensus == truth).mean() >= (majority == truth).mean()
    assert report.agreement["consensus_model"] == "dawid-skene+model"
