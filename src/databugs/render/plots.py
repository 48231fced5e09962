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
from databugs.render.agreement_cells import agreement_cells
from databugs.report.report import Report

MAX_MATRIX_CLASSES = 20
WIDTH = 6.4
HOW_CHARS = 105


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


def _figure(height: float, how: str) -> Any:
    """A figure with its one-line "how to read this" under it (part of the drawing, so every
    view of the plot carries it)."""
    import textwrap

    from matplotlib.figure import Figure  # no pyplot: no backend, no global figure list

    figure = Figure(figsize=(WIDTH, height + 0.25), layout="constrained")
    text = "\n".join(textwrap.wrap(f"How to read this: {how}", HOW_CHARS))
    figure.supxlabel(text, fontsize=7.5, color="#555555", x=0.01, ha="left")
    return figure


def _text_colour(rgba: tuple[float, ...]) -> str:
    """Black on light cells, white on dark ones (relative luminance of the cell's colour)."""
    red, green, blue = rgba[:3]
    return "black" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45 else "white"


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
    figure = _figure(
        0.9 + 0.22 * len(classes),
        "one bar per class, its length the rows labelled so; the red end is the rows flagged.",
    )
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
    figure = _figure(
        2.6,
        "how likely each row's given label is by the model (left = unlikely); red = flagged"
        " rows; the scale of counts is logarithmic.",
    )
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
    if report.regression is not None:
        return ""  # numbers: given_vs_predicted shows them
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
        names,
        matrix,
        "Flagged rows: given -> suggested",
        ("suggested label", "given label"),
        "a row per given label, a column per suggested label; a dark cell is many rows"
        " flagged that way: a class pair to check together.",
    )


def _count_matrix(
    names: list[str],
    matrix: list[list[int]],
    title: str,
    axis_labels: tuple[str, str],
    how: str,
) -> str:
    """A square matrix of counts between names, the counts written in when it is small."""
    figure = _figure(min(2.2 + 0.28 * len(names), 7.5), how)
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
                    colour = _text_colour(image.cmap(image.norm(count)))
                    axes.text(j, i, str(count), ha="center", va="center", fontsize=8, color=colour)
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
    return _count_matrix(
        names,
        matrix,
        "Flagged rows: tags given together",
        ("tag", "tag"),
        "a cell counts flagged rows given both tags (the diagonal: flagged rows with the tag);"
        " a dark cell is a pair of tags that often goes wrong together.",
    )


def _multilabel(report: Report) -> bool:
    return (report.task or {}).get("kind") == "multilabel"


def class_recall(report: Report) -> str:
    """The out-of-fold model's recall per class: where it cannot tell classes apart."""
    classes = sorted(report.classes, key=lambda c: c["recall"])[:30]
    title = "Model recall per class" + (" (lowest 30)" if len(report.classes) > 30 else "")
    names = [c["label"] for c in classes]
    how = "the share of each class's rows the model, not trained on them, labels as given."
    return _share_bars(names, [c["recall"] for c in classes], "out-of-fold recall", title, how=how)


MAX_ANNOTATORS = 30
"""Annotators a plot shows at most (a crowd set has hundreds): the busiest, or the worst."""


def annotator_agreement(report: Report) -> str:
    """Cohen's kappa for every pair of the (30 busiest) annotators."""
    if not report.annotators:
        return ""
    busiest = sorted(report.annotators, key=lambda a: -a["rows"])[:MAX_ANNOTATORS]
    names = [a["name"] for a in report.annotators if a in busiest]
    kappas = report.agreement["cohen_kappa"]
    matrix = [[1.0 if a == b else (kappas[a].get(b) or 0.0) for b in names] for a in names]
    shown = [_plain(name) for name in names]
    figure = _figure(
        min(2.2 + 0.4 * len(names), 7.0),
        "each cell is how far two annotators agree beyond chance (1 = always, 0 = as chance).",
    )
    axes = figure.subplots()
    image = axes.imshow(matrix, cmap="viridis", vmin=min(0.0, min(map(min, matrix))), vmax=1)
    axes.set_xticks(range(len(names)), shown, rotation=90)
    axes.set_yticks(range(len(names)), shown)
    shown_all = len(names) == len(report.annotators)
    axes.set_title("Cohen's kappa between annotators" + ("" if shown_all else " (busiest 30)"))
    figure.colorbar(image, ax=axes, shrink=0.7)
    return _svg(figure)


MAX_CELL_TEXT_CLASSES = 12
"""Up to this many classes a heatmap's cells carry their figure; beyond, the colour alone."""


