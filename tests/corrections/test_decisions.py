"""fix --decisions: files from report.html checked, recorded with the reviewer, applied; several
reviewers' conflicts left open and their agreement measured; a bad file refused whole."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from databugs.cli import app
from databugs.corrections.decisions import FILE_COLUMNS
from databugs.corrections.plan import corrections
from databugs.data.ledger import read_ledger
from databugs.review.session import ReviewSession
from tests.conftest import EXAMPLES, runner, scanned_piped_tags, shells_csv
from tests.conftest import scan as run_scan

LEDGER = "databugs-decisions.csv"


@pytest.fixture
def scan(sms_report: Path, tmp_path: Path) -> tuple[Path, dict, list[dict]]:
    """The data (a copy, so that fix writes beside it here) and its scan's flagged rows."""
    data = tmp_path / "sms_sample.csv"
    shutil.copyfile(EXAMPLES / "sms_sample.csv", data)
    report = json.loads((sms_report / "report.json").read_text())
    return data, report, corrections(report)


def _file(path: Path, reviewer: str, lines: list[dict], report: dict) -> Path:
    """A decisions file as report.html writes it."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, FILE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for line in lines:
            writer.writerow(
                {
                    "time": "2026-12-02T05:00:00+00:00",
                    "file": "sms_sample.csv",
                    "reviewer": reviewer,
                    "data_sha256": report["input"]["sha256"],
                    "comment": "",
                    "new_class": "",
                    **line,
                }
            )
    return path


def _line(issue: dict, decision: str, new_label: str | None = None, **more: str) -> dict:
    if new_label is None:
        new_label = issue["suggested_label"] if decision == "accepted" else issue["given_label"]
    return {
        "decision": decision,
        "row": issue["row"],
        "id": issue["id"],
        "old_label": issue["given_label"],
        "new_label": new_label,
        **more,
    }


def _fix(sms_report: Path, data: Path, *args: str):
    base = ["fix", "--report", str(sms_report), "--data", str(data)]
    return runner.invoke(app, [*base, *args])


def _changed(data: Path, output: Path) -> dict[int, str]:
    before = pd.read_csv(data, dtype=str, keep_default_na=False)["label"]
    after = pd.read_csv(output, dtype=str, keep_default_na=False)["label"]
    return {int(row): after[row] for row in before.index[before != after]}


def test_two_reviewers_agreements_applied_conflicts_left_open(sms_report: Path, scan) -> None:
    data, report, flagged = scan
    one, two, three, four = flagged[:4]
    alice = _file(
        data.with_name("decisions-alice.csv"),
        "alice",
        [
            _line(one, "accepted", comment='=HYPERLINK("http://x","y")'),
            _line(two, "accepted"),
            _line(three, "rejected"),
            _line(four, "edited", "scam", new_class="yes"),
        ],
        report,
    )
    bob = _file(
        data.with_name("decisions-bob.csv"),
        "bob",
        [_line(one, "accepted"), _line(two, "rejected"), _line(three, "rejected")],
        report,
    )
    output = data.with_name("out.csv")
    result = _fix(sms_report, data, "--decisions", str(alice), str(bob), "--output", str(output))
    assert result.exit_code == 0, result.output
    # agreed accept and alice's new label (only she decided that row); the split row is left
    assert _changed(data, output) == {one["row"]: one["suggested_label"], four["row"]: "scam"}
    assert f"row {two['row']} (alice" in result.output and "--prefer" in result.output
    ledger = read_ledger(data.with_name(LEDGER))
    assert len(ledger) == 8  # every decision, and the conflict's closing line
    assert sorted(set(ledger["reviewer"])) == ["", "alice", "bob"]
    assert ledger["comment"].iloc[0] == '=HYPERLINK("http://x","y")'  # read back exactly
    assert "'=HYPERLINK" in data.with_name(LEDGER).read_text()  # defused on disk
    last = ledger.drop_duplicates("row", keep="last").set_index("row")["decision"]
    assert last[two["row"]] == "undone"  # the split row stays open for review
    figures = json.loads(data.with_name("sms_sample.csv.reviewer-agreement.json").read_text())
    assert figures["rows_decided_by_two_or_more"] == 3
    assert figures["percent"] == pytest.approx(2 / 3, abs=1e-6)
    assert figures["class_pairs"][0]["examples"] == [two["row"]]
    assert "agree on 67% of 3 rows" in result.output
    session = ReviewSession.open(sms_report, data=data)
    decided = {one["row"], three["row"], four["row"]}
    assert session.done == len(decided)
    assert decided.isdisjoint(issue["row"] for issue in session.queue)
    assert two["row"] in {issue["row"] for issue in session.queue}


def test_prefer_settles_the_rows_reviewers_split_on(sms_report: Path, scan) -> None:
    data, report, flagged = scan
    first = flagged[0]
    alice = _file(data.with_name("a.csv"), "alice", [_line(first, "accepted")], report)
    bob = _file(data.with_name("b.csv"), "bob", [_line(first, "rejected")], report)
    output = data.with_name("out.csv")
    args = ["--decisions", str(alice), "--decisions", str(bob), "--output", str(output)]
    result = _fix(sms_report, data, *args, "--prefer", "alice")
    assert result.exit_code == 0, result.output
    assert _changed(data, output) == {first["row"]: first["suggested_label"]}
    last = read_ledger(data.with_name(LEDGER)).iloc[-1]
    assert (last["reviewer"], last["decision"]) == ("alice", "accepted")
    unknown = _fix(sms_report, data, *args[:4], "--prefer", "carol", "--dry-run")
    assert unknown.exit_code == 2 and "alice, bob" in unknown.output


def _other_data(line: dict) -> dict:
    return {**line, "data_sha256": "0" * 64}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_other_data, "other data"),
        (lambda line: {**line, "row": 5000}, "is not a row of"),
        (lambda line: {**line, "id": "sms-9999"}, "is not a row of"),
        (lambda line: {**line, "decision": "maybe"}, "is not one of"),
        (lambda line: {**line, "decision": "edited", "new_label": "spma"}, "not marked new"),
        (lambda line: {**line, "old_label": "eggs"}, "is labelled"),
        (lambda line: {**line, "reviewer": " "}, "no reviewer"),
    ],
)
def test_a_bad_file_is_refused_whole(sms_report: Path, scan, edit, message: str) -> None:
    data, report, flagged = scan
    good = _file(data.with_name("good.csv"), "alice", [_line(flagged[0], "accepted")], report)
    bad = _file(
        data.with_name("bad.csv"),
        "bob",
        [_line(flagged[1], "accepted"), edit(_line(flagged[2], "accepted"))],
        report,
    )
    result = _fix(sms_report, data, "--decisions", str(good), str(bad))
    assert result.exit_code == 2
    assert message in result.output and "bad.csv" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not data.with_name(LEDGER).exists()
    assert not data.with_name("sms_sample.fixed.csv").exists()


def test_an_output_over_a_decisions_file_is_refused(sms_report: Path, scan) -> None:
    """``--output`` named like a reviewer's decisions file (or through a link to it) wrote the
    corrected data over it: the reviewer's file lost."""
    data, report, flagged = scan
    alice = _file(data.with_name("a.csv"), "alice", [_line(flagged[0], "accepted")], report)
    bob = _file(data.with_name("b.csv"), "bob", [_line(flagged[0], "accepted")], report)
    link = data.with_name("link.csv")
    link.symlink_to(alice.name)
    kept = alice.read_bytes(), bob.read_bytes()
    cases = (([alice], alice, ()), ([alice, bob], bob, ()), ([link], alice, ("--dry-run",)))
    for files, output, dry in cases:  # a dry run says so too (it said "would apply")
        named = ["--decisions", *map(str, files), "--output", str(output), *dry]
        result = _fix(sms_report, data, *named)
        assert result.exit_code == 2 and "a decisions file" in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
    assert (alice.read_bytes(), bob.read_bytes()) == kept
    assert not data.with_name(LEDGER).exists()


