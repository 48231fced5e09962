"""split_shift: class shares and columns that moved between splits are found with their
figures; a random split of the same rows finds nothing."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from databugs.data.splits import column_splits
from databugs.detectors.split_shift import SplitShift, chi_square
from tests.conftest import EXAMPLES, read_like_a_file, table_context


def _context(frame: pd.DataFrame, split: np.ndarray):
    splits = column_splits(frame.assign(split=split), "split", source="data.csv")
    return dataclasses.replace(table_context(frame), splits=splits)


def _letters() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "letters_sample.csv")


def test_a_random_split_shows_no_shift() -> None:
    letters = _letters()
    split = np.random.default_rng(0).choice(["train", "test"], len(letters), p=[0.7, 0.3])
    assert SplitShift().detect(_context(letters, split)) == []


def test_moved_classes_and_columns_are_found_with_their_figures() -> None:
    letters = _letters()
    rng = np.random.default_rng(1)
    split = np.where(rng.random(len(letters)) < 0.3, "test", "train")
    vowels = letters["label"].isin(list("AEIOU")).to_numpy()
    split[vowels] = np.where(rng.random(vowels.sum()) < 0.8, "test", "train")  # vowels to test
    letters.loc[split == "test", "width"] += 2  # and one column shifted
    issues = SplitShift().detect(_context(letters, split))
    classes = [i for i in issues if "shares" in i.details]
    assert len(classes) == 1 and classes[0].row is None
    figures = classes[0].details
    assert figures["p_value"] < 1e-6 and figures["statistic"] > 50 and figures["dof"] >= 1
    assert figures["shares"]["test"]["A"] > 2 * figures["shares"]["train"]["A"]
    columns = {i.details["column"] for i in issues if "column" in i.details}
    assert "width" in columns
    assert "high" not in columns  # unchanged columns stay quiet


def test_text_length_and_words_are_compared() -> None:
    sms = read_like_a_file(EXAMPLES / "sms_sample.csv").drop(columns="message_id")
    split = np.where(np.arange(len(sms)) % 4 == 0, "test", "train")
    sms.loc[split == "test", "text"] = sms.loc[split == "test", "text"] + " free prize call now"
    issues = SplitShift().detect(_context(sms, split))
    tests = {i.details["test"] for i in issues if i.details.get("column") == "text"}
    assert tests == {"KS on text length", "chi-square on words"}


def test_tiny_expected_counts_are_pooled_not_tested_alone() -> None:
    values = pd.Series(["a"] * 50 + ["b"] * 50 + ["c", "d"])
    in_other = np.r_[np.zeros(50, bool), np.ones(50, bool), [True, False]]
    pooled = chi_square(values, in_other)
    assert pooled["dof"] == 2  # a, b and the pooled rare values: 3 rows x 2 parts
    assert chi_square(pd.Series(["a", "b"]), np.array([True, False])) is None


def test_one_long_broken_record_does_not_move_a_random_split() -> None:
    """Words are counted once per row: counted per use, one record of a word repeated 2,000
    times made a random split "moved" (p = 2e-46)."""
    sms = read_like_a_file(EXAMPLES / "sms_sample.csv").drop(columns="message_id")
    split = np.random.default_rng(0).choice(["train", "test"], len(sms), p=[0.7, 0.3])
    broken = int(np.flatnonzero(split == "test")[0])
    sms.loc[broken, "text"] = " ".join(["the call you"] * 2000)
    issues = SplitShift().detect(_context(sms, split))
    assert [i.details["test"] for i in issues if i.details.get("column") == "text"] == []


def test_a_class_found_only_in_the_test_split_is_named_even_when_shares_barely_move() -> None:
    """Two test rows of a class the training rows lack moved no share beyond chance, so
    nothing said why they headed the flags ("Zed -> E", certain): no model had learnt Zed."""
    letters = _letters()
    split = np.random.default_rng(0).choice(["train", "test"], len(letters), p=[0.7, 0.3])
    letters.loc[np.flatnonzero(split == "test")[:2], "label"] = "Zed"
    assert not (letters.loc[split == "train", "label"] == "Zed").any()
    (finding,) = [i for i in SplitShift().detect(_context(letters, split)) if "shares" in i.details]
    assert finding.details["only_in_other"] == ["Zed"]
    assert "class 'Zed' only in test (2 rows): the models, trained on train, never saw it" in (
        finding.message
    )
    assert finding.details["p_value"] > 0.001  # found for the class, not for the shares
