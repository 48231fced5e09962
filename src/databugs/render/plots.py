"""The report's plots, drawn by matplotlib as inline SVG (text kept as escaped SVG text).

Each function takes the report (or a ``report.json``) and returns one ``<svg>`` element, or
"" when there is nothing to draw. Only report content is used, so ``databugs report DIR``
draws the same plots from a ``report.json``.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections import Counter
from typing import Any

from databugs.detectors.registry import label_flag_kinds
from databugs.report.report import Report

MAX_MATRIX_CLASSES = 20
WIDTH = 6.4


STYLE = {"svg.fonttype": "none", "svg.hashsalt": "databugs", "font.size": 9}
"""Text stays text (small, searchable, escaped by matplotlib); ids are stable across runs."""


def all_plots(report: Report) -> list[str]:
    """Every plot that has something to show, as SVG elements, in the order of ``PLOTS``."""
    import matplotlib

    logger = logging.getLogger("matplotlib")
    level = logger.level
    # No global state left changed (a notebook's own plots keep their style); missing glyphs
    # (emoji, CJK in labels) and layout notes are drawing details, not the user's business.
    with matplotlib.rc_context(STYLE), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logger.setLevel(logging.ERROR)
        try:
            return [svg for plot in PLOTS if (svg := plot(report))]
        finally:
            logger.setLevel(level)


def _plain(text: object) -> str:
    """Data text for matplotlib: ``$`` would start mathtext (and fail on ``$a_{b}$``)."""
    return str(text).replace("$", r"\$")


def _figure(height: float) -> Any:
    from matplotlib.figure import Figure  # no pyplot: no backend, no global figure list

    return Figure(figsize=(WIDTH, height), layout="constrained")


def _svg(figure: Any) -> str:
    """The figure as an <svg> element: no XML prolog, no DOCTYPE, no metadata date."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = re.sub(r"^.*?(<svg\b)", r"\1", buffer.getvalue(), count=1, flags=re.DOTALL)
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text, count=1, flags=re.DOTALL)


def class_sizes(report: Report) -> str:
    """Rows per class, the flagged part of each in another colour."""
    classes = sorted(report.classes, key=lambda c: c["count"])[-30:]
    if not classes:
        return ""
    figure = _figure(0.9 + 0.22 * len(classes))
    axes = figure.subplots()
    names = [_plain(c["label"]) for c in classes]
    flagged = [c["flagged"] for c in classes]
    clean = [c["count"] - c["flagged"] for c in classes]
    axes.barh(names, clean, color="#4c78a8", label="not flagged")
    axes.barh(names, flagged, left=clean, color="#e45756", label="flagged")
    axes.set_xlabel("rows")
    what = "Tag frequencies" if _multilabel(report) else "Class sizes"
    axes.set_title(f"{what} (largest 30)" if len(report.classes) > 30 else what)
    figure.legend(loc="outside upper right", ncols=2, frameon=False)
    return _svg(figure)


def quality_distribution(report: Report) -> str:
    """Histogram of label quality, flagged rows stacked on top."""
    histogram = report.quality_histogram
    if not histogram:
        return ""
    edges, rows, flagged = histogram["edges"], histogram["rows"], histogram["flagged"]
    figure = _figure(2.6)
    axes = figure.subplots()
    width = edges[1] - edges[0]
    clean = [a - b for a, b in zip(rows, flagged, strict=True)]
    axes.bar(edges[:-1], clean, width=width, align="edge", color="#4c78a8", label="not flagged")
    axes.bar(
        edges[:-1],
        flagged,
        width=width,
        align="edge",
        bottom=clean,
        color="#e45756",
        label="flagged",
    )
    axes.set_yscale("symlog")
    axes.set_xlabel("label quality (low = likely wrong)")
    axes.set_ylabel("rows")
    axes.set_title("Label quality of every labelled row")
    axes.legend(frameon=False)
    return _svg(figure)


def label_flow(report: Report) -> str:
    """Given -> suggested label of the flagged rows: which classes bleed into which."""
    kinds = label_flag_kinds()
    if _multilabel(report):  # tag sets are no classes: tag_cooccurrence shows their flags
        return ""
    pairs = Counter(
        (str(r["given_label"]), str(r["suggested_label"]))
        for r in report.issue_records()
        if r["kind"] in kinds
    )
    if not pairs:
        return ""
    involved = Counter()
    for (given, suggested), count in pairs.items():
        involved[given] += count
        involved[suggested] += count
    names = sorted(name for name, _ in involved.most_common(MAX_MATRIX_CLASSES))
    index = {name: i for i, name in enumerate(names)}
    matrix = [[0] * len(names) for _ in names]
    for (given, suggested), count in pairs.items():
        if given in index and suggested in index:
            matrix[index[given]][index[suggested]] = count
    return _count_matrix(
        names, matrix, "Flagged rows: given -> suggested", ("suggested label", "given label")
    )


