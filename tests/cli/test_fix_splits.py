"""databugs fix, review and a rescan of a scan with a test file (``--test``) and of one with a
split column: each row's correction lands in its own file, every other byte stays."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from databugs.corrections import apply
from databugs.data.ledger import read_ledger
from databugs.review.session import ReviewSession
from databugs.review.terminal import show
from tests.conftest import (
    FAST,
    LETTER_TAGS,
    PLANTED,
    SHARED,
    letter_tag_columns,
    planted_letters,
    run,
    scanned_two_files,
)
from tests.conftest import scan as full_scan


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """train.csv (450 rows) and test.csv (250), scanned together into ``out``."""
    return scanned_two_files(tmp_path)


def _flagged(out: Path) -> pd.DataFrame:
    issues = pd.read_csv(out / "issues.csv", dtype=str, keep_default_na=False)
    return issues[(issues["kind"] == "label_issue") & (issues["suggested_label"] != "")]


def _changed_lines(before: bytes, after: bytes) -> dict[int, tuple[str, str]]:
    """Data row -> (old line, new line) where the bytes differ; the files must have as many."""
    old, new = before.split(b"\n"), after.split(b"\n")
    assert len(old) == len(new)
    return {
        number - 1: (a.decode(), b.decode())
        for number, (a, b) in enumerate(zip(old, new, strict=True))
        if a != b
    }


def _only_label_changed(lines: dict[int, tuple[str, str]], labels: dict[int, str]) -> None:
    """Each changed line differs from the original in its label (the first field) alone."""
    assert set(lines) == set(labels)
    for row, (old, new) in lines.items():
        assert new.split(",", 1) == [labels[row], old.split(",", 1)[1]]


def test_each_file_gets_exactly_its_own_rows_corrected(two_files) -> None:
    train, test, out = two_files
    flagged = _flagged(out)
    in_train = flagged[flagged["split"] == "train"].head(3)
    in_test = flagged[flagged["split"] == "test"].head(3)
    assert len(in_train) == 3 and len(in_test) == 3
    accepted = [*in_train["row"][:2], *in_test["row"][:2]]
    rejected = [in_train["row"].iat[2], in_test["row"].iat[2]]
    before = train.read_bytes(), test.read_bytes()
    result = run(
        "fix", "--report", out, "--accept", ",".join(accepted), "--reject", ",".join(rejected)
    )
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "train.fixed.csv" in result.output
    assert (train.read_bytes(), test.read_bytes()) == before  # the inputs are never touched
    for path, part, data in ((train, in_train, before[0]), (test, in_test, before[1])):
        fixed = path.with_name(f"{path.stem}.fixed.csv").read_bytes()
        taken = part.head(2)
        wanted = dict(zip(taken["file_row"].astype(int), taken["suggested_label"], strict=True))
        _only_label_changed(_changed_lines(data, fixed), wanted)
    ledger = read_ledger(train.with_name("databugs-decisions.csv"))
    lines = set(zip(ledger["file"], ledger["decision"], ledger["row"].astype(int), strict=True))
    assert lines == {
        *(("train.csv", "accepted", int(r)) for r in in_train["file_row"][:2]),
        *(("test.csv", "accepted", int(r)) for r in in_test["file_row"][:2]),
        ("train.csv", "rejected", int(in_train["file_row"].iat[2])),
        ("test.csv", "rejected", int(in_test["file_row"].iat[2])),
    }
    again = full_scan(train, out.with_name("again"), "--test", str(test), *FAST)
    rows = pd.read_csv(out.with_name("again") / "corrected_labels.csv", keep_default_na=False)
    assert not rows.loc[rows["row"] == int(in_test["row"].iat[2]), "is_label_issue"].any()
    assert "rejected in databugs-decisions.csv" in again.output


def test_accept_top_writes_every_correction_into_its_own_file(two_files) -> None:
    train, test, out = two_files
    flagged = _flagged(out)
    result = run("fix", "--report", out, "--accept-top", str(len(flagged)))
    assert result.exit_code == 0, result.output
    for path, split in ((train, "train"), (test, "test")):
        before = pd.read_csv(path, dtype=str, keep_default_na=False)
        after = pd.read_csv(path.with_name(f"{path.stem}.fixed.csv"), dtype=str)
        changed = set(before.index[before["label"] != after["label"]])
        mine = flagged[flagged["split"] == split]
        assert changed == set(mine["file_row"].astype(int)), split
        assert set(PLANTED[split]) & changed, split  # planted noise of this file fixed in it
        assert (before.drop(columns="label") == after.drop(columns="label")).all().all()


def test_in_place_replaces_each_file_and_keeps_each_original(two_files) -> None:
    train, test, out = two_files
    flagged = _flagged(out)
    in_test = flagged[flagged["split"] == "test"]["file_row"].iat[0]
    one_each = [flagged[flagged["split"] == "train"]["row"].iat[0], f"test:{in_test}"]
    before = train.read_bytes(), test.read_bytes()
    result = run("fix", "--report", out, "--accept", ",".join(one_each), "--in-place")
    assert result.exit_code == 0, result.output
    assert train.with_name("train.orig.csv").read_bytes() == before[0]
    assert test.with_name("test.orig.csv").read_bytes() == before[1]
    assert len(_changed_lines(before[0], train.read_bytes())) == 1
    assert list(_changed_lines(before[1], test.read_bytes())) == [int(in_test)]
    assert b"\r\n" in test.read_bytes()  # its own line endings kept
    assert not list(train.parent.glob(".*databugs-tmp*"))
    assert not list(train.parent.glob("*.fixed.csv"))


def test_in_place_puts_the_first_file_back_when_replacing_the_second_fails(
    two_files, monkeypatch
) -> None:
    train, test, out = two_files
    flagged = _flagged(out)
    one_each = [flagged[flagged["split"] == split]["row"].iat[0] for split in ("train", "test")]
    before = train.read_bytes(), test.read_bytes()
    real_write = apply.write_bytes_atomically

    def failing_on_test(path: Path, payload: bytes, **how: bool) -> None:
        if path == test:
            raise OSError(28, "No space left on device", str(path))
        real_write(path, payload, **how)

    monkeypatch.setattr(apply, "write_bytes_atomically", failing_on_test)
    result = run("fix", "--report", out, "--accept", ",".join(one_each), "--in-place")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{test}: cannot write (No space left on device)" in result.output
    assert (
        train.read_bytes(),
        test.read_bytes(),
    ) == before  # train.csv was replaced, then put back
    assert train.with_name("train.orig.csv").read_bytes() == before[0]
    ledger = train.parent / "databugs-decisions.csv"
    assert not ledger.exists() or read_ledger(ledger).empty  # no decision about a restored row
    assert not list(train.parent.glob(".*databugs-tmp*")) and not list(
        train.parent.glob(".*pending*")
    )
    monkeypatch.undo()
    result = run("fix", "--report", out, "--accept", ",".join(one_each), "--in-place")
    assert result.exit_code == 0, result.output
    assert len(_changed_lines(before[0], train.read_bytes())) == 1
    assert len(_changed_lines(before[1], test.read_bytes())) == 1
    assert len(read_ledger(ledger)) == 2


def test_a_changed_test_file_refuses_the_fix_before_anything_is_written(two_files) -> None:
    train, test, out = two_files
    test.write_bytes(test.read_bytes() + b"A,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1\r\n")
    before = _files(train.parent)
    train_bytes = train.read_bytes()
    for extra in ((), ("--in-place",)):
        result = run("fix", "--report", out, "--accept-top", "10", *extra)
        assert result.exit_code == 2
        assert f"{test}: changed since the scan" in result.output
        assert "\n" not in result.output.strip()
    assert train.read_bytes() == train_bytes
    assert _files(train.parent) == before  # no copy, no ledger, no pending note


def _files(folder: Path) -> list[str]:
    """The files in a folder but databugs' lock sidecars (which stay, by design)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".databugs.lock"))


