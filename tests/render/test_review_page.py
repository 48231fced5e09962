"""Review in the browser, end to end: decide in report.html by keyboard and mouse, reload,
download the decisions, apply them with fix --decisions (Playwright driving Chromium)."""

from __future__ import annotations

import copy
import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from databugs.cli import app
from databugs.corrections.plan import corrections
from databugs.data.ledger import read_ledger
from databugs.render import html
from databugs.render.review import review_data
from databugs.report.report import Report
from tests.conftest import (
    EXAMPLES,
    runner,
    scan,
    scanned_piped_tags,
    scanned_two_files,
    shells_csv,
)

sync_api = pytest.importorskip("playwright.sync_api")
ATTACK = '"><img src=x onerror="window.pwned=1">'
FORMULA = '=HYPERLINK("http://x","y")'
ROWS = "els => els.map(e => Number(e.dataset.row))"


def _open(browser, page_path: Path, reviewer: str = "Dr Ada"):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.dialogs = []
    page.errors = []

    def answer(dialog) -> None:
        page.dialogs.append(dialog.type)
        dialog.accept(reviewer) if dialog.type == "prompt" else dialog.dismiss()

    page.on("dialog", answer)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(page_path.as_uri())
    return context, page


def _progress(page) -> str:
    return page.text_content("#review-progress")


def test_decide_reload_download_then_fix(browser, sms_report: Path, tmp_path: Path) -> None:
    report = json.loads((sms_report / "report.json").read_text())
    flagged = corrections(report)
    context, page = _open(browser, sms_report / "report.html")
    assert _progress(page) == f"0 of {len(flagged)} decided"
    order = list(dict.fromkeys(page.eval_on_selector_all("#issue-table tr[data-row]", ROWS)))
    for key in "jaar":  # accept, accept, reject: each moves on
        page.keyboard.press(key)
    page.keyboard.press("e")  # another label: a new one, on purpose
    page.keyboard.press("End")
    page.keyboard.type("-1")
    page.keyboard.press("Enter")
    for key in "jak":  # on, accept, back
        page.keyboard.press(key)
    page.keyboard.press("c")
    page.keyboard.type(FORMULA)
    page.keyboard.press("Enter")
    keyed = ["accepted", "accepted", "rejected", "edited", "accepted"]
    by_keys = dict(zip(order[:5], keyed, strict=True))
    decided = page.evaluate("window.databugsPage.review.decisions()")
    assert {int(row): d["decision"] for row, d in decided.items()} == by_keys
    cluster = next(
        c["id"]
        for c in report["clusters"]
        if not {i["row"] for i in flagged if i["cluster"] == c["id"]} & set(by_keys)
    )
    members = [i["row"] for i in flagged if i["cluster"] == cluster]
    page.click(f'#clusters [data-cluster="{cluster}"] >> text=accept the undecided')
    total = 5 + len(members)
    assert _progress(page) == f"{total} of {len(flagged)} decided"
    page.reload()
    assert _progress(page) == f"{total} of {len(flagged)} decided"  # kept in the browser
    assert page.text_content(f'#issue-table tr[data-row="{order[3]}"] .rv-status').startswith(
        "relabelled \u2192 -1"
    )
    with page.expect_download() as download:
        page.click("#download-decisions")
    assert download.value.suggested_filename == "decisions-Dr_Ada.csv"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert page.dialogs == ["prompt"] and page.errors == []
    context.close()
    cells = list(csv.DictReader(saved.open(newline="", encoding="utf-8")))
    assert {c["new_label"] for c in cells if c["decision"] == "edited"} == {"-1"}  # not mangled
    assert [c["comment"] for c in cells if c["comment"]] == ["'" + FORMULA]  # defused
    accepted = {int(row): flagged_label for row, flagged_label in _taken(cells).items()}
    data = tmp_path / "sms_sample.csv"
    shutil.copyfile(EXAMPLES / "sms_sample.csv", data)
    output = tmp_path / "out.csv"
    fix = ["fix", "--report", str(sms_report), "--data", str(data), "--output", str(output)]
    result = runner.invoke(app, [*fix, "--decisions", str(saved)])
    assert result.exit_code == 0, result.output
    before = pd.read_csv(data, dtype=str, keep_default_na=False)["label"]
    after = pd.read_csv(output, dtype=str, keep_default_na=False)["label"]
    assert {int(r): after[r] for r in before.index[before != after]} == accepted
    ledger = read_ledger(data.with_name("databugs-decisions.csv"))
    assert len(ledger) == total and set(ledger["reviewer"]) == {"Dr Ada"}
    assert FORMULA in set(ledger["comment"])


