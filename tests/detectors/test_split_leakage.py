"""split_leakage: rows copied from the test split into the training split (exactly, with one
word or one cell changed) are paired, with both rows named; a clean split pairs nothing new."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from databugs.data.splits import Splits
from databugs.detectors.split_leakage import SplitLeakage
from databugs.pipeline.detect import detected
from tests.conftest import EXAMPLES, read_like_a_file, table_context


def _split_context(frame: pd.DataFrame, test_rows: int):
    rows = len(frame)
    splits = Splits(
        names=np.array(["train"] * (rows - test_rows) + ["test"] * test_rows, dtype=object),
        files=("train.csv", "test.csv"),
        file_index=np.repeat([0, 1], [rows - test_rows, test_rows]),
        file_rows=np.r_[np.arange(rows - test_rows), np.arange(test_rows)],
    )
    return dataclasses.replace(table_context(frame), splits=splits)


def _pairs(context) -> dict[tuple[int, int], str]:
    issues = SplitLeakage().detect(context)
    return {tuple(i.details["rows"]): i.details["how"] for i in issues}


def _changed_word(text: str, rng: np.random.Generator) -> str:
    words = text.split()
    words[rng.integers(len(words))] = "qqzx"
    return " ".join(words)


def test_copies_of_test_rows_in_train_are_paired_naming_both_files() -> None:
    sms = read_like_a_file(EXAMPLES / "sms_sample.csv").drop(columns="message_id")
    train, test = sms.iloc[:700].copy(), sms.iloc[700:].reset_index(drop=True)
    clean = _pairs(_split_context(pd.concat([train, test], ignore_index=True), len(test)))
    rng = np.random.default_rng(0)
    long = [r for r in range(len(test)) if len(test.at[r, "text"].split()) >= 6]
    copied = rng.choice(long, 20, replace=False)
    for n, row in enumerate(copied):
        text = test.at[row, "text"]
        train.iat[n * 10, 0] = text if n % 2 else _changed_word(text, rng)
    frame = pd.concat([train, test], ignore_index=True)
    found = _pairs(_split_context(frame, len(test)))
    planted = {(n * 10, 700 + int(row)) for n, row in enumerate(copied)}
    assert planted <= set(found)
    assert set(found) - planted <= set(clean)  # nothing new beyond the planted pairs
    issue = next(i for i in SplitLeakage().detect(_split_context(frame, len(test))))
    assert "of train (train.csv)" in issue.message and "of test (test.csv)" in issue.message
    assert issue.suggested_label is None


def test_table_rows_with_one_cell_changed_are_paired() -> None:
    letters = pd.read_csv(EXAMPLES / "letters_sample.csv").iloc[:600]
    frame = letters.copy()
    frame.iloc[0:5, :] = letters.iloc[500:505].to_numpy()
    frame.iloc[0:5, 3] = frame.iloc[0:5, 3] + 1  # one cell of each copy changed
    found = _pairs(_split_context(frame, 100))
    assert {(n, 500 + n) for n in range(5)} <= set(found)
    assert {found[(n, 500 + n)] for n in range(5)} == {"one cell changed"}
    issue = next(i for i in SplitLeakage().detect(_split_context(frame, 100)) if i.row == 0)
    column, new = letters.columns[3], frame.iat[0, 3]
    assert issue.message.startswith(f"one cell changed ({column}: '{new}' / '{new - 1}'): row 0")


def test_a_pair_tells_the_word_or_the_cell_it_differs_in() -> None:
    """A text copied with a side column changed is a cell changed, not a word: the message
    names the column and both values, or the word both ways, as the reviewer checks them."""
    sms = read_like_a_file(EXAMPLES / "sms_sample.csv").drop(columns="message_id").iloc[:400]
    frame = sms.assign(price=np.round(np.random.default_rng(1).uniform(1, 10, len(sms)), 2))
    short = [r for r in range(300, 400) if 4 <= len(frame.at[r, "text"].split()) <= 8]
    frame.iloc[0] = frame.iloc[short[0]]
    frame.at[0, "price"] = 99.5
    frame.iloc[1] = frame.iloc[short[1]]  # short: one word changed is no near copy
    words = frame.at[1, "text"].split()
    frame.at[1, "text"] = " ".join(["qqzx", *words[1:]])
    messages = {
        i.row: i.message for i in SplitLeakage().detect(_split_context(frame, 100)) if i.row < 2
    }
    price = frame.at[short[0], "price"]
    assert messages[0].startswith(f"one cell changed (price: '99.5' / '{price}'): row 0 of train")
    first = words[0].casefold()
    assert messages[1].startswith(f"one word changed (text: 'qqzx' / '{first}'): row 1 of train")


def test_no_splits_no_leakage() -> None:
    letters = pd.read_csv(EXAMPLES / "letters_sample.csv").iloc[:100]
    doubled = pd.concat([letters, letters], ignore_index=True)
    unsplit = table_context(doubled)
    assert not SplitLeakage.looks_at(unsplit)  # a scan runs only the detectors that look
    assert detected([SplitLeakage()], unsplit) == []
    assert _pairs(dataclasses.replace(_split_context(doubled, 0))) == {}


def test_tweets_sharing_a_long_mention_chain_are_no_near_copies() -> None:
    sms = read_like_a_file(EXAMPLES / "sms_sample.csv").drop(columns="message_id").iloc[:400]
    chain = "@user " * 40  # each word counts once: the chain does not outweigh the message
    frame = sms.assign(text=chain + sms["text"])
    found = _pairs(_split_context(frame, 100))
    assert set(found.values()) <= {"identical", "one word changed"}
