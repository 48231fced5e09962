"""Columns mostly empty, or empty far more often in one class (the model learns "empty => X")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import databugs
from databugs.detectors.empty_cells import EmptyCells
from databugs.render import markdown
from tests.conftest import EXAMPLES, _kinds, read_like_a_file, table_context

BLANKS = ["", " ", "n/a", "NA"]


@pytest.fixture(scope="module")
def letters_with_holes() -> pd.DataFrame:
    """The letters sample as read from its file, with ``width`` blank in 60% of the rows (four
    ways of writing nothing) and ``onpix`` a ``?`` in 70% of the N rows and 2% of the others."""
    frame = read_like_a_file(EXAMPLES / "letters_sample.csv")
    rng = np.random.default_rng(0)
    blank = rng.random(len(frame)) < 0.6
    frame.loc[blank, "width"] = rng.choice(BLANKS, blank.sum())
    odds = np.where(frame["label"] == "N", 0.7, 0.02)
    frame.loc[rng.random(len(frame)) < odds, "onpix"] = "?"
    return frame


def test_mostly_empty_and_class_tied_columns_are_reported(letters_with_holes) -> None:
    issues = EmptyCells().detect(table_context(letters_with_holes))
    by_column = {issue.details["column"]: issue for issue in issues}
    assert sorted(by_column) == ["onpix", "width"]
    assert all(issue.row is None and 0 < issue.severity <= 1 for issue in issues)

    width = by_column["width"]
    expected = letters_with_holes["width"].str.strip().isin(["", "n/a", "NA"])
    assert width.details["empty"] == expected.sum()
    assert width.details["share"] == pytest.approx(expected.mean(), abs=1e-6)
    assert set(width.details["placeholders"]) == set(BLANKS)  # each way it was written
    assert width.details["tied_class"] is None
    assert "60%" in width.message

    onpix = by_column["onpix"]
    assert onpix.details["tied_class"] == "N"
    assert onpix.details["placeholders"] == {"?": onpix.details["empty"]}
    shares = onpix.details["class_shares"]
    assert shares["N"] > 0.5 and max(v for k, v in shares.items() if k != "N") < 0.1
    assert onpix.details["p_value"] < 1e-6
    assert "'N'" in onpix.message and "?" in onpix.message


def test_clean_and_evenly_sparse_columns_are_not_reported() -> None:
    frame = read_like_a_file(EXAMPLES / "letters_sample.csv")
    assert EmptyCells().detect(table_context(frame)) == []
    rng = np.random.default_rng(1)
    frame.loc[rng.random(len(frame)) < 0.3, "high"] = ""  # a third empty, whatever the class
    assert EmptyCells().detect(table_context(frame)) == []


def test_a_few_missing_values_spread_over_classes_are_fine(shared_dataset) -> None:
    penguins = shared_dataset("tab_penguins")  # sex: 11 of 344 missing, Adelie 6, Gentoo 5
    assert EmptyCells().detect(table_context(penguins)) == []


def test_a_small_class_empty_by_chance_is_not_tied() -> None:
    """Three of the four rows of a rare class are empty: too few to call a pattern."""
    frame = read_like_a_file(EXAMPLES / "letters_sample.csv")
    frame.loc[frame.index[:4], "label"] = "rare"
    frame.loc[frame.index[:3], "onpix"] = ""
    assert EmptyCells().detect(table_context(frame)) == []


def test_settings_change_the_threshold(letters_with_holes) -> None:
    issues = EmptyCells(max_empty_share=0.7).detect(table_context(letters_with_holes))
    assert [issue.details["column"] for issue in issues] == ["onpix"]


def test_scan_reports_empty_cells_in_its_own_section(letters_with_holes, tmp_path: Path) -> None:
    path = tmp_path / "letters.csv"
    letters_with_holes.to_csv(path, index=False)
    report = databugs.scan(path, jobs=1, folds=2, detectors=["empty_cells"])
    assert report.summary["counts"]["empty_cells"] == 2
    assert {issue.details["column"] for issue in _kinds(report, "empty_cells")} == {
        "onpix",
        "width",
    }
    page = markdown.render(report)
    assert "## empty_cells (2)" in page and "width" in page


def test_a_column_empty_where_the_number_is_high_is_tied_to_it_in_a_regression() -> None:
    """A regression scan reported mostly empty columns only: a tip column left empty on the
    slow deliveries (a model learns 'empty => slow') went unreported."""
    from tests.pipeline.test_regression import deliveries

    frame, _ = deliveries()
    rng = np.random.default_rng(1)
    slow = frame["minutes"] > frame["minutes"].quantile(0.8)
    frame["tip"] = np.where(slow, np.nan, rng.uniform(0, 5, len(frame)).round(2))
    frame["coupon"] = np.where(rng.random(len(frame)) < 0.2, "", "spring")  # empty at random
    report = databugs.scan(frame, label="minutes", task="regression", jobs=1)
    found = {issue.details["column"]: issue for issue in _kinds(report, "empty_cells")}
    assert "coupon" not in found
    tie = found["tip"]
    assert tie.details["tied_values"]["empty_median"] > tie.details["tied_values"]["filled_median"]
    assert "a model learns 'empty => higher values'" in tie.message
    assert tie.given_label is None and tie.details["tied_class"] is None


def test_na_among_region_codes_is_north_america_not_an_empty_cell() -> None:
    """A region column of ``EU``, ``APAC``, ``NA``: the North American rows were empty cells
    tied to their class, and one category fewer for the models."""
    rng = np.random.default_rng(0)
    signal = rng.normal(size=(600, 2))
    region = np.where(signal[:, 0] > 0.5, "NA", np.where(signal[:, 0] < -0.5, "EU", "APAC"))
    frame = pd.DataFrame(
        {"spend": signal[:, 1], "region": region, "label": np.where(signal[:, 0] > 0.5, "y", "n")}
    )
    report = databugs.scan(frame, label="label", jobs=1)
    (use,) = [use for use in report.features if use["column"] == "region"]
    assert use["reason"] == "3 categories" and not _kinds(report, "empty_cells")
    frame["region"] = np.where(signal[:, 0] > 0.5, "NA", "12")  # beside numbers: no value
    assert EmptyCells().detect(table_context(frame)) != []
