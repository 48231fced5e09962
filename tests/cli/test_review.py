"""databugs review as a person uses it: a real pseudo-terminal, then fix from the ledger."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pexpect
import pytest

from databugs.cli import app
from databugs.review.terminal import KEYS
from tests.conftest import EXAMPLES, runner, scan, shells_csv


@pytest.fixture
def scanned(tmp_path: Path, blobs_csv: Path) -> tuple[Path, pd.DataFrame]:
    result = runner.invoke(app, ["scan", str(blobs_csv), "--out", str(tmp_path / "r"), "-q"])
    assert result.exit_code == 0, result.output
    issues = pd.read_csv(tmp_path / "r" / "issues.csv", keep_default_na=False)
    return blobs_csv, issues[issues["kind"] == "label_issue"].reset_index(drop=True)


def _ledger(data: Path) -> pd.DataFrame:
    return pd.read_csv(data.with_name("databugs-decisions.csv"), keep_default_na=False)


def test_review_in_a_real_terminal_then_fix(tmp_path: Path, scanned) -> None:
    data, issues = scanned
    assert len(issues) >= 5
    command = f"{sys.executable} -m databugs.cli review --report {tmp_path / 'r'}"
    child = pexpect.spawn(
        command, cwd=str(tmp_path), encoding="utf-8", timeout=60, dimensions=(24, 80)
    )
    child.expect(r"1 / \d+")
    child.send("a")  # accept row 1
    child.expect(r"2 / \d+")
    child.send("a")  # accept row 2
    child.expect(r"3 / \d+")
    child.send("r")  # reject row 3
    child.expect(r"4 / \d+")
    child.send("e")  # edit row 4
    child.expect("label")
    child.sendline("cat" if issues["given_label"][3] != "cat" else "dog")
    child.expect(r"5 / \d+")
    child.send("u")  # undo the edit
    child.expect("undid row")
    child.expect(r"4 / \d+")
    child.send("q")
    child.expect(r"3 of \d+ decided")
    child.expect(pexpect.EOF)

    ledger = _ledger(data)
    assert ledger["decision"].tolist() == ["accepted", "accepted", "rejected", "edited", "undone"]

    resumed = pexpect.spawn(command, cwd=str(tmp_path), encoding="utf-8", timeout=60)
    resumed.expect(r"4 / \d+")  # resumes at the row whose edit was undone
    resumed.expect(f"row {issues['row'][3]}")
    resumed.send("e")
    resumed.expect("label")
    edited = "bird" if issues["given_label"][3] != "bird" else "cat"
    resumed.sendline(edited)
    resumed.expect(r"5 / \d+")
    resumed.send("q")
    resumed.expect(pexpect.EOF)

    result = runner.invoke(app, ["fix", "--report", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert "applied 3 corrections from the review; wrote " in result.output  # not "0 rejected"
    before = pd.read_csv(data, dtype=str, keep_default_na=False)
    after = pd.read_csv(data.with_name("animals.fixed.csv"), dtype=str, keep_default_na=False)
    changed = before.index[(before != after).any(axis=1)].tolist()
    assert changed == sorted(int(r) for r in issues["row"][[0, 1, 3]])
    assert after.at[int(issues["row"][0]), "label"] == issues["suggested_label"][0]
    assert after.at[int(issues["row"][3]), "label"] == edited
    assert after.at[int(issues["row"][2]), "label"] == issues["given_label"][2]  # rejected


def test_review_from_a_pipe(tmp_path: Path, scanned) -> None:
    data, issues = scanned
    result = subprocess.run(
        [sys.executable, "-m", "databugs.cli", "review", "--report", str(tmp_path / "r")],
        input="a\nr\nq\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "2 of" in result.stdout
    ledger = _ledger(data)
    assert ledger["decision"].tolist() == ["accepted", "rejected"]
    assert ledger["row"].tolist() == [int(issues["row"][0]), int(issues["row"][1])]


def _places(report: Path, keys: str, total: int) -> list[int]:
    """The position of each row ``databugs review`` showed, fed ``keys``."""
    result = subprocess.run(
        [sys.executable, "-m", "databugs.cli", "review", "--report", str(report)],
        input=keys,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    return [int(line.split()[0]) for line in lines if f" / {total} " in line]


def test_skipping_moves_the_position_on_and_wraps_to_the_skipped_rows(
    tmp_path: Path, scanned
) -> None:
    """Every skipped row was shown as ``1 / N``: the header counted decisions, not places."""
    data, issues = scanned
    total = len(issues)
    assert total >= 3
    keys = "s\ns\na\n" + "s\n" * (total - 3) + "s\nq\n"
    # skip, skip, accept, skip the rest: the skipped first two come round again at 2 and 3
    assert _places(tmp_path / "r", keys, total) == [1, 2, 3, *range(4, total + 1), 2, 3]
    data.with_name("databugs-decisions.csv").unlink()
    keys = "s\n" + "a\n" * (total - 1) + "u\nq\n"  # skip one, decide the rest, undo
    # the skipped row, left alone, is the last place (it read total + 1); the undone row, first
    assert _places(tmp_path / "r", keys, total) == [*range(1, total + 1), total, total - 1]


def test_cluster_accepts_a_group_at_once(tmp_path: Path, scanned) -> None:
    data, _ = scanned
    content = json.loads((tmp_path / "r" / "report.json").read_text())
    flagged = [i for i in content["issues"] if i["kind"] == "label_issue"]
    same = pd.DataFrame([i for i in flagged if i["cluster"] == flagged[0]["cluster"]])
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "databugs.cli",
            "review",
            "--report",
            str(tmp_path / "r"),
            "--kind",
            "label_issue",
        ],
        input="c\na\nq\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"{len(same)} rows accepted" in result.stdout
    assert sorted(_ledger(data)["row"]) == sorted(int(r) for r in same["row"])


def test_review_refuses_changed_data(tmp_path: Path, scanned) -> None:
    data, _ = scanned
    data.write_text(data.read_text() + "1,1,red,cat\n")
    result = runner.invoke(app, ["review", "--report", str(tmp_path / "r")])
    assert result.exit_code == 2 and "changed since the scan" in result.output


def test_an_unknown_edited_label_is_refused_unless_marked_new(tmp_path: Path, scanned) -> None:
    data, _ = scanned
    command = [sys.executable, "-m", "databugs.cli", "review", "--report", str(tmp_path / "r")]
    typo = subprocess.run(command, input="e\ndgo\nq\n", capture_output=True, text=True, check=False)
    assert "'dgo' is not a class of this data" in typo.stdout
    hostile = "e\n+\x1b[31mfox\nq\n"
    escape = subprocess.run(command, input=hostile, capture_output=True, text=True, check=False)
    assert "cannot hold control characters" in escape.stdout and "\x1b" not in escape.stdout
    assert not data.with_name("databugs-decisions.csv").exists()
    new = subprocess.run(command, input="e\n+fox\nq\n", capture_output=True, text=True, check=False)
    assert new.returncode == 0
    assert _ledger(data)["new_label"].tolist() == ["fox"]


def test_unknown_filters_are_errors(tmp_path: Path, scanned) -> None:
    result = runner.invoke(app, ["review", "--report", str(tmp_path / "r"), "--kind", "nosuch"])
    assert result.exit_code == 2 and "--kind 'nosuch' is not in the scan" in result.output
    # a kind the class scan did not look for: said so, not "all done"
    result = runner.invoke(app, ["review", "--report", str(tmp_path / "r"), "--kind", "tag_issue"])
    assert result.exit_code == 2 and "--kind 'tag_issue' is not in the scan" in result.output
    assert "label_issue" in result.output and "rare_tag" not in result.output


def test_decisions_follow_ids_when_rows_move(tmp_path: Path, blobs) -> None:
    blobs.insert(0, "animal_id", [f"a{i}" for i in range(len(blobs))])
    for row in (10, 20, 30, 40, 50, 60):
        blobs.loc[row, "label"] = "bird" if blobs.loc[row, "label"] != "bird" else "cat"
    path = tmp_path / "ids.csv"
    blobs.to_csv(path, index=False)
    scan = ["scan", str(path), "--id", "animal_id", "--out", str(tmp_path / "r"), "-q"]
    assert runner.invoke(app, scan).exit_code == 0
    review = [sys.executable, "-m", "databugs.cli", "review", "--report", str(tmp_path / "r")]
    subprocess.run(review, input="a\nq\n", capture_output=True, text=True, check=True)
    decided = _ledger(path)["id"].iat[0]
    moved = pd.concat([blobs.iloc[[5]].assign(animal_id="new"), blobs], ignore_index=True)
    moved.to_csv(path, index=False)  # every row moves down by one
    assert runner.invoke(app, scan).exit_code == 0
    result = runner.invoke(app, ["fix", "--report", str(tmp_path / "r")])
    assert result.exit_code == 0 and "applied 1 correction from the review" in result.output
    fixed = pd.read_csv(path.with_name("ids.fixed.csv"), dtype=str, keep_default_na=False)
    before = pd.read_csv(path, dtype=str, keep_default_na=False)
    changed = fixed.loc[(fixed != before).any(axis=1), "animal_id"].tolist()
    assert changed == [decided]


def test_fix_in_bulk_keeps_what_the_review_rejected(tmp_path: Path, scanned) -> None:
    """--accept-top used to take a suggestion the reviewer had just rejected, and the ledger
    then said both; a row named with --accept still takes it."""
    data, issues = scanned
    review = [sys.executable, "-m", "databugs.cli", "review", "--report", str(tmp_path / "r")]
    subprocess.run(review, input="r\nq\n", capture_output=True, text=True, check=True)
    rejected = int(issues["row"][0])
    result = runner.invoke(app, ["fix", "--report", str(tmp_path / "r"), "--accept-top", "3"])
    assert result.exit_code == 0, result.output
    assert "2 corrections accepted" in result.output
    assert f"left 1 row as decided in review (rejected or relabelled): {rejected};" in (
        result.output
    )
    before = pd.read_csv(data, dtype=str, keep_default_na=False)
    after = pd.read_csv(data.with_name("animals.fixed.csv"), dtype=str, keep_default_na=False)
    assert before.loc[rejected, "label"] == after.loc[rejected, "label"]
    named = runner.invoke(
        app,
        [
            "fix",
            "--report",
            str(tmp_path / "r"),
            "--accept",
            str(rejected),
            "--output",
            str(tmp_path / "named.csv"),
        ],
    )
    assert named.exit_code == 0, named.output
    assert pd.read_csv(tmp_path / "named.csv")["label"][rejected] == issues["suggested_label"][0]


def test_an_edited_regression_value_must_be_a_number_like_the_columns(tmp_path: Path) -> None:
    """'abc' and, in a column of whole numbers, '12.5' were recorded and then written into the
    file (as text in JSONL; Parquet refused only at fix, the decision already kept)."""
    data = shells_csv(tmp_path)
    scan(data, tmp_path / "r", "--label", "rings", "--task", "regression")
    command = [sys.executable, "-m", "databugs.cli", "review", "--report", str(tmp_path / "r")]
    typed = "e\n12.5\ne\nabc\ne\n+12.0\nq\n"
    result = subprocess.run(command, input=typed, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    said = " ".join(result.stdout.split())
    assert "'12.5' is not a whole number: column 'rings' holds whole numbers" in said
    assert "'abc' is not a number: column 'rings' holds numbers" in said
    assert _ledger(data)["new_label"].astype(str).tolist() == ["12"]  # written as the column is


def test_a_class_named_like_a_number_is_itself(tmp_path: Path, blobs_csv: Path) -> None:
    """Classes 0, 1, 2: typing 2 gave the second class listed (1), not the class 2."""
    frame = pd.read_csv(blobs_csv)
    frame["label"] = frame["label"].map({"cat": 0, "dog": 1, "bird": 2})
    data = tmp_path / "numbered.csv"
    frame.to_csv(data, index=False)
    scan(data, tmp_path / "r", "--task", "classification")
    command = [sys.executable, "-m", "databugs.cli", "review", "--report", str(tmp_path / "r")]
    result = subprocess.run(command, input="e\n2\nq\n", capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _ledger(data)["new_label"].astype(str).tolist() == ["2"]


def test_edit_lists_the_rows_own_classes_when_all_would_fill_the_screen(tmp_path: Path) -> None:
    """26 letters named in words took 14 lines on ``e`` (banking77's 77 intents took 35): now
    the row's given, suggested and likeliest classes are listed, each with its number in the
    whole list, and ``?`` lists them all; a number still picks from the whole list."""
    frame = pd.read_csv(EXAMPLES / "letters_sample.csv").head(800)
    frame["label"] = "handwritten capital letter " + frame["label"]
    data = tmp_path / "letters.csv"
    frame.to_csv(data, index=False)
    scan(data, tmp_path / "r", "--model", "extra-trees")
    issues = pd.read_csv(tmp_path / "r" / "issues.csv", keep_default_na=False)
    first = issues[issues["kind"] == "label_issue"].iloc[0]
    classes = sorted(frame["label"].unique())
    command = [sys.executable, "-m", "databugs.cli", "review", "--report", str(tmp_path / "r")]
    typed = "e\n?\n1\nq\n"
    result = subprocess.run(command, input=typed, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    said = " ".join(result.stdout.split())  # rich folds lines at 80 columns
    shown, listed = said.split(" ".join(KEYS.split()), 1)[1].split("? lists all", 1)
    for label in (first["given_label"], first["suggested_label"]):
        assert f"{classes.index(label) + 1}:{label}" in shown
    assert shown.count(":handwritten capital letter") <= 7
    assert all(f"{n}:{label}" in listed for n, label in enumerate(classes, 1))
    assert _ledger(data)["new_label"].tolist() == [classes[0]]
