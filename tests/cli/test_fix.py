"""databugs fix as a user runs it: corrections to a copy or in place, the ledger, refusals."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from databugs.cli import app
from databugs.text import count
from tests.conftest import EXAMPLES, run, runner, scan


def test_scan_then_fix_round_trip(blobs_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    scan(blobs_csv, out)
    issues = pd.read_csv(out / "issues.csv", keep_default_na=False)
    issues = issues[issues["kind"] == "label_issue"]
    top = issues.head(3)
    original = blobs_csv.read_bytes()

    dry = run("fix", "--report", out, "--accept-top", "3", "--dry-run")
    assert dry.exit_code == 0 and "would write" in dry.output
    lines = dry.output.splitlines()  # piped: plain, tab-separated lines, no drawn table
    assert lines[1] == "decision\trow\tid\told_label\tnew_label"
    assert sorted(int(line.split("\t")[1]) for line in lines[2:]) == sorted(top["row"])
    assert not any(char in dry.output for char in "┃━│─┏")
    assert not (tmp_path / "animals.fixed.csv").exists()

    rejected_row = int(issues["row"].iat[3])
    result = run("fix", "--report", out, "--accept-top", "3", "--reject", str(rejected_row))
    assert result.exit_code == 0, result.output
    assert blobs_csv.read_bytes() == original  # the input is never modified
    before = pd.read_csv(blobs_csv, dtype=str, keep_default_na=False)
    after = pd.read_csv(tmp_path / "animals.fixed.csv", dtype=str, keep_default_na=False)
    changed = before.index[(before != after).any(axis=1)].tolist()
    assert changed == sorted(top["row"].astype(int).tolist())
    assert after.loc[top["row"].astype(int), "label"].tolist() == top["suggested_label"].tolist()
    assert (before.drop(columns="label") == after.drop(columns="label")).all().all()

    ledger = pd.read_csv(tmp_path / "databugs-decisions.csv", keep_default_na=False)
    assert sorted(ledger["decision"]) == ["accepted"] * 3 + ["rejected"]

    rescan = scan(blobs_csv, tmp_path / "r2")
    again = pd.read_csv(tmp_path / "r2" / "corrected_labels.csv")
    assert not again.loc[rejected_row, "is_label_issue"]
    assert "rejected in databugs-decisions.csv" in rescan.output


def test_fix_refuses_changed_data(blobs_csv: Path, tmp_path: Path) -> None:
    scan(blobs_csv, tmp_path / "r")
    blobs_csv.write_text(blobs_csv.read_text() + "1,1,red,cat\n")
    result = run("fix", "--report", tmp_path / "r", "--accept-top", "2")
    assert result.exit_code == 2
    assert "changed since the scan" in result.output
    assert not (tmp_path / "animals.fixed.csv").exists()


def test_fix_in_place_keeps_the_original(tmp_path: Path, blobs_csv: Path) -> None:
    parquet = tmp_path / "animals.parquet"
    pd.read_csv(blobs_csv).to_parquet(parquet)
    scan(parquet, tmp_path / "r")
    original = parquet.read_bytes()
    result = run("fix", "--report", tmp_path / "r", "--min-quality", "0.2", "--in-place")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "animals.orig.parquet").read_bytes() == original
    fixed = pd.read_parquet(parquet)
    assert fixed.dtypes.equals(pd.read_parquet(tmp_path / "animals.orig.parquet").dtypes)


def test_fix_by_id(tmp_path: Path, blobs_csv: Path) -> None:
    frame = pd.read_csv(blobs_csv)
    frame.insert(0, "animal_id", [f"a{i}" for i in range(len(frame))])
    path = tmp_path / "ids.csv"
    frame.to_csv(path, index=False)
    scan(path, tmp_path / "r", "--id", "animal_id")
    issues = pd.read_csv(tmp_path / "r" / "issues.csv", dtype=str, keep_default_na=False)
    issues = issues[issues["kind"] == "label_issue"]
    first = issues["id"].iat[0]
    assert first == f"a{issues['row'].iat[0]}"
    result = run("fix", "--report", tmp_path / "r", "--accept", first)
    assert result.exit_code == 0, result.output
    assert "1 correction accepted" in result.output
    bad = run("fix", "--report", tmp_path / "r", "--accept", "a99999")
    assert bad.exit_code == 2 and "id a99999 has no suggested correction" in bad.output
    row = issues["row"].iat[0]
    by_position = run("fix", "--report", tmp_path / "r", "--accept", row)
    assert by_position.exit_code == 2
    assert f"row {row} is id {first}: name it {first}" in by_position.output


def test_a_row_with_two_suggestions_is_one_decision_that_says_so(tmp_path: Path) -> None:
    """A spam spelling variant ('Spam ') on a plain ham message: the spelling fix says 'spam',
    the model 'ham'. Accepting takes the model's label (it fixes both) and says so."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv")
    spam, ham = frame.index[frame["label"] == "spam"], frame.index[frame["label"] == "ham"]
    frame.loc[spam[:30], "label"] = "Spam "
    frame.loc[ham[:3], "label"] = "Spam "
    path = tmp_path / "sms.csv"
    frame.to_csv(path, index=False)
    scan(path, tmp_path / "r")
    result = run("fix", "--report", tmp_path / "r", "--accept", ham[0])
    assert result.exit_code == 0, result.output
    assert (
        f"note: row {ham[0]}: took 'ham' (label_issue); also suggested 'spam' (label_spelling)"
        in (result.output)
    )
    fixed = pd.read_csv(tmp_path / "sms.fixed.csv")
    assert fixed.loc[ham[0], "label"] == "ham"
    assert (fixed["label"] != frame["label"]).sum() == 1


