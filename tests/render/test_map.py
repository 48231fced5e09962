"""The map, the neighbours and the cluster cards of report.html, in report.json and in a real
browser (Playwright driving the system's Chromium; skipped when either is missing).

Two real scans: the letters example, and 20,000 text rows with hostile class names and text
(the map's drawing time at its largest, and escaping on the map's hover and the neighbours).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from databugs.report.report import Report
from databugs.review.session import ReviewSession
from databugs.review.terminal import show
from tests.conftest import EXAMPLES, scan

ATTACKS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)"]


@pytest.fixture(scope="module")
def letters_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("letters")
    shutil.copy(EXAMPLES / "letters_sample.csv", folder / "letters.csv")  # review's ledger: here
    scan(folder / "letters.csv", folder / "report")
    return folder / "report"


def _open(browser, page_path: Path):
    """The page loaded, with what it logged, requested and tried to pop up."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    seen = {"errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(page_path.as_uri())
    page.wait_for_function("window.databugsMap && window.databugsMap.draws > 0")
    return page, seen


def _table_rows(page) -> list[str]:
    return page.eval_on_selector_all(
        "#issue-table tbody tr.issue-row", "rows => rows.map(r => r.children[2].textContent)"
    )


def _painted_pixels(page) -> int:
    """How many pixels of the map's canvas are not transparent: a drawn map has thousands."""
    return page.evaluate(
        """() => { const c = document.getElementById('map-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
    )


def _point(page, row: int) -> tuple[float, float]:
    """Where a row's dot is on the screen (the map scrolled into view)."""
    page.locator("#map-overlay").scroll_into_view_if_needed()
    box = page.locator("#map-overlay").bounding_box()
    x, y = page.evaluate(
        """row => { const m = window.databugsPage.data.map, i = m.rows.indexOf(row);
        const c = document.getElementById('map-overlay');
        const w = c.clientWidth, h = c.clientHeight;
        return [14 + m.x[i] * (w - 28), 14 + (1 - m.y[i]) * (h - 28)]; }""",
        row,
    )
    return box["x"] + x, box["y"] + y


def test_report_json_has_the_map_and_each_flag_its_neighbours(letters_out: Path) -> None:
    content = json.loads((letters_out / "report.json").read_text())
    rows = pd.read_csv(letters_out / "corrected_labels.csv")
    flagged = set(rows.loc[rows["is_label_issue"], "row"])
    found = content["map"]
    assert found["rows"] == list(range(2000))  # under 20,000 rows: every row
    ringed = {row for row, s in zip(found["rows"], found["suggested"], strict=True) if s >= 0}
    assert ringed == flagged
    near = {entry["row"]: entry for entry in content["neighbours"]}
    assert set(near) == flagged
    assert all(len(e["rows"]) == 5 and e["row"] not in e["rows"] for e in near.values())
    again = Report.from_dict(content)
    assert again.map == found and again.neighbours == content["neighbours"]


def test_neighbours_side_with_the_true_label(letters_out: Path) -> None:
    """Where the scan caught a planted mistake, the neighbours mostly carry the true label."""
    content = json.loads((letters_out / "report.json").read_text())
    truth = pd.read_csv(EXAMPLES / "letters_sample.truth.csv")
    true_label = dict(zip(truth["row"], truth["true_label"].astype(str), strict=True))
    shares = [
        np.mean([label == true_label[e["row"]] for label in e["labels"]])
        for e in content["neighbours"]
        if e["row"] in true_label
    ]
    assert len(shares) >= 20 and np.mean(shares) > 0.5, np.mean(shares)


def test_review_shows_the_neighbours(letters_out: Path) -> None:
    session = ReviewSession.open(letters_out)
    console = Console(record=True, width=80)
    show(console, session, session.current)
    near = session.neighbours[session.current["row"]]
    printed = console.export_text()
    assert "like it: " in printed and "most similar rows are labelled" in printed
    assert f"rows {near['rows'][0]}, " in printed


def test_only_clusters_of_three_rows_get_cards(letters_out: Path) -> None:
    content = json.loads((letters_out / "report.json").read_text())
    page = (letters_out / "report.html").read_text()
    big = {c["id"] for c in content["clusters"] if c["rows"] >= 3}
    cards = set(re_cards(page))
    assert cards == big and len(big) < len(content["clusters"])
    for cluster in content["clusters"]:
        assert f"--accept-cluster {cluster['id']}" in page


def re_cards(page: str) -> list[str]:
    import re

    return re.findall(r'class="cluster-card" data-cluster="([^"]+)"', page)


def test_map_draws_filters_and_opens_neighbours(browser, letters_out: Path) -> None:
    page, seen = _open(browser, letters_out / "report.html")
    shown = page.evaluate("window.databugsMap")
    content = json.loads((letters_out / "report.json").read_text())
    assert shown["points"] == 2000 and shown["rings"] == len(content["neighbours"]) > 0
    painted = _painted_pixels(page)
    assert painted > 5000
    flagged = content["neighbours"][0]["row"]
    page.mouse.click(*_point(page, flagged))
    assert set(_table_rows(page)) == {str(flagged)}
    page.click("#map-status button")  # back to every issue
    assert len(_table_rows(page)) == min(100, len(content["issues"]))
    x, y = _point(page, flagged)  # a lasso around the flagged row
    page.mouse.move(x - 20, y - 20)
    page.mouse.down()
    for dx, dy in [(20, -20), (20, 20), (-20, 20), (-20, -20)]:
        page.mouse.move(x + dx, y + dy, steps=3)
    page.mouse.up()
    lassoed = set(_table_rows(page))
    assert str(flagged) in lassoed and len(lassoed) < len(content["issues"])
    page.click("#map-status button")
    page.locator(".neighbours-button").first.click()
    sentence = page.locator(".neighbour-sentence").first.text_content()
    assert "of the 5 most similar rows are labelled" in sentence
    assert page.locator("table.neighbours tr").count() == 6
    assert not seen["errors"] and seen["requests"] == [(letters_out / "report.html").as_uri()]


@pytest.fixture(scope="module")
def texts_20000_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real scan of 20,000 text rows: the SMS example resampled, two words of each message
    swapped for others of its vocabulary, hostile class names, hostile text on every 50th row
    and 3% of the labels moved."""
    folder = tmp_path_factory.mktemp("texts")
    base = pd.read_csv(EXAMPLES / "sms_sample.csv")
    rng = np.random.default_rng(0)
    rows = base.sample(20_000, replace=True, random_state=0).reset_index(drop=True)
    vocabulary = " ".join(base["text"]).split()
    texts = []
    for number, text in enumerate(rows["text"]):
        words = text.split()
        for place in rng.integers(0, len(words), 2):
            words[place] = vocabulary[rng.integers(len(vocabulary))]
        prefix = ATTACKS[number // 50 % 3] + " " if number % 50 == 0 else ""
        texts.append(prefix + " ".join(words))
    hostile = {"ham": ATTACKS[0], "spam": ATTACKS[1]}
    labels = rows["label"].map(hostile).to_numpy()
    moved = rng.choice(len(rows), 600, replace=False)
    labels[moved] = np.where(labels[moved] == ATTACKS[0], ATTACKS[1], ATTACKS[0])
    frame = pd.DataFrame({"message_id": [f"m{i:05d}" for i in range(len(rows))], "text": texts})
    frame.assign(label=labels).to_csv(folder / "texts.csv", index=False)
    scan(folder / "texts.csv", folder / "report", "--id", "message_id")
    return folder / "report"


def test_20000_text_rows_draw_fast_and_hostile_text_stays_text(
    browser, texts_20000_out: Path
) -> None:
    path = texts_20000_out / "report.html"
    content = json.loads((texts_20000_out / "report.json").read_text())
    assert path.stat().st_size < 8_000_000
    assert ATTACKS[0] not in path.read_text()  # every copy of it escaped
    page, seen = _open(browser, path)
    shown = page.evaluate("window.databugsMap")
    assert shown["points"] == 20_000 and shown["rings"] == len(content["neighbours"]) > 100
    redraw_ms = page.evaluate(
        "() => { window.dispatchEvent(new Event('resize')); return window.databugsMap.drawMs; }"
    )
    assert max(shown["drawMs"], redraw_ms) < 200, (shown["drawMs"], redraw_ms)
    assert _painted_pixels(page) > 5000
    flagged = content["neighbours"][0]["row"]
    page.mouse.move(*_point(page, flagged))
    tip = page.locator("#map-tip").text_content()
    assert page.locator("#map-tip").is_visible() and (ATTACKS[0] in tip or ATTACKS[1] in tip)
    page.mouse.click(*_point(page, flagged))
    assert str(flagged) in _table_rows(page)
    page.click("#map-status button")
    page.locator(".neighbours-button").first.click()
    near = page.locator("table.neighbours").first.text_content()
    assert ATTACKS[0] in near or ATTACKS[1] in near
    assert page.locator("img").count() == 0 and page.locator("a[href^=javascript]").count() == 0
    assert page.locator("script").count() == 2
    assert not seen["dialogs"] and not seen["errors"]
    assert seen["requests"] == [path.as_uri()]
