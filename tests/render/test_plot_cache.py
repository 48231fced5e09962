"""The kept plots: used when they are what matplotlib drew, drawn again when anything else."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from databugs.render.plot_cache import cached_plots, drawn_svg
from databugs.render.plots import all_plots
from databugs.report.report import Report
from tests.conftest import make_blobs_table, run

ODD_LABELS = {"cat": "<script>alert(1)</script>", "dog": "a--b --> 'q' & \"r\"", "bird": "$x^$"}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scan drawing every kind of plot (annotators too), of labels full of markup."""
    folder = tmp_path_factory.mktemp("plots")
    frame = make_blobs_table(240, seed=3)
    rng = np.random.default_rng(1)
    truth = frame["label"].to_numpy()
    frame["ann_a"] = truth
    frame["ann_b"] = np.where(rng.random(len(truth)) < 0.2, "cat", truth)
    frame["ann_c"] = np.where(truth == "bird", "dog", truth)
    frame = frame.replace(ODD_LABELS)
    path = folder / "animals.csv"
    frame.to_csv(path, index=False)
    out = folder / "r"
    result = run("scan", path, "--annotators", "ann_a,ann_b,ann_c", "--out", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    return out


def test_every_plot_matplotlib_draws_passes(scanned: Path) -> None:
    report = Report.from_dict(json.loads((scanned / "report.json").read_text()))
    drawn = all_plots(report)
    assert len(drawn) >= 5 and any("<image" in svg for svg in drawn)  # kappas: imshow
    assert cached_plots(scanned / ".cache" / "plots.json") == drawn


ATTACKS = [
    ("</defs>", "</defs><script>alert(1)</script>"),
    ("</defs>", "</defs><SCRIPT>alert(1)</SCRIPT>"),
    ('version="1.1"', 'version="1.1" onload="alert(1)"'),
    ('id="figure_1"', 'id="next"'),
    ('id="figure_1"', 'id="figure_1" onclick="alert(1)"'),
    ("fill: #4c78a8", "fill: url(https://example.com/x)"),
    ("fill: #4c78a8", "fill: u&#114;l&#40;https://example.com/x&#41;"),
    ("stroke-linecap: butt}", "stroke-linecap: butt} body{display:none}"),
    ("</defs>", "</defs><foreignObject><div>x</div></foreignObject>"),
    ("</defs>", '</defs><a xlink:href="javascript:alert(1)"><g id="patch_9"/></a>'),
    ("</defs>", '</defs><image xlink:href="https://example.com/x.png"/>'),
    ("</defs>", "</defs><![CDATA[<script>alert(1)</script>]]>"),
    ("</defs>", "</defs><!-- x --!><script>alert(1)</script><!-- -->"),
    ("</defs>", "</defs></svg><img src=x onerror=alert(1)><svg>"),
    ("</svg>", "</svg><script>alert(1)</script>"),
    ("</svg>", ""),
]


@pytest.mark.parametrize(("old", "new"), ATTACKS)
def test_anything_else_is_refused(scanned: Path, old: str, new: str) -> None:
    svg = json.loads((scanned / ".cache" / "plots.json").read_text())[0]
    assert drawn_svg(svg) and old in svg
    assert not drawn_svg(svg.replace(old, new, 1))


def test_a_cache_that_is_not_a_list_of_plots_is_none(tmp_path: Path) -> None:
    cache = tmp_path / "plots.json"
    for text in ("", "{", '{"a": 1}', "[1]", '["<g/>"]'):
        cache.write_text(text)
        assert cached_plots(cache) is None
    assert cached_plots(tmp_path / "missing.json") is None