def _flip(frame: pd.DataFrame, row: int) -> None:
    frame.loc[row, "label"] = "bird" if frame.loc[row, "label"] != "bird" else "cat"


def test_fix_with_a_white_space_line_in_the_csv(tmp_path: Path, blobs) -> None:
    _flip(blobs, 150)
    lines = blobs.to_csv(index=False).splitlines()
    lines.insert(3, "   ")  # pandas skips it; fix must count rows the same way
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n")
    scan(path, tmp_path / "r")
    result = run("fix", "--report", tmp_path / "r", "--accept", "150")
    assert result.exit_code == 0, result.output
    before = path.read_text().splitlines()
    after = (tmp_path / "d.fixed.csv").read_text().splitlines()
    assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [152]


def test_a_rejected_duplicate_is_not_proposed_again_and_ledgers_are_per_file(
    tmp_path: Path, blobs
) -> None:
    copy = blobs.iloc[[7]].assign(label="bird" if blobs.at[7, "label"] != "bird" else "cat")
    frame = pd.concat([blobs, copy], ignore_index=True)  # row 300 conflicts with row 7
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    frame.to_csv(tmp_path / "other.csv", index=False)
    scan(path, tmp_path / "r")
    assert run("fix", "--report", tmp_path / "r", "--reject", "300").exit_code == 0
    scan(path, tmp_path / "r2")
    again = pd.read_csv(tmp_path / "r2" / "corrected_labels.csv")
    assert not again.loc[300, "is_label_issue"]
    scan(tmp_path / "other.csv", tmp_path / "r3")  # same folder, other file: still flagged
    other = pd.read_csv(tmp_path / "r3" / "corrected_labels.csv")
    assert other.loc[300, "is_label_issue"]