def _taken(cells: list[dict[str, str]]) -> dict[str, str]:
    """The rows a decisions file relabels, with their new labels."""
    return {c["row"]: c["new_label"] for c in cells if c["decision"] in ("accepted", "edited")}


def test_hostile_labels_and_text_stay_text(browser, sms_report: Path, tmp_path: Path) -> None:
    content = copy.deepcopy(json.loads((sms_report / "report.json").read_text()))
    content["classes"][0]["label"] = ATTACK
    for issue in content["issues"]:
        if issue["row"] is not None:
            issue["id"] = ATTACK
            issue["content"] = ATTACK
    page_path = tmp_path / "report.html"
    page_path.write_text(html.render(Report.from_dict(content)), encoding="utf-8")
    context, page = _open(browser, page_path, reviewer=ATTACK)
    page.keyboard.press("j")
    page.keyboard.press("e")
    options = page.eval_on_selector_all(".rv-picker option", "els => els.map(e => e.textContent)")
    assert ATTACK in options
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    with page.expect_download() as download:
        page.click("#download-decisions")
    saved = tmp_path / "decisions.csv"
    download.value.save_as(saved)
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.querySelectorAll('main img').length") == 0
    assert page.errors == []
    context.close()
    cells = list(csv.DictReader(saved.open(newline="", encoding="utf-8")))
    assert [(c["id"], c["reviewer"]) for c in cells] == [(ATTACK, ATTACK)]


def test_decisions_name_each_row_by_its_own_file(browser, tmp_path: Path) -> None:
    """With a test file, the downloaded decisions say ``test.csv`` row 7, not joined row 457,
    and fix --decisions applies each to its own file."""
    train, test, out = scanned_two_files(tmp_path)
    report = json.loads((out / "report.json").read_text())
    flagged = corrections(report)
    context, page = _open(browser, out / "report.html")
    page.keyboard.press("j")  # the first row of the table
    for _ in report["issues"]:  # accept every row, one after the other
        page.keyboard.press("a")
    decided = page.evaluate("window.databugsPage.review.decisions()")
    left = [i for i in flagged if str(i["row"]) not in decided]
    assert _progress(page) == f"{len(flagged)} of {len(flagged)} decided", left
    with page.expect_download() as download:
        page.click("#download-decisions")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    context.close()
    cells = list(csv.DictReader(saved.open(newline="", encoding="utf-8")))
    own = {(i["split"] + ".csv", str(i["file_row"])) for i in flagged}
    assert {(c["file"], c["row"]) for c in cells} == own
    assert {c["file"] for c in cells} == {"train.csv", "test.csv"}
    result = runner.invoke(app, ["fix", "--report", str(out), "--decisions", str(saved)])
    assert result.exit_code == 0, result.output
    for path, split in ((train, "train"), (test, "test")):
        fixed = pd.read_csv(path.with_name(f"{split}.fixed.csv"), dtype=str)
        for issue in (i for i in flagged if i["split"] == split):
            assert fixed.at[issue["file_row"], "label"] == issue["suggested_label"]
    ledger = read_ledger(test.with_name("databugs-decisions.csv"))
    assert len(ledger) == len(flagged) and set(ledger["reviewer"]) == {"Dr Ada"}


