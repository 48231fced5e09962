"""One class written several ways: found, and merged before any model is trained."""

from __future__ import annotations

import databugs
from databugs.detectors.label_spelling import LabelSpelling, spelling_key
from tests.conftest import _kinds, make_blobs_table


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


def test_numbers_are_classes_by_value_never_by_their_digits() -> None:
    labels = ["1.0"] * 50 + ["-1.0"] * 40 + ["3"] * 30 + ["5"] * 2 + ["1"] * 3
    merges = LabelSpelling().merge_labels(labels)
    assert merges == {"1": "1.0"}  # the same number written two ways, nothing else