@pytest.mark.parametrize(
    "text",
    ["time,file\nnot,a decisions file\n", 'decision,row,old_label,new_label\n"accepted,3\n', ""],
)
def test_hand_edited_nonsense_is_refused(sms_report: Path, scan, text: str) -> None:
    data, _, _ = scan
    bad = data.with_name("decisions-x.csv")
    bad.write_text(text)
    result = _fix(sms_report, data, "--decisions", str(bad))
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "decisions-x.csv" in result.output
    assert not data.with_name(LEDGER).exists()


def test_decisions_and_accept_options_exclude_each_other(sms_report: Path, scan) -> None:
    data, report, flagged = scan
    alice = _file(data.with_name("a.csv"), "alice", [_line(flagged[0], "accepted")], report)
    result = _fix(sms_report, data, "--decisions", str(alice), "--accept-top", "3")
    assert result.exit_code == 2 and "--decisions" in result.output
    assert _fix(sms_report, data, "--prefer", "alice").exit_code == 2


@pytest.fixture(scope="module")
def tag_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """A multi-label scan of tags written ``vowel | straight`` (the separator ``|``)."""
    data, out, _, _ = scanned_piped_tags(tmp_path_factory.mktemp("tag_decisions"))
    return data, out, json.loads((out / "report.json").read_text())


