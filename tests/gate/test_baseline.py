"""The baseline: issues matched by row content, so rows that move are not new or fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import databugs.api
from databugs.gate.baseline import compare_reports
from tests.conftest import make_blobs_table


def test_baseline_matches_rows_by_content_when_rows_move(tmp_path: Path) -> None:
    frame = make_blobs_table(rows=300, seed=11)
    frame.loc[[10, 20], "label"] = [
        "dog" if frame.loc[10, "label"] != "dog" else "cat",
        "bird" if frame.loc[20, "label"] != "bird" else "cat",
    ]
    old = databugs.api.scan(frame, jobs=1)
    moved = pd.concat([make_blobs_table(rows=5, seed=99), frame], ignore_index=True)
    moved.loc[105, "label"] = "bird" if moved.loc[105, "label"] != "bird" else "dog"
    new = databugs.api.scan(moved, jobs=1)
    comparison = compare_reports(old.to_dict(), new.to_dict())
    old_rows = {i.row for i in old.issues if i.kind == "label_issue"}
    assert {10, 20} <= old_rows
    assert comparison["new"]["label_issue"] >= 1  # row 100 of the old data, now 105
    assert comparison["fixed"]["label_issue"] == 0  # rows 10 and 20 moved, not fixed
    assert comparison["open"]["label_issue"] == len(old_rows)
    new_rows = [issue["row"] for issue in comparison["new_issues"]]
    assert 105 in new_rows


def test_a_baseline_of_other_data_is_said_in_the_summary_and_report_md(tmp_path: Path) -> None:
    """Only report.json carried the warning: a gate failed on 100 "new" issues with no hint."""
    from tests.conftest import EXAMPLES

    for name in ("sms_sample", "letters_sample"):
        pd.read_csv(EXAMPLES / f"{name}.csv").head(300).to_csv(
            tmp_path / f"{name}.csv", index=False
        )
    result = _against_a_baseline(tmp_path / "sms_sample.csv", tmp_path / "letters_sample.csv")
    said = "the two scans share no column besides the label"
    assert f"baseline warning: {said}" in result.output
    assert f"Warning: {said}" in (tmp_path / "new" / "report.md").read_text()


def test_a_column_added_since_the_baseline_does_not_make_every_finding_new(
    tmp_path: Path,
) -> None:
    """Without an id, rows are matched by a hash of their content: the added column changed
    every hash, and the same 36 label issues were "new" and "fixed" at once."""
    from tests.conftest import EXAMPLES

    frame = pd.read_csv(EXAMPLES / "sms_sample.csv").drop(columns="message_id").head(400)
    frame.to_csv(tmp_path / "before.csv", index=False)
    frame.assign(length=frame["text"].str.len()).to_csv(tmp_path / "after.csv", index=False)
    _against_a_baseline(tmp_path / "before.csv", tmp_path / "after.csv")
    old = json.loads((tmp_path / "old" / "report.json").read_text())
    comparison = json.loads((tmp_path / "new" / "report.json").read_text())["comparison"]
    flagged = sum(issue["kind"] == "label_issue" for issue in old["issues"])
    assert flagged and comparison["open"]["label_issue"] >= flagged - 2
    assert comparison["new"]["label_issue"] <= 2 and comparison["fixed"]["label_issue"] <= 2


def _against_a_baseline(before: Path, after: Path):
    """``after`` scanned into ``new`` with ``before``'s scan (into ``old``) as its baseline."""
    from tests.conftest import run

    folder = before.parent
    run("scan", before, "--out", folder / "old", "--jobs", "1")
    baseline = folder / "old" / "report.json"
    return run(
        "scan",
        after,
        "--out",
        folder / "new",
        "--jobs",
        "1",
        "--baseline",
        baseline,
        "--format",
        "plain",
    )