def _count_matrix(
    names: list[str], matrix: list[list[int]], title: str, axis_labels: tuple[str, str]
) -> str:
    """A square matrix of counts between names, the counts written in when it is small."""
    figure = _figure(min(2.2 + 0.28 * len(names), 7.5))
    axes = figure.subplots()
    image = axes.imshow(matrix, cmap="Reds")
    shown = [_plain(name) for name in names]
    axes.set_xticks(range(len(names)), shown, rotation=90)
    axes.set_yticks(range(len(names)), shown)
    axes.set_xlabel(axis_labels[0])
    axes.set_ylabel(axis_labels[1])
    axes.set_title(title)
    if len(names) <= 12:
        for i, row in enumerate(matrix):
            for j, count in enumerate(row):
                if count:
                    axes.text(j, i, str(count), ha="center", va="center", fontsize=8)
    figure.colorbar(image, ax=axes, shrink=0.7)
    return _svg(figure)


def tag_cooccurrence(report: Report) -> str:
    """Multi-label: how often two tags are given together on the rows flagged as wrong (the
    diagonal: flagged rows carrying the tag), the most frequent tags."""
    if not _multilabel(report):
        return ""
    separator = report.options.get("label_sep") or ";"
    kinds = label_flag_kinds()
    cells = [
        sorted({t.strip() for t in str(r["given_label"]).split(separator)})
        for r in report.issue_records()
        if r["kind"] in kinds and r["given_label"] is not None
    ]
    counts = Counter(tag for tags in cells for tag in tags)
    names = sorted(name for name, _ in counts.most_common(MAX_MATRIX_CLASSES))
    if not names:
        return ""
    index = {name: i for i, name in enumerate(names)}
    matrix = [[0] * len(names) for _ in names]
    for tags in cells:
        for a in tags:
            for b in tags:
                if a in index and b in index:
                    matrix[index[a]][index[b]] += 1
    return _count_matrix(names, matrix, "Flagged rows: tags given together", ("tag", "tag"))


def _multilabel(report: Report) -> bool:
    return (report.task or {}).get("kind") == "multilabel"


def class_recall(report: Report) -> str:
    """The out-of-fold model's recall per class: where it cannot tell classes apart."""
    classes = sorted(report.classes, key=lambda c: c["recall"])[:30]
    title = "Model recall per class" + (" (lowest 30)" if len(report.classes) > 30 else "")
    names = [c["label"] for c in classes]
    return _share_bars(names, [c["recall"] for c in classes], "out-of-fold recall", title)


def annotator_agreement(report: Report) -> str:
    """Cohen's kappa for every pair of annotators."""
    if not report.annotators:
        return ""
    names = [a["name"] for a in report.annotators]
    kappas = report.agreement["cohen_kappa"]
    matrix = [[1.0 if a == b else (kappas[a].get(b) or 0.0) for b in names] for a in names]
    shown = [_plain(name) for name in names]
    figure = _figure(min(2.2 + 0.4 * len(names), 7.0))
    axes = figure.subplots()
    image = axes.imshow(matrix, cmap="viridis", vmin=min(0.0, min(map(min, matrix))), vmax=1)
    axes.set_xticks(range(len(names)), shown, rotation=90)
    axes.set_yticks(range(len(names)), shown)
    axes.set_title("Cohen's kappa between annotators")
    figure.colorbar(image, ax=axes, shrink=0.7)
    return _svg(figure)


def annotator_ranking(report: Report) -> str:
    """Annotator quality (CROWDLAB), worst first."""
    if not report.annotators:
        return ""
    entries = [e for e in report.annotators[::-1] if e["quality"] is not None]
    return _share_bars(
        [e["name"] for e in entries],
        [e["quality"] for e in entries],
        "annotator quality (CROWDLAB)",
        "Annotators, worst at the bottom",
        colour="#f58518",
    )


def _share_bars(
    names: list[object], values: list[float], xlabel: str, title: str, colour: str = "#72b7b2"
) -> str:
    """Horizontal bars of values in [0, 1], one per name; "" when there are none."""
    if not names:
        return ""
    figure = _figure(0.9 + 0.24 * len(names))
    axes = figure.subplots()
    axes.barh([_plain(name) for name in names], values, color=colour)
    axes.set_xlim(0, 1)
    axes.set_xlabel(xlabel)
    axes.set_title(title)
    return _svg(figure)


PLOTS = (
    class_sizes,
    quality_distribution,
    label_flow,
    tag_cooccurrence,
    class_recall,
    annotator_agreement,
    annotator_ranking,
)
