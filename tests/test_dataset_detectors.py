"""Dataset-level detectors, each on data built to contain its bug and on data without it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import databugs
from databugs.detectors.label_spelling import LabelSpelling, spelling_key
from databugs.detectors.near_duplicates import similar_pairs, word_vectors
from tests.conftest import make_blobs_table


def _kinds(report: databugs.Report, kind: str) -> list:
    return [issue for issue in report.issues if issue.kind == kind]


@pytest.fixture(scope="module")
def clean_report() -> databugs.Report:
    return databugs.scan(make_blobs_table(rows=300, seed=3), jobs=1)


@pytest.mark.parametrize(
    "kind",
    [
        "class_imbalance",
        "rare_class",
        "missing_class",
        "label_spelling",
        "conflicting_duplicates",
        "near_duplicates",
        "confusable_classes",
    ],
)
def test_clean_data_has_no_dataset_findings(clean_report: databugs.Report, kind: str) -> None:
    assert _kinds(clean_report, kind) == []
    assert clean_report.summary["counts"][kind] == 0


def test_label_spelling_merges_case_space_and_typos_but_not_real_classes() -> None:
    labels = ["positive"] * 50 + ["Positive "] * 3 + ["postive"] * 2 + ["negative"] * 40
    labels += ["B"] * 30 + ["D"] * 2 + ["neutral"] * 10 + ["natural"] * 9
    merges = LabelSpelling().merge_labels(labels)
    assert merges == {"Positive ": "positive", "postive": "positive"}
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in "POSITIVE")
    assert spelling_key(fullwidth) == "positive"  # Unicode compatibility forms


def test_label_spelling_end_to_end_merges_before_training() -> None:
    frame = make_blobs_table(rows=300, seed=4)
    dogs = frame.index[frame["label"] == "dog"][:6]
    frame.loc[dogs[:4], "label"] = "Dog "
    frame.loc[dogs[4:], "label"] = "DOG"
    report = databugs.scan(frame, jobs=1)
    spelling = _kinds(report, "label_spelling")
    assert sorted(issue.row for issue in spelling) == sorted(dogs.tolist())
    assert {issue.suggested_label for issue in spelling} == {"dog"}
    assert report.summary["classes"] == 3  # variants did not become classes of their own
    assert report.summary["counts"]["label_spelling"] == 1  # one group
    assert report.rows.loc[dogs, "suggested_label"].eq("dog").all()


def test_class_imbalance_and_rare_class() -> None:
    frame = make_blobs_table(rows=400, seed=5)
    birds = frame.index[frame["label"] == "bird"]
    frame = frame.drop(birds[6:]).reset_index(drop=True)  # 6 birds left
    report = databugs.scan(frame, jobs=1)
    imbalance = _kinds(report, "class_imbalance")
    assert [issue.given_label for issue in imbalance] == ["bird"]
    assert imbalance[0].row is None
    assert imbalance[0].details["count"] == 6 and 0 <= imbalance[0].details["recall"] <= 1
    rare = _kinds(report, "rare_class")
    assert len(rare) == 6 and {issue.group for issue in rare} == {"rare:bird"}


def test_missing_and_undeclared_classes() -> None:
    frame = make_blobs_table(rows=300, seed=6)
    frame.loc[[3, 9], "label"] = "brid"  # a stray typo that is not a class
    report = databugs.scan(frame, classes=["cat", "dog", "bird", "fish"], jobs=1)
    found = _kinds(report, "missing_class")
    missing = [issue for issue in found if issue.row is None]
    assert [issue.given_label for issue in missing] == ["fish"]
    undeclared = sorted((i.row, i.suggested_label) for i in found if i.row is not None)
    assert undeclared == [(3, "bird"), (9, "bird")]


def test_conflicting_duplicates_suggest_the_majority() -> None:
    frame = pd.DataFrame(
        {
            "text": ["Win a FREE prize now", "win a free   prize now", "WIN A FREE PRIZE NOW"]
            + [f"meeting moved to {day} afternoon with the team" for day in range(60)]
            + [f"claim your cash reward number {n} today" for n in range(60)],
            "label": ["spam", "spam", "ham"] + ["ham"] * 60 + ["spam"] * 60,
        }
    )
    report = databugs.scan(frame, jobs=1)
    found = _kinds(report, "conflicting_duplicates")
    assert sorted(issue.row for issue in found) == [0, 1, 2]
    assert {issue.suggested_label for issue in found} == {"spam"}
    assert report.rows.loc[2, "suggested_label"] == "spam"


def test_near_duplicate_texts_are_found_without_all_pairs() -> None:
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(3000)])
    texts = [" ".join(rng.choice(words, 30)) for _ in range(2000)]
    texts[1500] = texts[10] + " extra"  # a near copy
    pairs = similar_pairs(word_vectors(pd.Series(texts)), min_cosine=0.9, seed=0)
    assert [tuple(pair) for pair in pairs] == [(10, 1500)]


def test_near_duplicates_in_a_table() -> None:
    frame = make_blobs_table(rows=300, seed=8)
    frame.loc[200, ["weight", "height", "colour"]] = frame.loc[20, ["weight", "height", "colour"]]
    frame.loc[200, "weight"] += 0.001
    frame.loc[200, "label"] = "bird" if frame.loc[20, "label"] != "bird" else "cat"
    report = databugs.scan(frame, jobs=1)
    found = _kinds(report, "near_duplicates")
    assert sorted(issue.row for issue in found) == [20, 200]


def test_confusable_classes_on_swapped_pair(shared_dataset) -> None:
    frame = shared_dataset("digits")
    rng = np.random.default_rng(0)
    ones = frame.index[frame["label"] == "1"]
    sevens = frame.index[frame["label"] == "7"]
    frame.loc[rng.choice(ones, 40, replace=False), "label"] = "7"
    frame.loc[rng.choice(sevens, 40, replace=False), "label"] = "1"
    report = databugs.scan(frame, jobs=2)
    pairs = [
        set(issue.group.split(":")[1].split("|")) for issue in _kinds(report, "confusable_classes")
    ]
    assert pairs and pairs[0] == {"1", "7"}
