"""What a reviewer may relabel a row to, per task: the same rules for ``databugs review`` and
for report.html's decisions files (tag sets and numbers were refused as "not a class")."""

from __future__ import annotations

import pandas as pd
import pytest

from databugs.corrections.relabel import Relabelling
from databugs.errors import DatabugsError
from tests.conftest import LETTER_TAGS, letter_tag_columns, tagged_letters

TAGS = sorted(LETTER_TAGS)  # curved, straight, symmetric, vowel: report.json's classes


def _scan(task: str, label: str | list[str], classes: list[str], **options) -> dict:
    return {
        "task": {"kind": task},
        "input": {"label": label},
        "classes": [{"label": name} for name in classes],
        "options": options,
    }


@pytest.fixture(scope="module")
def joined() -> tuple[Relabelling, pd.DataFrame]:
    """Tags written ``straight | vowel``: the separator ``|`` with spaces around it."""
    frame, _ = tagged_letters(rows=200)
    frame["tags"] = frame["tags"].str.replace(";", " | ")
    report = _scan("multilabel", "tags", TAGS, label_sep="|")
    return Relabelling.of_scan(report, frame, "tags.csv"), frame


def _row_with(frame: pd.DataFrame, cell: str) -> int:
    return int(frame.index[frame["tags"] == cell][0])


def test_typed_tags_are_written_like_the_cell(joined) -> None:
    rules, frame = joined
    row = _row_with(frame, "vowel | straight")  # the column lists vowel before straight
    assert rules.checked("straight|curved", row) == "straight | curved"
    assert rules.checked(" vowel |straight ", row) == "vowel | straight"  # its own order kept
    assert rules.checked("4 | 1", row) == "vowel | curved"  # by number, as review lists them
    assert rules.checked("vowel|+wavy", row) == "vowel | wavy"  # a new tag, on purpose


def test_slips_in_typed_tags_are_refused(joined) -> None:
    rules, frame = joined
    row = _row_with(frame, "vowel | straight")
    for typed, said in [
        ("vowl", "'vowl' is not a tag of this data"),
        ("vowel||curved", "an empty tag"),
        ("", "an empty tag"),
        ("vowel|+\x1b[2J", "cannot hold control characters"),
    ]:
        with pytest.raises(DatabugsError, match=said.replace("|", r"\|")):
            rules.checked(typed, row)


def test_a_decisions_file_marks_new_tags_and_keeps_them_as_written(joined) -> None:
    rules, frame = joined
    row = _row_with(frame, "vowel | straight")
    assert rules.checked("vowel|3", row, new=True) == "vowel | 3"  # a tag named 3, not symmetric
    assert rules.checked("vowel|+1", row, new=True) == "vowel | +1"
    with pytest.raises(DatabugsError, match="'wavy' is not a tag"):
        rules.checked("vowel|wavy", row)


def test_tag_columns_take_known_tags_only_and_may_turn_every_tag_off() -> None:
    frame, _ = letter_tag_columns(rows=200)
    rules = Relabelling.of_scan(_scan("multilabel", TAGS, TAGS), frame, "letters.csv")
    row = int(frame.index[(frame["curved"] == 1) & (frame["vowel"] == "true")][0])
    assert rules.checked("vowel;curved", row) == "curved;vowel"  # the columns' order
    assert rules.checked("", row) == rules.checked("(no tags)", row) == "(no tags)"
    with pytest.raises(DatabugsError, match="the tags are 0/1 columns and none is named so"):
        rules.checked("vowel;+wavy", row)


def test_a_numeric_target_takes_a_number_written_like_the_column() -> None:
    frame = pd.DataFrame({"rings": ["9", "11", "10", "12"], "length": [0.4, 0.5, 0.45, 0.6]})
    rules = Relabelling.of_scan(_scan("regression", "rings", []), frame, "shells.csv")
    assert rules.checked("13.0", 1) == "13"
    for typed, said in [("12.5", "not a whole number"), ("abc", "is not a number")]:
        with pytest.raises(DatabugsError, match=said):
            rules.checked(typed, 1, new=True)


def test_classes_take_a_class_or_a_new_one_on_purpose() -> None:
    frame = pd.DataFrame({"label": ["-1", "1", "1"]})
    rules = Relabelling.of_scan(_scan("classification", "label", ["-1", "1"]), frame, "d.csv")
    assert rules.checked("-1", 0) == "-1"
    assert rules.checked("+0", 0) == "0"  # typed in review: + marks a new class
    assert rules.checked("+0", 0, new=True) == "+0"  # a decisions file's new class, as written
    with pytest.raises(DatabugsError, match="'0' is not a class of this data"):
        rules.checked("0", 0)


def test_a_class_holding_control_characters_may_be_chosen_again_but_not_made() -> None:
    """A decisions file accepting the scan's own suggestion was refused whole where that class
    held a line break or a right-to-left override (``review`` and ``--accept-top`` applied it):
    the data's own classes are written as they are; a new label with one is still refused,
    its escapes shown once (the message showed ``\\\\u000a``)."""
    odd = "line1\nline2 \u202eevil"
    rules = Relabelling.of_scan(_scan("classification", "label", ["-1", odd]), pd.DataFrame(), "")
    assert rules.checked(odd, 0, new=False) == odd
    with pytest.raises(DatabugsError) as refused:
        rules.checked("new\x1b[2J", 0, new=True)
    assert str(refused.value).startswith("'new\\u001b[2J': a label cannot hold control")
