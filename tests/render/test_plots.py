"""The report's plots: well-formed SVG of a few known elements, data text escaped, shapes that
measure what they say (bar lengths in proportion to counts, cells coloured by their value)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import pytest

import databugs
from databugs.render.plots import all_plots, class_sizes
from databugs.render.svg import REDS, bar_chart, nice_ticks, scatter, text_colour
from databugs.report.report import Report
from tests.conftest import make_annotated_blobs

ODD_LABELS = {"cat": "<script>alert(1)</script>", "dog": "a--b --> 'q' & \"r\"", "bird": "$x^$"}
ELEMENTS = {"svg", "text", "rect", "line", "path", "title"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def crowd_report() -> Report:
    """A scan drawing class and annotator plots, of labels full of markup."""
    frame = make_annotated_blobs().replace(ODD_LABELS)
    return databugs.scan(frame, label="label", annotators=["ann_a", "ann_b", "ann_c"], jobs=1)


def _parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_every_plot_is_one_svg_of_plain_shapes_with_markup_kept_as_text(crowd_report):
    plots = all_plots(crowd_report)
    assert len(plots) >= 5  # class sizes, quality, recall, kappas, class agreement, ranking
    for svg in plots:
        root = _parsed(svg)
        assert {element.tag.removeprefix(SVG) for element in root.iter()} <= ELEMENTS
        assert not any(name.startswith("on") for e in root.iter() for name in e.attrib)
        assert "<script" not in svg
    assert (
        sum("&lt;script&gt;alert(1)&lt;/script&gt;" in svg for svg in plots) >= 3
    )  # sizes, recall, agreement
    texts = {element.text for svg in plots for element in _parsed(svg).iter(f"{SVG}text")}
    assert "<script>alert(1)</script>" in texts and "a--b --> 'q' & \"r\"" in texts


def test_class_bars_are_as_long_as_their_counts(crowd_report):
    bars = {}
    for rect in _parsed(class_sizes(crowd_report)).iter(f"{SVG}rect"):
        title = rect.find(f"{SVG}title")
        if title is not None and title.text.endswith(" not flagged"):
            bars[title.text.split(":")[0]] = float(rect.get("width"))
    clean = {c["label"]: c["count"] - c["flagged"] for c in crowd_report.classes}
    assert set(bars) == set(clean)
    ratios = [bars[name] / clean[name] for name in clean]
    assert max(ratios) - min(ratios) < 0.02 * max(ratios)


def test_the_same_report_draws_the_same_bytes(crowd_report):
    assert all_plots(crowd_report) == all_plots(crowd_report)


def test_ticks_are_round_and_cover_the_values():
    assert nice_ticks(0, 3712) == [0, 1000, 2000, 3000, 4000]
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(-3.2, 27.9) == [-10, 0, 10, 20, 30]


def test_count_cells_darken_with_the_count_and_keep_their_figure_readable():
    light, dark = REDS.colour(0.05), REDS.colour(1.0)
    brightness = [sum(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (light, dark)]
    assert brightness[0] > brightness[1]
    assert text_colour(light) == "black" and text_colour(dark) == "white"
    assert re.fullmatch(r"#[0-9a-f]{6}", REDS.colour(0.37))


def test_values_all_but_equal_or_huge_still_draw_on_distinct_ticks():
    for low, high in ((1e-15, 1.0000001e-15), (1e16, 1e16), (3.0, 3.0), (0.0, 5e-13)):
        svg = scatter(
            [("rows", [(low, low), (high, high)], "#000000", 4)],
            title="t",
            axes=("x", "y"),
            how="h",
        )
        assert "nan" not in svg and "inf" not in svg
        _parsed(svg)
    svg = bar_chart(
        ["a", "b"],
        [("rows", [1000.5, 1001.5], "#000000")],
        title="t",
        axis="rows",
        how="h",
        high=None,
    )
    ticks = [t.text for t in _parsed(svg).iter(f"{SVG}text") if t.text[:1].isdigit()]
    assert len(ticks) == len(set(ticks)) >= 3
    assert nice_ticks(1000, 1002)[:3] == [1000, 1000.5, 1001]


def test_control_characters_in_a_label_are_shown_not_written():
    svg = bar_chart(
        ["bell\x07", "esc\x1b[2J"], [("rows", [3, 4], "#000000")], title="t", axis="n", how="h"
    )
    texts = {t.text for t in _parsed(svg).iter(f"{SVG}text")}
    assert {"bell\\u0007", "esc\\u001b[2J"} <= texts
