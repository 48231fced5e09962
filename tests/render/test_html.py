"""report.html: self-contained, escaped, small, and working in a real (headless) browser."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from databugs.cli import app
from databugs.render import html
from databugs.report.report import Report
from tests.conftest import EXAMPLES, runner, scanned_two_files

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed")
ATTACKS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>']


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data whose labels and text try to inject markup, and to read reversed (U+202E)."""
    folder = tmp_path_factory.mktemp("hostile")
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["label"] == "spam", "label"] = ATTACKS[0]
    frame.loc[frame.index[::7], "text"] = ATTACKS[1] + " free prize \u202ecall now"
    frame.loc[frame.index[1:60:10], "label"] = "\u202emaps"  # reads "spam"
    path = folder / "hostile.csv"
    frame.to_csv(path, index=False)
    out = folder / "report"
    result = runner.invoke(app, ["scan", str(path), "--out", str(out), "--jobs", "1", "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_every_scan_writes_report_html_with_plots_and_clusters(sms_report: Path) -> None:
    page = (sms_report / "report.html").read_text()
    assert page.count("<svg") >= 4  # class sizes, quality, given -> suggested, recall
    content = json.loads((sms_report / "report.json").read_text())
    assert content["clusters"] and content["clusters"][0]["id"] == "c1"
    flagged = [i for i in content["issues"] if i["kind"] == "label_issue"]
    assert all(i["cluster"] for i in flagged)
    assert {c["id"] for c in content["clusters"]} == {i["cluster"] for i in flagged}
    for cluster in content["clusters"]:
        assert f"--accept-cluster {cluster['id']}" in page


def test_page_is_offline(sms_report: Path) -> None:
    page = (sms_report / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?(?!#)", page)  # only local references: url(#clip)
    assert "@import" not in page
    assert "default-src 'none'" in page  # the browser itself refuses any request


def test_data_text_is_inert(hostile_report: Path) -> None:
    page = (hostile_report / "report.html").read_text()
    script_blocks = re.findall(r"<script\b", page)
    assert len(script_blocks) == 2  # the data block and the page's own script, nothing else
    assert "<img" not in page
    assert 'alert("x")</script>' not in page
    markdown = (hostile_report / "report.md").read_text()
    assert "<script>" not in markdown and "<img" not in markdown


def test_5000_issues_stay_under_3_mb(sms_report: Path) -> None:
    content = json.loads((sms_report / "report.json").read_text())
    many = copy.deepcopy(content)
    issues = content["issues"]
    many["issues"] = [
        {
            **issues[n % len(issues)],
            "rank": n + 1,
            "row": n,
            "id": f"sms-{n:05d}",
            "content": ("free entry to win a prize, text back now to claim " * 4)[:160],
        }
        for n in range(5000)
    ]
    size = len(html.render(Report.from_dict(many)).encode("utf-8"))
    assert size < 3_000_000, size


def _browser_dom(page: Path, tmp_path: Path, fragment: str = "", shot: Path | None = None) -> str:
    """The page's DOM after its script ran, in headless Chromium (optionally a screenshot)."""
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--virtual-time-budget=5000",
        "--window-size=1300,2200",
    ]
    flags += [f"--screenshot={shot}"] if shot else ["--dump-dom"]
    done = subprocess.run(
        [*flags, page.as_uri() + fragment], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@needs_browser
def test_page_renders_and_filters_in_a_browser(sms_report: Path, tmp_path: Path) -> None:
    page = sms_report / "report.html"
    content = json.loads((sms_report / "report.json").read_text())
    total = len(content["issues"])
    everything = _browser_dom(page, tmp_path)
    assert 20 < total <= 100  # one page
    assert everything.count('class="issue-row"') == total
    assert f"{total} of {total} issues" in everything
    assert everything.count("<svg") >= 4
    spam = _browser_dom(page, tmp_path, "#kind=label_issue&class=spam&score=0.9")
    expected = [
        i
        for i in content["issues"]
        if i["kind"] == "label_issue"
        and "spam" in (i["given_label"], i["suggested_label"])
        and i["score"] >= 0.9
    ]
    assert 0 < len(expected) < total
    assert f"{len(expected)} of {total} issues" in spam
    assert spam.count('class="issue-row"') == len(expected)
    shot = tmp_path / "report.png"
    _browser_dom(page, tmp_path, shot=shot)
    assert shot.stat().st_size > 20_000


@needs_browser
def test_hostile_text_stays_text_in_a_browser(hostile_report: Path, tmp_path: Path) -> None:
    dom = _browser_dom(hostile_report / "report.html", tmp_path)
    assert "<img" not in dom  # shown as text, never parsed as markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom


@needs_browser
def test_a_right_to_left_override_is_shown_not_obeyed(hostile_report: Path, tmp_path: Path) -> None:
    """As in the terminal and report.md: ``\\u202e`` in the data is shown as that text, so
    no cell reads other text than the data holds."""
    dom = _browser_dom(hostile_report / "report.html", tmp_path)
    shown = re.sub(r"<script.*?</script>|<[^>]*>", " ", dom, flags=re.DOTALL)  # text nodes
    assert "\u202e" not in shown
    assert "free prize \\u202ecall now" in dom and "\\u202emaps" in dom


@needs_browser
def test_50000_issues_open_paginated(sms_report: Path, tmp_path: Path) -> None:
    content = json.loads((sms_report / "report.json").read_text())
    issue = content["issues"][0]
    content["issues"] = [
        {**issue, "rank": n + 1, "row": n, "id": f"r{n}", "score": round(1 - n / 50000, 6)}
        for n in range(50_000)
    ]
    page = tmp_path / "big.html"
    page.write_text(html.render(Report.from_dict(content)))
    dom = _browser_dom(page, tmp_path, "#text=r4999")
    assert "11 of 50000 issues" in dom  # r4999 and r49990..r49999
    assert dom.count('class="issue-row"') == 11
    first_page = _browser_dom(page, tmp_path)
    assert first_page.count('class="issue-row"') == 100 and "page 1 of 500" in first_page


def test_labels_that_look_like_math_or_placeholders_stay_text(tmp_path: Path) -> None:
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv", dtype=str, keep_default_na=False)
    frame["label"] = frame["label"].map({"ham": "$a_{b}$ & $x^$", "spam": "{{data}} {{plots}}"})
    path = tmp_path / "odd.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "report"
    result = runner.invoke(app, ["scan", str(path), "--out", str(out), "-q", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    assert page.count('id="issue-data"') == 1 and page.count('<div class="plots"') == 1
    assert "{{data}} {{plots}}" in page


STALE_PLOTS = [
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert("cache")</script></svg>',
    "</svg><img src=x onerror=alert('broken')><svg>",
]


def test_plots_kept_by_an_older_version_never_reach_the_page(blobs_csv: Path, tmp_path: Path):
    """Earlier builds kept the plots in ``.cache/plots.json``; the plots are now always
    drawn from the report, so a tampered file there changes nothing."""
    args = ["scan", str(blobs_csv), "--out", str(tmp_path / "r"), "--jobs", "1", "-q"]
    assert runner.invoke(app, args).exit_code == 0
    fresh = (tmp_path / "r" / "report.html").read_text()
    (tmp_path / "r" / ".cache" / "plots.json").write_text(json.dumps(STALE_PLOTS))
    assert runner.invoke(app, args).exit_code == 0
    again = (tmp_path / "r" / "report.html").read_text()
    assert again == fresh and "alert(" not in again


def test_the_page_runs_its_own_script_only(sms_report: Path) -> None:
    page = (sms_report / "report.html").read_text()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)[1]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "unsafe" not in directives["script-src"] and directives["default-src"] == "'none'"
    script = re.search(r"<script>(.*?)</script>", page, re.DOTALL)[1]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert directives["script-src"] == f"'sha256-{digest}'"


@needs_browser
def test_a_script_that_got_into_the_page_does_not_run(sms_report: Path, tmp_path: Path) -> None:
    page = (sms_report / "report.html").read_text()
    injected = '<script>document.body.setAttribute("data-pwned", "yes")</script>'
    hostile = tmp_path / "injected.html"
    hostile.write_text(
        page.replace("</body>", injected + '<svg onload="document.title=1"/></body>')
    )
    dom = _browser_dom(hostile, tmp_path)
    assert 'class="issue-row"' in dom  # the page's own script ran
    assert "data-pwned" not in dom.replace(injected, "") and "<title>1</title>" not in dom


def test_a_page_proposes_its_corrections_once_and_never_stale_ones(
    sms_report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clusters, neighbours and the review panel all read the proposed corrections: worked
    out once per page (not once per part), and anew for each page of a changed report."""
    report = Report.from_dict(json.loads((sms_report / "report.json").read_text()))
    assert html.render(report) == (sms_report / "report.html").read_text(encoding="utf-8")
    calls = []
    proposed = Report.corrections
    monkeypatch.setattr(Report, "corrections", lambda self: calls.append(1) or proposed(self))
    page = html.render(report)
    assert len(calls) == 1 and page == (sms_report / "report.html").read_text(encoding="utf-8")
    flagged = next(i for i in report.records if i["kind"] == "label_issue")
    flagged["suggested_label"] = "a class of its own"
    again = _review_panel(html.render(report))["flagged"]
    assert len(calls) == 2 and [flagged["row"], "a class of its own"] in [
        [entry[0], entry[3]] for entry in again
    ]
    assert [flagged["row"], "a class of its own"] not in [
        [entry[0], entry[3]] for entry in _review_panel(page)["flagged"]
    ]


def _review_panel(page: str) -> dict:
    """What the page's review panel reads: the ``review`` part of its data block."""
    block = re.search(r'<script type="application/json" id="issue-data">(.*?)</script>', page)
    return json.loads(block.group(1))["review"]


def _shown_rows(dom: str) -> list[str]:
    """The row column of the issue table, in order (its third cell)."""
    rows = re.findall(r'<tr class="issue-row"[^>]*>(.*?)</tr>', dom, re.DOTALL)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)[2] for row in rows]


@needs_browser
def test_the_table_names_rows_by_number_or_by_split_and_file_row(
    sms_report: Path, tmp_path: Path
) -> None:
    content = json.loads((sms_report / "report.json").read_text())
    expected = ["" if i["row"] is None else str(i["row"]) for i in content["issues"][:100]]
    assert any(expected)
    assert _shown_rows(_browser_dom(sms_report / "report.html", tmp_path)) == expected
    *_, out = scanned_two_files(tmp_path)
    content = json.loads((out / "report.json").read_text())
    named = [
        "" if i["row"] is None else f"{i['split']}:{i['file_row']}" for i in content["issues"][:100]
    ]
    assert any(name.startswith("test:") for name in named)
    assert _shown_rows(_browser_dom(out / "report.html", tmp_path)) == named