def test_decisions_on_tag_sets_are_applied_in_the_columns_form(tag_scan, tmp_path) -> None:
    """An accepted tag set was refused as 'not a class of this data', so no decisions file of
    a multi-label scan could be applied; a typed one is written like the column's cells."""
    data, out, report = tag_scan
    flagged = [issue for issue in corrections(report) if issue["suggested_label"]]
    accepted, edited = flagged[0], flagged[1]
    lines = [_line(accepted, "accepted", file="tags.csv")]
    lines.append(_line(edited, "edited", "vowel|curved", file="tags.csv"))
    good = _file(tmp_path / "decisions-ann.csv", "ann", lines, report)
    output = tmp_path / "fixed.csv"
    base = ["fix", "--report", str(out), "--data", str(data), "--output", str(output)]
    bad_tag = _line(edited, "edited", "vowel|curvd", file="tags.csv")
    bad = _file(tmp_path / "decisions-bob.csv", "bob", [bad_tag], report)
    refused = runner.invoke(app, [*base, "--decisions", str(bad)])
    assert refused.exit_code == 2 and "'curvd' is not a tag of this data" in refused.output
    assert not output.exists() and not data.with_name(LEDGER).exists()
    result = runner.invoke(app, [*base, "--decisions", str(good)])
    assert result.exit_code == 0, result.output
    before = pd.read_csv(data, keep_default_na=False)["tags"]
    after = pd.read_csv(output, keep_default_na=False)["tags"]
    assert after[accepted["row"]] == accepted["suggested_label"]
    assert set(after[edited["row"]].split(" | ")) == {"vowel", "curved"}
    assert " | " in after[edited["row"]]  # the column's own spacing, not the typed "|"
    assert (before != after).sum() == 2


def test_decisions_on_a_numeric_target_take_numbers_only(tmp_path: Path) -> None:
    """A number was 'not a class of this data'; one the page marked new went in unchecked."""
    data = shells_csv(tmp_path)
    out = tmp_path / "r"
    run_scan(data, out, "--label", "rings", "--task", "regression", "-q")
    report = json.loads((out / "report.json").read_text())
    first, second = corrections(report)[:2]
    base = ["fix", "--report", str(out), "--output", str(tmp_path / "fixed.csv")]
    for typed, said in [("abc", "'abc' is not a number"), ("12.5", "not a whole number")]:
        line = _line(second, "edited", typed, file="shells.csv", new_class="yes")
        bad = _file(tmp_path / "decisions-bob.csv", "bob", [line], report)
        refused = runner.invoke(app, [*base, "--decisions", str(bad)])
        assert refused.exit_code == 2 and said in refused.output, refused.output
        assert not (tmp_path / "fixed.csv").exists()
    lines = [_line(first, "accepted", file="shells.csv")]
    lines.append(_line(second, "edited", "13.0", file="shells.csv"))
    good = _file(tmp_path / "decisions-ann.csv", "ann", lines, report)
    result = runner.invoke(app, [*base, "--decisions", str(good)])
    assert result.exit_code == 0, result.output
    fixed = pd.read_csv(tmp_path / "fixed.csv", dtype=str)["rings"]
    assert fixed[first["row"]] == first["suggested_label"] and fixed[second["row"]] == "13"
