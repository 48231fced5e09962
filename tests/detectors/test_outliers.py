"""Rows unlike any other: found, ranked, explained, and never turned into a label correction."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

import databugs
from databugs.data.features import build_features
from databugs.detectors.outliers import Outlier, outlier_scores, value_surprise
from databugs.render.markdown import render as render_markdown
from tests.conftest import EXAMPLES, _kinds, table_context


def _letters_with_broken_records() -> tuple[pd.DataFrame, list[int]]:
    """The letters sample with three broken records: values in the wrong unit, and a row of
    another table scaled to this one's columns."""
    frame = pd.read_csv(EXAMPLES / "letters_sample.csv")
    planted = [17, 902, 1200, 1555]
    frame.loc[17, "width"] = 150.0  # the typical width is 0-15
    frame.loc[1200, ["x.box", "onpix", "x.bar", "y2bar"]] = [4.5, 3.5, 7.5, 5.5]  # never halves
    frame.loc[902, ["x.box", "y.box", "high"]] = [90.0, -40.0, 70.0]
    rng = np.random.default_rng(3)
    numbers = frame.columns.drop("label")
    frame.loc[1555, numbers] = rng.uniform(-30, 45, len(numbers)).round(2)
    return frame, planted


def test_broken_records_are_flagged_with_the_unusual_columns() -> None:
    frame, planted = _letters_with_broken_records()
    found = Outlier().detect(table_context(frame))
    assert {issue.row for issue in found} >= set(planted)
    assert len(found) <= 0.01 * len(frame)  # only clearly unusual rows
    by_row = {issue.row: issue for issue in found}
    width = by_row[17]
    assert width.details["unusual"][0]["column"] == "width"
    assert "width" in width.message
    assert len(width.details["nearest_rows"]) == 3
    assert all(0 <= row < len(frame) and row != 17 for row in width.details["nearest_rows"])
    assert all(0 < issue.severity <= 1 for issue in found)
    assert by_row[1555].severity >= min(issue.severity for issue in found)
    halves = by_row[1200].details["unusual"]
    assert {trait["column"] for trait in halves} <= {"x.box", "onpix", "x.bar", "y2bar"}
    assert halves and all(trait["trait"] == "unseen" for trait in halves)
    assert "no other row has it" in by_row[1200].message


def test_a_value_between_the_ones_a_column_repeats_is_surprising_a_new_measurement_not() -> None:
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 10, 500).astype(float)
    measured = rng.normal(size=500)
    counts[7] = 4.5
    surprise = value_surprise(np.column_stack([counts, measured]))
    assert surprise.argmax() == 7
    assert np.allclose(value_surprise(measured[:, None]), 0)


def test_an_outlier_is_a_human_decision_not_a_label_fix() -> None:
    frame, planted = _letters_with_broken_records()
    frame, planted = frame.head(1_000), [row for row in planted if row < 1_000]  # one fast scan
    report = databugs.scan(frame, jobs=1, detectors=["outlier"])
    found = _kinds(report, "outlier")
    assert found and all(issue.suggested_label is None for issue in found)
    assert all("decide" in issue.message for issue in found)
    assert not Outlier.flags_labels
    assert not report.rows.loc[planted, "is_label_issue"].any()
    assert report.summary["counts"]["outlier"] == len(found)
    assert f"## outlier ({len(found)})" in render_markdown(report)


def test_an_outliers_preview_leads_with_the_columns_its_evidence_names() -> None:
    """A preview shows a table's first six columns; yegvx, the sixteenth, is where row 500 is
    odd (a value in the wrong unit), so its preview leads with it."""
    frame = pd.read_csv(EXAMPLES / "letters_sample.csv").head(1_000)
    frame.loc[500, "yegvx"] = 96.0  # the typical value is 0-15
    report = databugs.scan(frame, jobs=1, detectors=["outlier"])
    records = [r for r in report.records if r["kind"] == "outlier"]
    (odd,) = [r for r in records if r["row"] == 500]
    assert odd["evidence"]["unusual"][0]["column"] == "yegvx"
    assert odd["content"].startswith("yegvx=96.0, x.box=")
    for record in records:  # each led by what its own evidence names
        named = dict.fromkeys(trait["column"] for trait in record["evidence"]["unusual"])
        cells = ", ".join(f"{c}={frame.at[record['row'], c]}" for c in named)
        assert record["content"].startswith(cells)


def test_a_clean_table_has_few_outliers_and_the_threshold_is_a_setting() -> None:
    context = table_context(pd.read_csv(EXAMPLES / "letters_sample.csv"))
    found = Outlier().detect(context)
    assert len(found) <= 0.01 * len(context.frame)
    assert len(Outlier(min_score=1.5).detect(context)) > len(found)


def test_texts_in_another_script_or_of_another_size_are_outliers() -> None:
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv", dtype=str, keep_default_na=False)
    foreign = {
        100: "Привет, как дела? Позвони мне завтра вечером, пожалуйста, очень нужно поговорить",
        400: "明天下午三点在公司门口见面别忘了带上合同和发票谢谢",
        700: " ".join(["Terms and conditions of the service agreement apply"] * 60),
    }
    for row, text in foreign.items():
        frame.loc[row, "text"] = text
    report = databugs.scan(frame, id="message_id", jobs=1, detectors=["outlier"])
    by_row = {issue.row: issue for issue in _kinds(report, "outlier")}
    assert set(foreign) <= set(by_row)
    assert "non-Latin" in by_row[100].message and "non-Latin" in by_row[400].message
    assert "longer" in by_row[700].message