def test_decisions_are_kept_per_proposed_corrections(sms_report: Path) -> None:
    """The page keys a reviewer's decisions by a digest of what is decided on: the same scan
    (or one that only gated differently) resumes them, other suggestions start afresh."""
    content = json.loads((sms_report / "report.json").read_text())
    digest = _review_digest(content)
    rule = {"rule": "label_issue>0", "measured": 3, "passed": False}
    regated = {**copy.deepcopy(content), "gate": {"passed": False, "rules": [rule]}}
    assert _review_digest(regated) == digest
    changed = copy.deepcopy(content)
    flagged = next(i for i in changed["issues"] if i["kind"] == "label_issue")
    flagged["suggested_label"] = flagged["given_label"] + " (other)"
    assert _review_digest(changed) != digest


def _review_digest(content: dict) -> str:
    report = Report.from_dict(content)
    return review_data(report, report.corrections())["digest"]


def test_tags_and_numbers_are_typed_in_full_and_fix_takes_them(browser, tmp_path: Path) -> None:
    """The page offered single tags (and for a numeric target only "a new label"), so another
    tag set could not be given, and any text went out marked new."""
    _, out, _, _ = scanned_piped_tags(tmp_path)
    context, page = _open(browser, out / "report.html")
    page.keyboard.press("j")
    row = page.evaluate(
        "Number(document.querySelector('#issue-table tr[data-selected]').dataset.row)"
    )
    issue = next(
        i for i in corrections(json.loads((out / "report.json").read_text())) if i["row"] == row
    )
    page.keyboard.press("e")
    field = page.locator(".rv-editor input")
    assert field.input_value() == (issue["suggested_label"] or issue["given_label"])
    assert page.text_content(".rv-editor .rv-hint") == (
        "tags, joined by |: curved, straight, symmetric, vowel"
    )
    field.fill("vowel||curved")
    page.keyboard.press("Enter")
    assert "an empty tag" in page.text_content("#review-bar .rv-message")
    field.fill("vowel|curved")
    page.keyboard.press("Enter")
    with page.expect_download() as download:
        page.click("#download-decisions")
    saved = tmp_path / "decisions.csv"
    download.value.save_as(saved)
    assert page.errors == []
    context.close()
    cells = list(csv.DictReader(saved.open(newline="", encoding="utf-8")))
    assert [(c["decision"], c["new_label"], c["new_class"]) for c in cells] == [
        ("edited", "vowel|curved", "")
    ]
    result = runner.invoke(app, ["fix", "--report", str(out), "--decisions", str(saved)])
    assert result.exit_code == 0, result.output
    fixed = pd.read_csv(tmp_path / "tags.fixed.csv", keep_default_na=False)["tags"]
    assert set(fixed[row].split(" | ")) == {"vowel", "curved"} and " | " in fixed[row]


def test_a_numeric_target_takes_a_typed_number(browser, tmp_path: Path) -> None:
    scan(shells_csv(tmp_path), tmp_path / "r", "--label", "rings", "--task", "regression", "-q")
    context, page = _open(browser, tmp_path / "r" / "report.html")
    page.keyboard.press("j")
    page.keyboard.press("e")
    assert page.locator(".rv-editor select").count() == 0  # no list of classes to pick from
    field = page.locator(".rv-editor input")
    field.fill("abc")
    page.keyboard.press("Enter")
    assert page.text_content("#review-bar .rv-message") == "type a number"
    assert page.evaluate("window.databugsPage.review.decisions()") == {}
    field.fill("13")
    page.keyboard.press("Enter")
    decided = page.evaluate("window.databugsPage.review.decisions()")
    assert [(d["decision"], d["label"], d["isNew"]) for d in decided.values()] == [
        ("edited", "13", False)
    ]
    assert page.errors == []
    context.close()
