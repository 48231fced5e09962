"""The acceptance of the map on a real 20,000-row text scan: SST-2 sentences from the pool
with 600 labels flipped and hostile text planted, scanned once, opened in Chromium (Playwright;
skipped without it or without the pool)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SHARED, scan
from tests.render.test_map import ATTACKS, _open, _painted_pixels, _point, _table_rows

SST2 = SHARED / "text_sst2.parquet"
pytestmark = pytest.mark.skipif(not SST2.exists(), reason=f"{SST2} is not available")


@pytest.fixture(scope="module")
def text_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 sentences, 3% of their labels flipped, every 400th starting with an attack."""
    folder = tmp_path_factory.mktemp("sst")
    frame = pd.read_parquet(SST2).sample(20_000, random_state=0).reset_index(drop=True)
    label = np.where(frame["label"].astype(str) == "1", "positive", "negative").astype(object)
    flipped = np.random.default_rng(0).choice(len(frame), 600, replace=False)
    label[flipped] = np.where(label[flipped] == "negative", "positive", "negative")
    text = frame["text"].to_numpy(dtype=object)
    for row in range(0, len(text), 400):
        text[row] = f"{ATTACKS[row // 400 % 3]} {text[row]}"
    label[::997] = ATTACKS[1]  # a hostile class of 21 rows
    pd.DataFrame({"text": text, "label": label}).to_csv(folder / "sst.csv", index=False)
    scan(folder / "sst.csv", folder / "report")
    return folder / "report"


def test_a_20000_row_text_scan_maps_filters_and_stays_text(browser, text_out: Path) -> None:
    page_path = text_out / "report.html"
    assert page_path.stat().st_size <= 8_000_000
    content = json.loads((text_out / "report.json").read_text())
    page, seen = _open(browser, page_path)
    shown = page.evaluate("window.databugsMap")
    assert shown["points"] == 20_000 and shown["rings"] == len(content["neighbours"]) > 100
    assert shown["drawMs"] < 200, shown["drawMs"]
    painted = _painted_pixels(page)
    assert painted > 20_000
    flagged = content["neighbours"][0]["row"]
    page.mouse.click(*_point(page, flagged))
    assert str(flagged) in set(_table_rows(page))
    page.click("#map-status button")
    hostile = next(r for r in content["map"]["rows"] if r % 400 == 0)
    page.mouse.move(*_point(page, hostile))
    assert ATTACKS[hostile // 400 % 3] in page.locator("#map-tip").text_content()
    page.locator(".neighbours-button").first.click()
    sentence = page.locator(".neighbour-sentence").first.text_content()
    assert "of the 5 most similar rows are labelled" in sentence
    assert page.locator("img").count() == 0 and page.locator("a[href^=javascript]").count() == 0
    assert not seen["dialogs"] and not seen["errors"]
    assert seen["requests"] == [page_path.as_uri()]