def test_reject_removes_rows_from_the_top_and_in_place_keeps_the_first_original(
    tmp_path: Path, blobs_csv: Path
) -> None:
    original = blobs_csv.read_bytes()
    scan(blobs_csv, tmp_path / "r")
    issues = pd.read_csv(tmp_path / "r" / "issues.csv", keep_default_na=False)
    second = issues["row"].iat[1]
    result = run(
        "fix", "--report", tmp_path / "r", "--accept-top", "3", "--reject", second, "--in-place"
    )
    assert result.exit_code == 0 and "2 corrections accepted, 1 rejected" in result.output
    assert (blobs_csv.with_name("animals.orig.csv")).read_bytes() == original
    assert oct(blobs_csv.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    scan(blobs_csv, tmp_path / "r2")
    again = run("fix", "--report", tmp_path / "r2", "--accept-top", "1", "--in-place")
    assert again.exit_code == 0, again.output
    assert (blobs_csv.with_name("animals.orig.csv")).read_bytes() == original


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_fix_refuses_an_output_of_another_format(tmp_path: Path, blobs_csv: Path) -> None:
    scan(blobs_csv, tmp_path / "r")
    result = run(
        "fix", "--report", tmp_path / "r", "--accept-top", "1", "--output", tmp_path / "x.parquet"
    )
    assert result.exit_code == 2 and "keeps the format" in result.output


def test_options_that_name_nothing_or_no_quality_are_refused(
    tmp_path: Path, blobs_csv: Path
) -> None:
    """``--accept ,,`` named no row and so applied every decision in the ledger instead;
    ``--min-quality 2`` accepted every flagged row, ``nan`` none: each is an error now."""
    scan(blobs_csv, tmp_path / "r")
    run("fix", "--report", tmp_path / "r", "--reject", "3")  # a decision in the ledger
    for options, says in (
        (["--accept", ",,"], "--accept ',,' names no row"),
        (["--accept-cluster", " "], "--accept-cluster ' ' names no cluster"),
        (["--min-quality", "2"], "--min-quality 2.0 is outside 0 to 1"),
        (["--min-quality", "nan"], "--min-quality nan is outside 0 to 1"),
    ):
        result = run("fix", "--report", tmp_path / "r", *options)
        assert result.exit_code == 2 and says in result.output, result.output
    assert not list(tmp_path.glob("*.fixed.csv"))


def test_fix_accepts_the_consensus_where_it_overrules_the_label(
    annotated_csv: Path, tmp_path: Path
) -> None:
    data = pd.read_csv(annotated_csv, dtype=str, keep_default_na=False)
    wrong = [4, 9, 30]  # all three annotators say otherwise
    for row in wrong:
        data.loc[row, "label"] = "cat" if data.loc[row, "ann_a"] != "cat" else "dog"
        data.loc[row, ["ann_a", "ann_b", "ann_c"]] = data.loc[row, "ann_a"]
    path = tmp_path / "relabelled.csv"
    data.to_csv(path, index=False)
    out = tmp_path / "out"
    scanned = runner.invoke(
        app, ["scan", str(path), "--annotators", "ann_a,ann_b,ann_c", "--out", str(out)]
    )
    assert scanned.exit_code == 0, scanned.output
    fixed = runner.invoke(app, ["fix", "--report", str(out), "--accept-consensus"])
    assert fixed.exit_code == 0, fixed.output
    result = pd.read_csv(tmp_path / "relabelled.fixed.csv", dtype=str, keep_default_na=False)
    changed = sorted(np.flatnonzero(result["label"] != data["label"]).tolist())
    assert set(wrong) <= set(changed)
    assert (result.loc[wrong, "label"] == data.loc[wrong, "ann_a"]).all()
    assert len(changed) < 10  # only rows whose consensus differs from their label


def test_fix_accepts_a_whole_cluster(sms_report: Path, tmp_path: Path) -> None:
    data = tmp_path / "sms.csv"
    shutil.copy(EXAMPLES / "sms_sample.csv", data)
    out = tmp_path / "report"
    assert (
        runner.invoke(
            app, ["scan", str(data), "--id", "message_id", "--out", str(out), "-q", "--jobs", "1"]
        ).exit_code
        == 0
    )
    content = json.loads((out / "report.json").read_text())
    cluster = content["clusters"][1]
    result = runner.invoke(app, ["fix", "--report", str(out), "--accept-cluster", cluster["id"]])
    assert result.exit_code == 0, result.output
    assert f"{count(cluster['rows'], 'correction')} accepted" in result.output
    before = pd.read_csv(data, dtype=str)
    after = pd.read_csv(tmp_path / "sms.fixed.csv", dtype=str)
    changed = (before["label"] != after["label"]).to_numpy().nonzero()[0].tolist()
    members = [i["row"] for i in content["issues"] if i["cluster"] == cluster["id"]]
    assert sorted(changed) == sorted(members)
    assert (after.loc[changed, "label"] == cluster["suggested_label"]).all()
    unknown = runner.invoke(app, ["fix", "--report", str(out), "--accept-cluster", "c999"])
    assert unknown.exit_code == 2 and "--accept-cluster c999: no such cluster" in unknown.output


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_boolean_labels_are_written_true_false_and_fixed_as_booleans(
    tmp_path: Path, suffix: str
) -> None:
    """The SMS sample with its label as a boolean ``is_spam``: the outputs spell it as the
    jsonl file does (``true``, not Python's ``True``), and fix writes a boolean back."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv")
    frame["is_spam"] = frame.pop("label") == "spam"
    data = tmp_path / f"sms{suffix}"
    if suffix == ".jsonl":
        frame.to_json(data, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(data)
    out = tmp_path / "r"
    scan(data, out, "--label", "is_spam", "--id", "message_id")
    corrected = pd.read_csv(out / "corrected_labels.csv", dtype=str, keep_default_na=False)
    assert set(corrected["given_label"]) == {"true", "false"}
    assert set(corrected["suggested_label"]) == {"true", "false"}
    issues = pd.read_csv(out / "issues.csv", dtype=str, keep_default_na=False)
    flagged = issues[issues["kind"] == "label_issue"]
    assert len(flagged) and set(flagged["given_label"]) <= {"true", "false"}
    row = int(flagged["row"].iloc[0])
    assert run("fix", "--report", out, "--accept", flagged["id"].iloc[0]).exit_code == 0
    fixed = tmp_path / f"sms.fixed{suffix}"
    written = (
        pd.read_json(fixed, lines=True, dtype=False)
        if suffix == ".jsonl"
        else pd.read_parquet(fixed)
    )
    assert written["is_spam"].dtype == bool  # a boolean, not the text 'true'
    assert written.loc[row, "is_spam"] == (flagged["suggested_label"].iloc[0] == "true")
    assert (written["is_spam"] != frame["is_spam"]).sum() == 1