def test_no_output_is_written_onto_an_input(tmp_path: Path) -> None:
    frame = planted_letters()
    train, test = tmp_path / "data.csv", tmp_path / "data.fixed.csv"  # train's copy's name
    frame.iloc[:450].to_csv(train, index=False)
    frame.iloc[450:].to_csv(test, index=False)
    full_scan(train, tmp_path / "out", "--test", str(test), *FAST)
    before = test.read_bytes()
    result = run("fix", "--report", tmp_path / "out", "--accept-top", "5")
    assert result.exit_code == 2
    assert f"{test}: is the test data; databugs does not write over it" in result.output
    assert test.read_bytes() == before
    assert not (tmp_path / "databugs-decisions.csv").exists()
    folder = run("fix", "--report", tmp_path / "out", "--accept-top", "5", "--output", train)
    assert folder.exit_code == 2 and "names the folder" in folder.output
    elsewhere = tmp_path / "fixed"
    done = run("fix", "--report", tmp_path / "out", "--accept-top", "5", "--output", elsewhere)
    assert done.exit_code == 0, done.output
    assert {p.name for p in elsewhere.iterdir()} == {"data.fixed.csv", "data.fixed.fixed.csv"}


def test_review_decisions_go_to_each_file_and_fix_applies_them(two_files) -> None:
    train, test, out = two_files
    session = ReviewSession.open(out)
    report = json.loads((out / "report.json").read_text())
    in_test = next(i for i in session.queue if i["split"] == "test")
    session.queue.remove(in_test)
    session.queue.insert(0, in_test)
    session.decide("accepted")
    session.decide("rejected")
    assert ReviewSession.open(out).done == 2  # a new session resumes after both
    result = run("fix", "--report", out)
    assert result.exit_code == 0, result.output
    fixed = pd.read_csv(test.with_name("test.fixed.csv"), dtype=str, keep_default_na=False)
    assert fixed.at[in_test["file_row"], "label"] == in_test["suggested_label"]
    ledger = read_ledger(train.with_name("databugs-decisions.csv"))
    assert (ledger["file"].iat[0], int(ledger["row"].iat[0])) == ("test.csv", in_test["file_row"])
    assert report["input"]["split_sha256"][1] != report["input"]["split_sha256"][0]