def test_texts_of_another_source_stand_out_by_their_way_of_writing(shared_dataset) -> None:
    # Product reviews among tweets use common words: only how they are written tells them.
    tweets = shared_dataset("text_tweeteval_emotion").sample(990, random_state=0)
    reviews = shared_dataset("text_uci_sentiment_sentences_amazon").sample(10, random_state=0)
    frame = pd.concat([tweets, reviews], ignore_index=True)[["text", "label"]]
    planted = np.arange(990, 1_000)
    features = build_features(frame, exclude=["label"], text=["text"])
    score = outlier_scores(features, frame).score
    assert average_precision_score(np.isin(np.arange(1_000), planted), score) >= 0.5  # was 0.07
    report = databugs.scan(frame, jobs=1, detectors=["outlier"], text=["text"])
    flagged = {issue.row: issue for issue in _kinds(report, "outlier")}
    assert len(set(flagged) & set(planted)) >= 8
    for row in set(flagged) & set(planted):
        unusual = flagged[row].details["unusual"]
        assert unusual and all(trait["text"] in flagged[row].message for trait in unusual)
    styles = [t for row in planted if row in flagged for t in flagged[row].details["unusual"]]
    assert any(
        trait["trait"] == "style" and "of texts as far out" in trait["text"] for trait in styles
    )


def test_rows_of_another_table_scaled_to_this_one_are_found(shared_dataset) -> None:
    # Digits rows, each column z-scored and put on a letters column's mean, sd and decimals:
    # the values fit, the way the columns go together does not.
    letters = pd.read_csv(EXAMPLES / "letters_sample.csv")
    digits = shared_dataset("digits")
    columns = letters.columns.drop("label")
    sources = [digits.columns[(4 * i + 27) % 64] for i in range(len(columns))]
    taken = digits.sample(20, random_state=0)
    planted = letters.sample(20, random_state=1).reset_index(drop=True)
    for column, source in zip(columns, sources, strict=True):
        z = (taken[source] - digits[source].mean()) / digits[source].std()
        scaled = z * letters[column].std() + letters[column].mean()
        planted[column] = scaled.round(0).to_numpy()
    frame = pd.concat([letters, planted], ignore_index=True)
    truth = np.arange(len(frame)) >= len(letters)
    features = build_features(frame, exclude=["label"])
    score = outlier_scores(features, frame).score
    assert average_precision_score(truth, score) >= 0.4  # 0.16 with every kind weighed alike


def test_a_row_with_every_used_column_empty_is_flagged_as_such_and_is_no_ones_neighbour() -> None:
    """An all-empty row was scored as typical values (or told as "its combination of values")
    and was named as the nearest row of a real outlier."""
    from tests.conftest import make_blobs_table

    frame = make_blobs_table(rows=300, seed=0)
    frame.loc[[10, 20], ["weight", "height", "colour"]] = np.nan
    frame.loc[40, ["weight", "height", "colour"]] = [np.nan, np.nan, "  "]  # white space only
    frame["weight"] = frame["weight"].astype(object)
    frame.loc[50, ["weight", "height", "colour"]] = ["n/a", np.nan, "?"]  # placeholders
    frame.loc[30, "weight"] = 1e6
    frame.insert(0, "Unnamed: 0", range(len(frame)))  # pandas' index, written to the CSV
    frame["source"] = "batch1"  # constant: left out too
    found = {issue.row: issue for issue in Outlier().detect(table_context(frame))}
    for row in (10, 20, 40, 50):
        assert found[row].message.startswith("every column the scan uses is empty")
        assert found[row].severity == 1.0 and found[row].suggested_label is None
    assert 30 in found and "weight=1e+06" in found[30].message
    assert not {10, 20, 40, 50} & set(found[30].details["nearest_rows"])
    assert len(found[30].details["nearest_rows"]) == 3
    assert not any(
        issue.message.startswith("every column")
        for row, issue in found.items()
        if row not in (10, 20, 40, 50)
    )


def test_empty_rows_are_no_ones_copies_nor_a_leak_between_splits() -> None:
    """Blank rows of different labels were one group of conflicting duplicates (relabel the
    blank 'spam' rows 'ham'), and a blank training row and a blank test row a leak."""
    from tests.conftest import make_blobs_table

    frame = make_blobs_table(rows=300, seed=0)
    frame.loc[[10, 20, 30, 260], ["weight", "height", "colour"]] = np.nan  # 260: a test row
    frame.loc[[10, 20, 30, 260], "label"] = ["cat", "dog", "bird", "cat"]
    frame.loc[[40, 41], ["weight", "height", "colour"]] = frame.loc[[42, 42]].to_numpy()[:, :3]
    frame.loc[[40, 41, 42], "label"] = ["cat", "cat", "dog"]  # real copies still conflict
    report = databugs.scan(
        frame.assign(part=["train"] * 250 + ["test"] * 50),
        split_col="part",
        detectors=["conflicting_duplicates", "split_leakage", "outlier"],
        jobs=1,
    )
    copies = {i.row for i in _kinds(report, "conflicting_duplicates")}
    assert copies == {40, 41, 42}
    assert not {i.row for i in _kinds(report, "split_leakage")} & {10, 20, 30, 260}
    assert {10, 20, 30, 260} <= {i.row for i in _kinds(report, "outlier")}
