"""Columns mixing numbers and text: databugs cannot use them as numbers, and says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import databugs
from databugs.detectors.content import normalised_content
from databugs.detectors.mixed_types import MixedTypes
from databugs.render import markdown
from tests.conftest import EXAMPLES, _kinds, read_like_a_file, table_context


@pytest.fixture(scope="module")
def letters_from_two_sources() -> pd.DataFrame:
    """The letters sample as read from its file, 10% of its rows from a source that writes
    decimal commas in ``x.box`` (``4,0``) and a few ``unknown`` in ``y.box``."""
    frame = read_like_a_file(EXAMPLES / "letters_sample.csv")
    rng = np.random.default_rng(0)
    other = rng.random(len(frame)) < 0.1
    frame.loc[other, "x.box"] = frame.loc[other, "x.box"].str.replace(".", ",")
    frame.loc[frame.index[other][:8], "y.box"] = "unknown"
    return frame


def test_numbers_beside_decimal_commas_and_words_are_reported(letters_from_two_sources) -> None:
    frame = letters_from_two_sources
    issues = MixedTypes().detect(table_context(frame))
    by_column = {issue.details["column"]: issue for issue in issues}
    assert sorted(by_column) == ["x.box", "y.box"]
    assert all(issue.row is None and 0 < issue.severity <= 1 for issue in issues)

    x_box = by_column["x.box"]
    commas = frame["x.box"].str.contains(",")
    assert x_box.details["numbers"] == (~commas).sum()
    assert x_box.details["text"] == commas.sum()
    assert x_box.details["decimal_commas"] == commas.sum()
    assert 1 <= len(x_box.details["number_examples"]) <= 5
    assert all("," in text for text in x_box.details["text_examples"])
    assert len(x_box.details["text_examples"]) <= 5
    assert "decimal comma" in x_box.message
    assert x_box.details["used_as"] == "numeric"  # 10% commas: still read as the numbers
    assert x_box.message.endswith("databugs read it as numbers; decimal commas read as points")

    y_box = by_column["y.box"]
    assert y_box.details["text"] == 8 and y_box.details["text_examples"] == ["unknown"]
    assert y_box.details["decimal_commas"] == 0 and "decimal comma" not in y_box.message
    assert y_box.message.endswith("databugs read it as numbers; 8 text cells read as missing")


def test_the_model_sees_the_numbers_of_a_mixed_column(letters_from_two_sources) -> None:
    """Decimal commas are the numbers they write, the few words missing values: the columns
    stay amounts, not 50 categories."""
    frame = letters_from_two_sources
    letters = read_like_a_file(EXAMPLES / "letters_sample.csv")
    context = table_context(frame)
    features = context.features
    uses = {use.column: use for use in features.columns}
    assert uses["x.box"].used_as == uses["y.box"].used_as == "numeric"
    compared = normalised_content(context)["x.box"]  # duplicates are found on the same numbers
    assert np.array_equal(compared.to_numpy(), letters["x.box"].astype(float).to_numpy())
    matrix = np.asarray(features.matrix)
    x_box = matrix[:, features.names.index("x.box")]
    assert np.array_equal(x_box, letters["x.box"].astype("float32").to_numpy())
    y_box = matrix[:, features.names.index("y.box")]
    unknown = (frame["y.box"] == "unknown").to_numpy()
    assert np.isnan(y_box[unknown]).all() and not np.isnan(y_box[~unknown]).any()


def test_words_beyond_a_twentieth_of_the_cells_make_categories() -> None:
    frame = read_like_a_file(EXAMPLES / "letters_sample.csv")
    words = frame.index[: int(0.06 * len(frame))]
    frame.loc[words, "y.box"] = "unknown"
    frame.loc[frame.index[:300], "width"] = ["1,250", "12,000", "3,400"] * 100
    features = table_context(frame).features
    uses = {use.column: use for use in features.columns}
    assert uses["y.box"].used_as == "categorical"
    assert uses["width"].reason == "numbers; thousands separators dropped"
    width = np.asarray(features.matrix)[:300, features.names.index("width")]
    assert width[:3].tolist() == [1250.0, 12000.0, 3400.0]


def test_numbers_written_loosely_and_placeholders_are_not_mixed() -> None:
    """Spaces, exponents and signs are still numbers; "n/a" is an empty cell, not text."""
    frame = read_like_a_file(EXAMPLES / "letters_sample.csv")
    rows = frame.index
    frame.loc[rows[:40], "width"] = " 7 "
    frame.loc[rows[40:80], "high"] = "1.2e3"
    frame.loc[rows[80:120], "high"] = "-3"
    frame.loc[rows[120:200], "onpix"] = "n/a"
    assert MixedTypes().detect(table_context(frame)) == []


def test_clean_tables_and_free_text_are_not_mixed() -> None:
    letters = read_like_a_file(EXAMPLES / "letters_sample.csv")
    assert MixedTypes().detect(table_context(letters)) == []
    sms = read_like_a_file(EXAMPLES / "sms_sample.csv")
    assert MixedTypes().detect(table_context(sms)) == []


def test_a_few_numbers_in_free_text_are_below_the_share() -> None:
    sms = read_like_a_file(EXAMPLES / "sms_sample.csv")
    sms.loc[sms.index[:10], "text"] = "42"  # 1% of the messages
    assert MixedTypes().detect(table_context(sms)) == []
    assert len(MixedTypes(min_share=0.005).detect(table_context(sms))) == 1


def test_scan_reports_mixed_types_in_its_own_section(
    letters_from_two_sources, tmp_path: Path
) -> None:
    path = tmp_path / "letters.csv"
    letters_from_two_sources.to_csv(path, index=False)
    report = databugs.scan(path, jobs=1, folds=2, detectors=["mixed_types"])
    assert report.summary["counts"]["mixed_types"] == 2
    assert {issue.details["column"] for issue in _kinds(report, "mixed_types")} == {
        "x.box",
        "y.box",
    }
    assert "## mixed_types (2)" in markdown.render(report)