def test_rows_are_named_as_they_are_found_in_their_own_file(two_files) -> None:
    """A test row is shown as ``test:7`` (its row in test.csv, what ``--accept`` takes), not
    by its place in the joined scan, in the terminal, report.md, the page and ``review``."""
    train, test, out = two_files
    result = run("scan", train, "--test", test, "--out", out, "--format", "plain", *FAST)
    first_line, worst = result.output.splitlines()[0], result.output.split("  #1 row ")[1]
    assert first_line.startswith(f"{train} + {test}: 700 rows (450 train, 250 test)")
    issues = pd.read_csv(out / "issues.csv", dtype=str, keep_default_na=False)
    label_flags = issues[issues["kind"] == "label_issue"]
    top = label_flags.iloc[0]
    assert worst.startswith(f"{top['split']}:{top['file_row']}: ")
    in_test = label_flags[label_flags["split"] == "test"].iloc[0]
    name = f"test:{in_test['file_row']}"
    assert int(in_test["row"]) >= 450 and f"| {name} |" in (out / "report.md").read_text()
    page_data = json.loads(
        (out / "report.html").read_text().split('id="issue-data">')[1].split("</script>")[0]
    )
    names = {row[page_data["columns"].index("row_name")] for row in page_data["issues"]}
    assert name in names and str(in_test["row"]) not in names
    session = ReviewSession.open(out)
    console = Console(record=True, width=80)
    show(console, session, next(i for i in session.queue if i["split"] == "test"))
    assert " row test:" in console.export_text()


def test_a_split_column_scan_is_fixed_in_its_one_file(tmp_path: Path) -> None:
    frame = planted_letters()
    frame.insert(1, "split", ["train"] * 450 + ["test"] * 250)
    data = tmp_path / "all.csv"
    frame.to_csv(data, index=False)
    full_scan(data, tmp_path / "out", "--split-col", "split", *FAST)
    flagged = _flagged(tmp_path / "out")
    picked = [flagged[flagged["split"] == s].iloc[0] for s in ("train", "test")]
    rows = ",".join(issue["row"] for issue in picked)
    before = data.read_bytes()
    result = run("fix", "--report", tmp_path / "out", "--accept", rows)
    assert result.exit_code == 0, result.output
    wanted = {int(issue["row"]): issue["suggested_label"] for issue in picked}
    lines = _changed_lines(before, (tmp_path / "all.fixed.csv").read_bytes())
    _only_label_changed(lines, wanted)  # the split column, like every other byte, kept


def _two_file_fix(tmp_path: Path, frame: pd.DataFrame, *scan_options: str) -> dict[str, dict]:
    """Scan ``frame`` written as train.csv (its first 400 rows) and test.csv, fix the top 10;
    each file's changed rows (file row -> {column: (old, new)}), every other byte the same."""
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    frame.iloc[:400].to_csv(train, index=False)
    frame.iloc[400:].to_csv(test, index=False)
    full_scan(train, tmp_path / "out", "--test", str(test), "--folds", "3", *scan_options)
    before = {path: path.read_bytes() for path in (train, test)}
    result = run("fix", "--report", tmp_path / "out", "--accept-top", "10")
    assert result.exit_code == 0, result.output
    changed = {}
    for path, raw in before.items():
        lines = _changed_lines(raw, path.with_name(f"{path.stem}.fixed.csv").read_bytes())
        header = raw.split(b"\n", 1)[0].decode().split(",")
        changed[path.stem] = {
            row: {
                name: (a, b)
                for name, a, b in zip(header, old.split(","), new.split(","), strict=True)
                if a != b
            }
            for row, (old, new) in lines.items()
        }
    return changed


def test_a_two_file_regression_fix_writes_numbers_like_the_column(tmp_path: Path) -> None:
    path = SHARED / "reg_pmlb_wine_quality_red_numeric.parquet"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    frame = pd.read_parquet(path).head(700)
    planted = [5, 90, 300, 420, 610]
    frame.loc[planted, "label"] += 4
    changed = _two_file_fix(tmp_path, frame, "--task", "regression")
    rows = [r for part in changed.values() for r in part.values()]
    flagged = json.loads((tmp_path / "out" / "report.json").read_text())["summary"]["label_issues"]
    assert len(rows) == min(10, flagged)  # each accepted correction written, once
    assert all(set(cells) == {"label"} for cells in rows)
    assert all(new.endswith(".0") for cells in rows for _, new in cells.values())  # as written
    found = {row for row in changed["train"]} | {400 + row for row in changed["test"]}
    assert found >= set(planted)


def test_a_two_file_fix_of_tag_columns_writes_only_flipped_cells(tmp_path: Path) -> None:
    frame, _ = letter_tag_columns()
    frame["vowel"] = (frame["vowel"] == "true").astype(int)
    tags = list(LETTER_TAGS)
    changed = _two_file_fix(tmp_path, frame, "--labels", ",".join(tags))
    rows = [cells for part in changed.values() for cells in part.values()]
    assert rows and all(set(cells) <= set(tags) for cells in rows)
    assert all({a, b} == {"0", "1"} for cells in rows for a, b in cells.values())
