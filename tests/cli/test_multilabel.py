"""A multi-label scan from the command line: tags chosen automatically and said so, the flags
in every output, and fix writing the suggested tags in the column's own form."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import databugs
from databugs.models.multilabel import ROW_SCORES
from tests.conftest import run, scanned_piped_tags, tagged_letters


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """Tags written with a spaced separator (``vowel | straight``), kept so by fix."""
    return scanned_piped_tags(tmp_path_factory.mktemp("tags"))


def test_the_scan_says_it_is_multilabel_and_flags_the_noisy_rows(scanned):
    _, out, noisy_rows, result = scanned
    assert "task: multilabel" in result.output
    assert " rows, 4 tags, label health " in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["task"]["kind"] == "multilabel"
    assert report["summary"]["row_score"] in ROW_SCORES
    assert f"({report['summary']['row_score']}: it found one-tag flips" in report["notes"][0]
    assert "tag sets are ranked by their least believed tag" in (out / "report.md").read_text()
    assert [c["label"] for c in report["classes"]] == ["curved", "straight", "symmetric", "vowel"]
    flags = {r["row"] for r in report["issues"] if r["kind"] == "tag_issue"}
    assert len(flags & set(noisy_rows.tolist())) >= 0.5 * len(noisy_rows)
    rows = pd.read_csv(out / "corrected_labels.csv", keep_default_na=False)
    changed = rows[rows["is_label_issue"]]
    assert len(changed) and (changed["suggested_label"] != changed["given_label"]).all()


def test_fix_writes_the_tags_as_the_column_writes_them(scanned, tmp_path):
    data, out, _, _ = scanned
    result = run("fix", "--report", out, "--accept-top", "5", "--output", tmp_path / "fixed.csv")
    assert result.exit_code == 0, result.output
    before = pd.read_csv(data, keep_default_na=False)["tags"]
    after = pd.read_csv(tmp_path / "fixed.csv", keep_default_na=False)["tags"]
    changed = after[before != after]
    assert 1 <= len(changed) <= 5
    assert all(" | " in cell or "|" not in cell for cell in changed)
    for row in changed.index:
        given, fixed = set(before[row].split(" | ")), set(after[row].split(" | "))
        assert len(given ^ fixed) == 1  # one tag added or removed


def test_the_page_plots_tag_frequencies_and_their_co_occurrence_in_flags(scanned):
    _, out, _, _ = scanned
    page = (out / "report.html").read_text()
    assert "Tag frequencies" in page and "Flagged rows: tags given together" in page
    assert "Flagged rows: given -&gt; suggested" not in page and "given -> suggested" not in page


def test_a_flag_without_a_sure_correction_says_so_in_the_summary(scanned):
    _, out, _, _ = scanned
    from databugs.render.terminal import render_plain
    from databugs.report.report import Report

    content = json.loads((out / "report.json").read_text())
    flagged = next(r for r in content["issues"] if r["kind"] == "tag_issue")
    for record in content["issues"]:
        if record is flagged:
            record["suggested_label"] = None
    outputs = {"report.html": "r/report.html", "report.md": "r/report.md"}
    text = render_plain(Report.from_dict(content), outputs)
    line = next(line for line in text.splitlines() if f"row {flagged['row']}:" in line)
    assert "(no sure correction)" in line and "->" not in line


def test_review_takes_a_typed_tag_set_and_fix_writes_it_like_the_column(scanned, tmp_path):
    """``e`` took one class only: every tag set typed was 'not a class of this data'."""
    data, out, _, _ = scanned
    copy = tmp_path / "tags.csv"  # the ledger goes beside the data: keep it out of the others'
    shutil.copyfile(data, copy)
    review = ["review", "--report", str(out), "--data", str(copy)]
    typed = "e\nvowl\ne\nvowel|curved\ne\n2 | +wavy\nq\n"
    result = subprocess.run(
        [sys.executable, "-m", "databugs.cli", *review],
        input=typed,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "'vowl' is not a tag of this data" in " ".join(result.stdout.split())
    ledger = pd.read_csv(copy.with_name("databugs-decisions.csv"), keep_default_na=False)
    assert ledger["decision"].tolist() == ["edited", "edited"]
    typed_sets = [set(cell.split(" | ")) for cell in ledger["new_label"]]
    assert typed_sets == [{"vowel", "curved"}, {"straight", "wavy"}]  # 2: the second tag
    fixed = run("fix", "--report", out, "--data", copy, "--output", tmp_path / "fixed.csv")
    assert fixed.exit_code == 0, fixed.output
    after = pd.read_csv(tmp_path / "fixed.csv", keep_default_na=False)["tags"]
    assert after[ledger["row"]].tolist() == ledger["new_label"].tolist()


def test_the_ci_gate_on_new_label_issues_counts_new_tag_issues(scanned, tmp_path):
    """``new_label_issues>0``, the README's gate against a baseline, read the ``label_issue``
    kind only, which a multi-label scan never has: it measured 0 and passed whatever was new."""
    out = scanned[1]
    frame, _ = tagged_letters(rows=600, seed=1)  # the same rows, tags flipped on other rows
    frame["tags"] = frame["tags"].str.replace(";", " | ")
    changed = tmp_path / "tags.csv"
    frame.to_csv(changed, index=False)
    rules = "new_label_issues>0,fixed_label_issues<0"
    result = run(
        "scan", changed, "--out", tmp_path / "out", "--label", "tags", "--label-sep", "|",
        "--model", "extra-trees", "--jobs", "1", "--baseline", out / "report.json",
        "--fail-on", rules,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    comparison = report["comparison"]
    new, fixed = comparison["new"]["tag_issue"], comparison["fixed"]["tag_issue"]
    assert new > 0 and fixed > 0
    measured = [r["measured"] for r in report["gate"]["rules"]]
    assert measured == [new, fixed]


def test_row_detectors_run_on_a_multilabel_scan(tmp_path):
    """Leakage, outliers and mixed columns are about rows, not classes: a multi-label scan ran
    none of them and reported 0, so ``split_leakage>0`` passed copies of test rows in train."""
    frame, _ = tagged_letters(rows=600)
    frame["x.box"] = frame["x.box"].astype(str)
    frame.loc[frame.index[:10], "x.box"] = "unknown"
    train, test = frame.iloc[:480].copy(), frame.iloc[480:].reset_index(drop=True)
    train.iloc[:4] = test.iloc[:4].to_numpy()  # four test rows copied into train
    train.iloc[100, 1:16] = 999.0  # a broken record
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    result = run(
        "scan", tmp_path / "train.csv", "--test", tmp_path / "test.csv", "--label", "tags",
        "--out", tmp_path / "out", "--jobs", "1", "--fail-on", "split_leakage>0",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    counts = report["summary"]["counts"]
    assert counts["split_leakage"] >= 4 and counts["mixed_types"] == 1
    outliers = {i["row"] for i in report["issues"] if i["kind"] == "outlier"}
    assert 100 in outliers


def test_a_column_empty_in_one_tags_rows_and_moved_tag_shares_are_found() -> None:
    """empty_cells and split_shift compare groups of rows: in a multi-label scan the rows
    carrying each tag (they read class indices, which a tag set has not)."""
    frame, _ = tagged_letters(rows=600)
    rng = np.random.default_rng(0)
    vowel = frame["tags"].str.contains("vowel").to_numpy()
    frame["onpix"] = frame["onpix"].astype(object)
    frame.loc[rng.random(len(frame)) < np.where(vowel, 0.7, 0.02), "onpix"] = "?"
    test = np.where(rng.random(len(frame)) < np.where(vowel, 0.7, 0.15), "test", "train")
    report = databugs.scan(
        frame.assign(split=test), label="tags", split_col="split",
        detectors=["empty_cells", "split_shift"],
    )  # fmt: skip
    (empty,) = [i for i in report.issues if i.kind == "empty_cells"]
    assert empty.details["tied_class"] == "vowel" and empty.details["p_value"] < 1e-6
    assert "'vowel' rows" in empty.message
    (shares,) = [i for i in report.issues if i.kind == "split_shift" and "shares" in i.details]
    assert shares.message.startswith("tag shares differ between train and test")
    assert (
        shares.details["shares"]["test"]["vowel"] > 2 * shares.details["shares"]["train"]["vowel"]
    )