def annotator_class_agreement(report: Report) -> str:
    """Per annotator (the 30 with most answers) and consensus class, the share of their answers
    that match the consensus: where one annotator's weak class hides in an overall figure."""
    table = (report.agreement or {}).get("class_agreement")
    cells = agreement_cells(table, MAX_ANNOTATORS, MAX_MATRIX_CLASSES) if table else None
    if cells is None or not cells.names or not cells.classes:
        return ""
    import numpy as np
    from matplotlib import colormaps

    shape = (len(cells.names), len(cells.classes))
    shares = [[cells.share(i, k) for k in range(shape[1])] for i in range(shape[0])]
    grid = np.ma.masked_invalid(np.array(shares, dtype=float))
    figure = _figure(
        min(1.6 + 0.26 * shape[0], 9.0),
        "a row per annotator, a column per consensus class; a cell is the share of the "
        "annotator's answers on items of that class that match the consensus (dark = often "
        f"otherwise); grey: fewer than {cells.min_answers} answers (agreed/answers written in), "
        "too few to judge.",
    )
    axes = figure.subplots()
    palette = colormaps["cividis"].with_extremes(bad="#dddddd")  # colour-blind safe
    image = axes.imshow(grid, cmap=palette, vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(shape[1]), [_plain(name) for name in cells.classes], rotation=90)
    axes.set_yticks(range(shape[0]), [_plain(name) for name in cells.names])
    axes.set_xlabel("consensus class")
    hidden = [f"{cells.hidden_annotators} more annotators"] * bool(cells.hidden_annotators)
    hidden += [f"{cells.hidden_classes} more classes"] * bool(cells.hidden_classes)
    axes.set_title(
        "Agreement with the consensus per class"
        + (f" (not shown: {', '.join(hidden)})" if hidden else ""),
        fontsize=9,
    )
    if shape[1] <= MAX_CELL_TEXT_CLASSES:
        for i, k in np.ndindex(shape):
            share, answers = shares[i][k], cells.answers[i][k]
            if share is not None:
                colour, text = _text_colour(image.cmap(image.norm(share))), f"{share:.0%}"
            elif answers:
                colour, text = "#333333", f"{cells.agreed[i][k]}/{answers}"
            else:
                continue
            axes.text(k, i, text, ha="center", va="center", fontsize=7, color=colour)
    figure.colorbar(image, ax=axes, shrink=0.7, label="agreement")
    return _svg(figure)


def annotator_ranking(report: Report) -> str:
    """Annotator quality (CROWDLAB, or Dawid-Skene's estimated accuracy), the worst 30."""
    if not report.annotators:
        return ""
    judged = [e for e in report.annotators if e["quality"] is not None]
    entries = judged[:MAX_ANNOTATORS][::-1]
    model = "Dawid-Skene accuracy" if _model(report) == "dawid-skene" else "CROWDLAB"
    return _share_bars(
        [e["name"] for e in entries],
        [e["quality"] for e in entries],
        f"annotator quality ({model})",
        "Annotators, worst at the bottom" + (" (worst 30)" if len(judged) > len(entries) else ""),
        colour="#f58518",
        how="how often each annotator's labels match the consensus, weighted by CROWDLAB.",
    )


def _model(report: Report) -> str:
    return (report.agreement or {}).get("consensus_model", "crowdlab")


def given_vs_predicted(report: Report) -> str:
    """A regression's given values against the out-of-fold predictions, flagged rows in red."""
    points = (report.regression or {}).get("points")
    if not points or not points["given"]:
        return ""
    flagged = points["flagged"]
    figure = _figure(
        4.8,
        "each dot is a row, at its out-of-fold prediction (across) and its given value (up); "
        "rows far from the diagonal disagree with the model, red ones are flagged.",
    )
    axes = figure.subplots()
    for marked, colour, name in ((False, "#9ab", "other rows"), (True, "#d62728", "flagged")):
        chosen = [i for i, f in enumerate(flagged) if f == marked]
        axes.scatter(
            [points["predicted"][i] for i in chosen],
            [points["given"][i] for i in chosen],
            s=8 if marked else 4,
            c=colour,
            label=f"{name} ({len(chosen):,})",
        )
    low = min(min(points["given"]), min(points["predicted"]))
    high = max(max(points["given"]), max(points["predicted"]))
    axes.plot([low, high], [low, high], color="#555", linewidth=0.8)
    axes.set_xlabel("predicted (out of fold)")
    axes.set_ylabel("given")
    axes.set_title("Given vs predicted values")
    axes.legend(loc="upper left")
    return _svg(figure)


def _share_bars(
    names: list[object],
    values: list[float],
    xlabel: str,
    title: str,
    *,
    how: str,
    colour: str = "#72b7b2",
) -> str:
    """Horizontal bars of values in [0, 1], one per name; "" when there are none."""
    if not names:
        return ""
    figure = _figure(0.9 + 0.24 * len(names), how)
    axes = figure.subplots()
    axes.barh([_plain(name) for name in names], values, color=colour)
    axes.set_xlim(0, 1)
    axes.set_xlabel(xlabel)
    axes.set_title(title)
    return _svg(figure)


PLOTS = (
    class_sizes,
    quality_distribution,
    given_vs_predicted,
    label_flow,
    tag_cooccurrence,
    class_recall,
    annotator_agreement,
    annotator_class_agreement,
    annotator_ranking,
)
