"""The report as a notebook and a Python caller use it: a short repr, the HTML view, the issues
as a DataFrame, corrections applied to a copy, every file written from Python."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import databugs
from tests.conftest import EXAMPLES, make_blobs_table


@pytest.fixture(scope="module")
def sms() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "sms_sample.csv")


@pytest.fixture(scope="module")
def report(sms: pd.DataFrame) -> databugs.Report:
    return databugs.scan(sms, label="label", id="message_id", jobs=1)


def test_repr_is_one_short_line(report: databugs.Report) -> None:
    shown = repr(report)
    assert "\n" not in shown and len(shown) < 300
    flags = report.summary["counts"]["label_issue"]
    assert f"label_issue {flags}" in shown and "1,000 rows" in shown
    assert "near_duplicates 0" not in shown  # kinds with nothing found are left out


def test_html_view_shows_the_summary_and_worst_labels_escaped(report: databugs.Report) -> None:
    page = report._repr_html_()
    assert "label health" in page and "<script" not in page
    worst = report.worst_labels(10)
    assert all(f"<td>{w['row']}</td>" in page for w in worst)
    assert page.count("<tr>") == len(worst) + 1  # header + the 10 worst


def test_html_view_escapes_data(tmp_path: Path) -> None:
    table = make_blobs_table(200)
    table.loc[table["label"] == "cat", "label"] = "<img src=x onerror=alert(1)>"
    table.loc[:5, "label"] = "dog"  # some wrong labels, so that the worst-labels table has rows
    page = databugs.scan(table, label="label", jobs=1)._repr_html_()
    assert "<img" not in page and "&lt;img src=x" in page


def test_issues_frame_merges_with_the_data_by_row(
    report: databugs.Report, sms: pd.DataFrame
) -> None:
    issues = report.issues_frame()
    assert len(issues) == len(report.records) and list(issues["rank"]) == sorted(issues["rank"])
    flagged = issues[issues["kind"] == "label_issue"]
    labelled = flagged.merge(sms, left_on="row", right_index=True, suffixes=("", "_data"))
    assert (labelled["given_label"] == labelled["label"]).all()
    assert (labelled["id"] == labelled["message_id"]).all()


def test_corrected_applies_the_chosen_corrections_to_a_copy(
    report: databugs.Report, sms: pd.DataFrame
) -> None:
    before = sms.copy()
    corrections = report.corrections()
    top = report.corrected(sms, top=5)
    changed = np.flatnonzero(top["label"].to_numpy() != sms["label"].to_numpy())
    assert sorted(changed) == sorted(c["row"] for c in corrections[:5])
    assert all(top.at[c["row"], "label"] == c["suggested_label"] for c in corrections[:5])
    everything = report.corrected(sms)
    assert (everything["label"] != sms["label"]).sum() == len(corrections)
    pd.testing.assert_frame_equal(sms, before)  # the caller's data is untouched
    one = corrections[3]["row"]
    assert (report.corrected(sms, rows=[one])["label"] != sms["label"]).sum() == 1


def test_corrected_keeps_number_labels_numbers() -> None:
    table = make_blobs_table(300)
    table["label"] = table["label"].map({"cat": 0, "dog": 1, "bird": 2})
    table.loc[[3, 40, 77], "label"] = (table.loc[[3, 40, 77], "label"] + 1) % 3
    report = databugs.scan(table, label="label", jobs=1)
    corrected = report.corrected(table)
    assert corrected["label"].dtype == table["label"].dtype
    assert {3, 40, 77} <= set(np.flatnonzero(corrected["label"] != table["label"]))


def test_corrected_refuses_other_data_and_unknown_rows(
    report: databugs.Report, sms: pd.DataFrame
) -> None:
    with pytest.raises(databugs.DatabugsError, match="not the scanned data"):
        report.corrected(sms.iloc[:-1])
    first = report.corrections()[0]["row"]
    swapped = sms.copy()
    swapped.loc[first, "label"] = report.corrections()[0]["suggested_label"]
    with pytest.raises(databugs.DatabugsError, match="not the scanned data"):
        report.corrected(swapped)
    unflagged = next(
        r for r in range(len(sms)) if r not in {c["row"] for c in report.corrections()}
    )
    with pytest.raises(databugs.DatabugsError, match=f"row {unflagged} has no suggested"):
        report.corrected(sms, rows=[unflagged])


def test_save_writes_what_scan_writes(report: databugs.Report, tmp_path: Path) -> None:
    written = report.save(tmp_path / "out")
    assert sorted(written) == sorted(
        [
            "report.json",
            "report.md",
            "report.html",
            "issues.csv",
            "corrected_labels.csv",
            "timings.json",
        ]
    )
    content = json.loads((tmp_path / "out" / "report.json").read_text())
    assert content == json.loads(json.dumps(report.to_dict()))
    again = databugs.Report.from_dict(content)
    assert sorted(again.save(tmp_path / "again")) == ["report.html", "report.json", "report.md"]
    assert (tmp_path / "again" / "report.md").read_text() == (
        tmp_path / "out" / "report.md"
    ).read_text()


def test_the_example_notebook_runs_and_shows_the_report(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    shutil.copy(EXAMPLES / "sms_sample.csv", tmp_path)
    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=300, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    results = [o for c in notebook.cells for o in c.get("outputs", [])]
    results = [o["data"] for o in results if o["output_type"] == "execute_result"]
    shown = results[0]  # (a stream before it may hold tqdm's "IProgress not found")
    assert "text/html" in shown and "label health" in shown["text/html"]
    assert shown["text/plain"].startswith("<databugs.Report")
    assert results[2]["text/plain"] == "20"
    assert (tmp_path / "databugs-report" / "report.html").exists()


def test_issues_frame_joins_a_split_frame_by_position_not_by_index_label(
    sms: pd.DataFrame,
) -> None:
    """After a shuffle the index labels are no positions: merging on them paired every issue
    with another row."""
    shuffled = sms.sample(frac=0.7, random_state=0)
    report = databugs.scan(shuffled, label="label", id="message_id", jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas 3.1 deprecated the join it used
        issues = report.issues_frame(shuffled)
    rows = issues[issues["row"].notna()]
    assert len(rows) and (rows["id"] == rows["message_id"]).all()
    assert (rows["index"].to_numpy() == shuffled.index[rows["row"].astype(int)]).all()
    assert issues.loc[issues["row"].isna(), "message_id"].isna().all()


def test_corrected_writes_a_regressions_new_values_as_numbers() -> None:
    """A regression's suggested values were written as text into the float column (its mean
    then raised a TypeError)."""
    frame = pd.read_csv(EXAMPLES / "letters_sample.csv").drop(columns="label").head(600)
    frame["width"] = frame["width"].astype(float)
    frame.loc[[5, 50, 150, 300], "width"] += 12.0  # four values far off
    report = databugs.scan(frame, label="width", task="regression", jobs=1)
    fixed = report.corrected(frame)
    assert fixed["width"].dtype == float and (fixed["width"] != frame["width"]).sum() >= 2
    assert abs(fixed["width"].mean() - frame["width"].mean()) < 1
