"""The report's plots as inline SVG (drawn by :mod:`databugs.render.svg`, every text escaped).

Each function takes the report (or a ``report.json``) and returns one ``<svg>`` element, or
"" when there is nothing to draw. Only report content is used, so ``databugs report DIR``
draws the same plots from a ``report.json``.
"""

from __future__ import annotations

from collections import Counter

from databugs.detectors.registry import label_flag_kinds
from databugs.render.agreement_cells import agreement_cells
from databugs.render.svg import (
    CIVIDIS,
    REDS,
    VIRIDIS,
    Heatmap,
    bar_chart,
    heatmap,
    histogram,
    scatter,
)
from databugs.report.report import Report

MAX_MATRIX_CLASSES = 20
FLAGGED = "#e45756"
CLEAN = "#4c78a8"


def all_plots(report: Report) -> list[str]:
    """Every plot that has something to show, as SVG elements, in the order of ``PLOTS``."""
    return [svg for plot in PLOTS if (svg := plot(report))]


def class_sizes(report: Report) -> str:
    """Rows per class, the flagged part of each in another colour."""
    classes = sorted(report.classes, key=lambda c: c["count"])[-30:]
    if not classes:
        return ""
    what = "Tag frequencies" if _multilabel(report) else "Class sizes"
    return bar_chart(
        [c["label"] for c in classes],
        [
            ("not flagged", [c["count"] - c["flagged"] for c in classes], CLEAN),
            ("flagged", [c["flagged"] for c in classes], FLAGGED),
        ],
        title=f"{what} (largest 30)" if len(report.classes) > 30 else what,
        axis="rows",
        how="one bar per class, its length the rows labelled so; the red end is the rows flagged.",
    )


def quality_distribution(report: Report) -> str:
    """Histogram of label quality, flagged rows stacked on top."""
    counts = report.quality_histogram
    if not counts:
        return ""
    clean = [a - b for a, b in zip(counts["rows"], counts["flagged"], strict=True)]
    return histogram(
        counts["edges"],
        [("not flagged", clean, CLEAN), ("flagged", counts["flagged"], FLAGGED)],
        title="Label quality of every labelled row",
        axes=("label quality (low = likely wrong)", "rows"),
        how="how likely each row's given label is by the model (left = unlikely); red = flagged"
        " rows; the scale of counts is logarithmic.",
    )


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
    written = len(names) <= MAX_CELL_TEXT_CLASSES
    return heatmap(
        Heatmap(
            names,
            names,
            matrix,
            REDS,
            (0, max(max(row) for row in matrix)),
            (lambda i, j: str(matrix[i][j] or "")) if written else None,
        ),
        title=title,
        axes=axis_labels,
        how=how,
        scale="rows",
    )


def tag_cooccurrence(report: Report) -> str:
    """Multi-label: how often two tags are given together on the rows flagged as wrong (the
    diagonal: flagged rows carrying the tag), the most frequent tags."""
    if not _multilabel(report):
        return ""
    separator = report.tag_separator()
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
    shown_all = len(names) == len(report.annotators)
    return heatmap(
        Heatmap(names, names, matrix, VIRIDIS, (min(0.0, min(map(min, matrix))), 1.0)),
        title="Cohen's kappa between annotators" + ("" if shown_all else " (busiest 30)"),
        axes=("annotator", "annotator"),
        how="each cell is how far two annotators agree beyond chance (1 = always, 0 = as chance).",
        scale="kappa",
    )


MAX_CELL_TEXT_CLASSES = 12
"""Up to this many classes a heatmap's cells carry their figure; beyond, the colour alone."""


def annotator_class_agreement(report: Report) -> str:
    """Per annotator (the 30 with most answers) and consensus class, the share of their answers
    that match the consensus: where one annotator's weak class hides in an overall figure."""
    table = (report.agreement or {}).get("class_agreement")
    cells = agreement_cells(table, MAX_ANNOTATORS, MAX_MATRIX_CLASSES) if table else None
    if cells is None or not cells.names or not cells.classes:
        return ""
    shares = [
        [cells.share(i, k) for k in range(len(cells.classes))] for i in range(len(cells.names))
    ]

    def written(i: int, k: int) -> str:
        if shares[i][k] is not None:
            return f"{shares[i][k]:.0%}"
        return f"{cells.agreed[i][k]}/{cells.answers[i][k]}" if cells.answers[i][k] else ""

    hidden = [f"{cells.hidden_annotators} more annotators"] * bool(cells.hidden_annotators)
    hidden += [f"{cells.hidden_classes} more classes"] * bool(cells.hidden_classes)
    return heatmap(
        Heatmap(
            cells.names,
            cells.classes,
            shares,
            CIVIDIS,
            (0.0, 1.0),
            written if len(cells.classes) <= MAX_CELL_TEXT_CLASSES else None,
        ),
        title="Agreement with the consensus per class"
        + (f" (not shown: {', '.join(hidden)})" if hidden else ""),
        axes=("consensus class", "annotator"),
        how="a row per annotator, a column per consensus class; a cell is the share of the "
        "annotator's answers on items of that class that match the consensus (dark = often "
        f"otherwise); grey: fewer than {cells.min_answers} answers (agreed/answers written in), "
        "too few to judge.",
        scale="agreement",
    )


def annotator_ranking(report: Report) -> str:
    """Annotator quality (CROWDLAB, or Dawid-Skene's estimated accuracy), the worst 30."""
    if not report.annotators:
        return ""
    judged = [e for e in report.annotators if e["quality"] is not None]
    entries = judged[:MAX_ANNOTATORS][::-1]
    model = "Dawid-Skene accuracy" if _model(report).startswith("dawid-skene") else "CROWDLAB"
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
    series = []
    for marked, colour, name, size in (
        (False, "#8fa3b8", "other rows", 4),
        (True, "#d62728", "flagged", 6),
    ):
        chosen = [
            (points["predicted"][i], points["given"][i])
            for i, flagged in enumerate(points["flagged"])
            if flagged == marked
        ]
        series.append((f"{name} ({len(chosen):,})", chosen, colour, size))
    return scatter(
        series,
        title="Given vs predicted values",
        axes=("predicted (out of fold)", "given"),
        how="each dot is a row, at its out-of-fold prediction (across) and its given value (up); "
        "rows far from the diagonal disagree with the model, red ones are flagged.",
    )


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
    return bar_chart(names, [(xlabel, values, colour)], title=title, axis=xlabel, how=how, high=1.0)


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