def _with_copies(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with three rows copied under the other label (conflicting duplicates) and four
    copied as they are (rows of identical content, which share a content hash)."""
    conflicting = frame.iloc[:3].assign(
        label=lambda f: f["label"].map({"ham": "spam", "spam": "ham"})
    )
    return pd.concat([frame, conflicting, frame.iloc[10:14]], ignore_index=True)


def test_a_scan_compared_with_itself_has_every_finding_open_as_the_summary_counts_them() -> None:
    """Identical rows shared one content hash and a group's rows each counted: a report diffed
    with itself said 3 conflicting duplicates and 2 near duplicates open where its summary
    counted 3 and 1, so a gate on ``new_`` counts and the summary disagreed."""
    from tests.conftest import EXAMPLES

    frame = pd.read_csv(EXAMPLES / "sms_sample.csv").drop(columns="message_id").head(400)
    report = databugs.api.scan(_with_copies(frame), jobs=1).to_dict()
    comparison = compare_reports(report, report)
    counts = report["summary"]["counts"]
    assert counts["conflicting_duplicates"] == 3 and counts["label_issue"] > 0
    assert comparison["open"] == counts
    assert sum(comparison["new"].values()) == sum(comparison["fixed"].values()) == 0


def test_a_group_that_gains_a_row_is_the_same_finding() -> None:
    """A spam text copied with a word added and labelled ham makes a group of near copies
    (each row its own content hash); when one more copy joins the group, it is still one open
    finding, not one new and one fixed."""
    from tests.conftest import EXAMPLES

    frame = pd.read_csv(EXAMPLES / "sms_sample.csv").drop(columns="message_id").head(400)
    spam = frame.loc[[(frame["text"].str.len() - 150).abs().idxmin()]]
    assert spam["label"].iat[0] == "spam"
    copies = [
        spam.assign(text=spam["text"] + word, label=label)
        for word, label in ((" now", "ham"), (" today", "spam"))
    ]
    before = pd.concat([frame, copies[0]], ignore_index=True)
    after = pd.concat([before, copies[1]], ignore_index=True)
    old, new = (
        databugs.api.scan(data, jobs=1, detectors=["near_duplicates"]).to_dict()
        for data in (before, after)
    )
    grouped = {i["row"] for i in new["issues"] if i["kind"] == "near_duplicates"}
    assert {400, 401} <= grouped and old["summary"]["counts"]["near_duplicates"] == 1
    comparison = compare_reports(old, new)
    assert comparison["open"]["near_duplicates"] == 1
    assert comparison["new"]["near_duplicates"] == comparison["fixed"]["near_duplicates"] == 0


def test_a_scan_by_id_against_one_by_content_is_warned_about() -> None:
    """Adding --id between two scans made every row finding new and fixed, with no warning."""
    from tests.conftest import EXAMPLES

    frame = pd.read_csv(EXAMPLES / "sms_sample.csv").head(300)
    by_content = databugs.api.scan(frame.drop(columns="message_id"), jobs=1).to_dict()
    by_id = databugs.api.scan(frame, id="message_id", jobs=1).to_dict()
    said = "one scan names rows by --id, the other by their content"
    assert any(said in warning for warning in compare_reports(by_content, by_id)["warnings"])
    assert not compare_reports(by_id, by_id)["warnings"]
    as_numbers = {**by_id, "task": {"kind": "regression"}}
    assert any("the tasks differ" in w for w in compare_reports(by_id, as_numbers)["warnings"])
    edited = {**by_id, "issues": [{**by_id["issues"][0], "group": ["x"]}, *by_id["issues"][1:]]}
    assert compare_reports(edited, by_id)["open"]  # a hand-edited group: no traceback


def _groups_report(groups: list[list[str]]) -> dict:
    """A minimal report whose conflicting_duplicates are ``groups`` of row ids."""
    issues = [
        {"kind": "conflicting_duplicates", "row": row, "key": key, "group": f"g{number}"}
        for number, group in enumerate(groups)
        for row, key in enumerate(group)
    ]
    return {
        "issues": issues,
        "summary": {"counts": {"conflicting_duplicates": len(groups)}},
        "input": {"path": "d.csv", "sha256": "0", "label": "label", "rows": 9, "id": "uid"},
        "features": [{"column": "text"}],
    }


def test_regrouped_duplicates_are_matched_alike_both_ways() -> None:
    """A row moved between groups while a new copy joined the other: taking each new group's
    first shared name, ``diff B A`` said 1 new and 1 fixed where ``diff A B`` said none."""
    before = _groups_report([["e0", "u0"], ["c0", "c1", "u1"]])
    after = _groups_report([["c0", "u0"], ["c1", "u1"]])
    for old, new in ((before, after), (after, before)):
        comparison = compare_reports(old, new)
        assert comparison["open"]["conflicting_duplicates"] == 2
        assert comparison["new"]["conflicting_duplicates"] == 0
        assert comparison["fixed"]["conflicting_duplicates"] == 0
