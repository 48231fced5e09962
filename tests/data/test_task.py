"""Which task a label column is: the automatic choice, its reason, and the refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from databugs.data.task import (
    CLASSIFICATION,
    MULTILABEL,
    REGRESSION,
    NumberStyle,
    as_column_number,
    choose_task,
    numeric_targets,
)
from databugs.errors import DatabugsError, ErrorCode
from tests.conftest import EXAMPLES, run


def _choose(labels, **given):
    options = {"task": "auto", "label_sep": ";", "tag_columns": ()} | given
    return choose_task(labels, column="target", source="d.csv", **options)


def test_many_distinct_numbers_are_a_number_to_predict() -> None:
    prices = [f"{value:.2f}" for value in np.random.default_rng(0).gamma(2, 30, 400)]
    choice = _choose(prices + [None] * 10)
    assert choice.kind == REGRESSION and choice.automatic
    assert (
        "distinct values (99% of 400 labelled rows)" in choice.reason
        and "'target'" in choice.reason
    )
    assert choice.to_dict()["chosen_by"] == "auto"
    assert "classification" in choice.override() and "regression" not in choice.override()


def test_few_numbers_or_too_small_a_share_are_classes() -> None:
    ratings = [str(value) for value in np.random.default_rng(0).integers(1, 6, 500)]
    choice = _choose(ratings)
    assert choice.kind == CLASSIFICATION and "only 5 distinct values" in choice.reason
    assert "needs more than 20)" in choice.reason
    # 30 distinct codes over 10,000 rows: more than 20 but under 5% of the rows
    codes = [str(100 + row % 30) for row in range(10_000)]
    assert _choose(codes).kind == CLASSIFICATION
    assert _choose(["cat", "dog"] * 50).kind == CLASSIFICATION


def test_a_number_with_too_few_values_for_its_rows_says_which_threshold_it_missed() -> None:
    """30 ratings among 2,000 rows said "needs more than 20" (it has 30): the share failed."""
    ratings = [str(value % 30) for value in range(2000)]
    reason = _choose(ratings).reason
    assert "only 30 distinct values" in reason and "needs more than 20" not in reason
    assert reason.endswith("needs more than 5% of the 2,000 labelled rows (101))")


def test_lists_joined_by_the_separator_or_tag_columns_are_multilabel() -> None:
    tags = ["billing;refund", "billing", "refund;login", "login"] * 25
    choice = _choose(tags)
    assert choice.kind == MULTILABEL and "joined by ';'" in choice.reason
    assert _choose(tags, label_sep="|").kind == CLASSIFICATION
    assert _choose([], tag_columns=["a", "b"]).kind == MULTILABEL
    with pytest.raises(DatabugsError, match="tag columns"):
        _choose([], tag_columns=["a", "b"], task="regression")


def test_free_text_holding_the_separator_is_not_taken_for_tag_sets() -> None:
    """The sms sample's messages as the label: 72 of 1,000 hold ``;`` (``&lt;#&gt;``, smileys)
    and were read as tag sets, then refused for an empty tag between separators."""
    messages = pd.read_csv(EXAMPLES / "sms_sample.csv")["text"].tolist()
    assert sum(";" in text for text in messages) > 10
    choice = _choose(messages)
    assert choice.kind == CLASSIFICATION and "distinct labels" in choice.reason
    assert _choose(messages, task="multilabel").kind == MULTILABEL  # asked for, it is tags
    few_names = ["billing; refund", "login", "refund;login;billing", "billing"] * 3
    assert _choose(few_names).kind == MULTILABEL
    classes_and_notes = ["class0", "class1"] * 120 + [f"w{i} x{i}; y{i} z{i}" for i in range(60)]
    assert _choose(classes_and_notes).kind == CLASSIFICATION  # the classes repeat, no note does
    assert _choose([f"note {i};" for i in range(50)]).kind == CLASSIFICATION  # a trailing ;


def test_a_chosen_task_says_so_and_regression_on_text_is_refused() -> None:
    assert _choose(["a", "b"], task="classification").to_dict()["chosen_by"] == "option"
    with pytest.raises(DatabugsError, match=r"row 1 of column 'target' holds 'b', not a number"):
        _choose(["1.5", "b"], task="regression")
    with pytest.raises(DatabugsError, match="is not a task") as raised:
        _choose(["a"], task="numbers")
    assert raised.value.code is ErrorCode.BAD_OPTION


def test_a_numeric_target_with_a_stray_text_cell_is_refused_not_taken_as_classes() -> None:
    values = [str(v) for v in range(300)]
    values[17] = "about 12"
    with pytest.raises(DatabugsError, match=r"row 17 of column 'target' holds 'about 12'"):
        _choose(values)


def test_missing_words_are_unlabelled_rows_of_a_numeric_target() -> None:
    numbers = numeric_targets(["1.5", "NA", None, "-2"], column="y", source="d.csv")
    assert np.isnan(numbers[1]) and np.isnan(numbers[2]) and numbers[3] == -2


def test_a_number_column_with_a_few_missing_words_is_a_number_to_predict() -> None:
    """Three "n/a" among 597 prices made the column 507 classes (out-of-fold accuracy 0.7%)."""
    prices = [f"{value:.2f}" for value in np.random.default_rng(1).gamma(2, 30, 597)]
    choice = _choose([*prices, "n/a", "NA", "?"])
    assert choice.kind == REGRESSION and "of 597 labelled rows" in choice.reason


def test_the_command_line_refuses_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "tags.csv"
    rows = ["a;b,1", "a,2", "b;c,3", "c,4"] * 10 + ["a;;c,5"]
    data.write_text("tags,x\n" + "\n".join(rows) + "\n")
    result = run("scan", data, "--label", "tags", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "row 40 of column 'tags' has an empty tag between separators" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    result = run("scan", data, "--label", "tags", "--task", "regression", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "row 0 of column 'tags' holds 'a;b', not a number" in (
        result.stderr
    )


def test_decimal_comma_and_grouped_numbers_are_a_number_to_predict() -> None:
    """``12,5`` (a European file) and ``1,250`` (thousands grouped) read as feature columns
    read them: numbers, not hundreds of classes."""
    values = np.random.default_rng(2).gamma(2, 30, 300)
    commas = [f"{value:.2f}".replace(".", ",") for value in values]
    assert _choose(commas).kind == REGRESSION
    numbers = numeric_targets([*commas[:3], "NA"], column="y", source="d.csv")
    assert np.allclose(numbers[:3], values[:3].round(2)) and np.isnan(numbers[3])
    grouped = [f"{value * 100:,.0f}" for value in values]
    assert any("," in text for text in grouped) and _choose(grouped).kind == REGRESSION


def test_money_and_percentages_are_a_number_to_predict_written_back_alike() -> None:
    """``$49,128`` was 991 classes and ``--task regression`` refused it: no way through."""
    values = np.random.default_rng(3).gamma(2, 20_000, 300)
    salaries = [f"${value:,.0f}" for value in values]
    assert _choose(salaries).kind == REGRESSION
    assert np.allclose(numeric_targets(salaries, column="y", source="d.csv"), values.round())
    assert NumberStyle.of(salaries).write(49127.6) == "$49,128"
    rates = [f"{value / 1000:.1f}%" for value in values]
    assert _choose(rates).kind == REGRESSION and NumberStyle.of(rates).write(24.63) == "24.6%"
    assert as_column_number("25.1", rates, "rate") == "25.1%"
