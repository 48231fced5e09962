"""Evidence in words: what the rows most like a flagged row are labelled, as one sentence.

The same sentence is shown by ``databugs review`` and report.html (put in the page data by
``render.page_views``), from report.json's ``neighbours``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from databugs.text import shown_label


def neighbours_by_row(neighbours: list[dict[str, Any]] | None) -> dict[int, dict[str, Any]]:
    """report.json's ``neighbours`` keyed by the flagged row."""
    return {entry["row"]: entry for entry in neighbours or []}


def neighbour_sentence(entry: dict[str, Any], given: Any, suggested: Any) -> str:
    """ "4 of the 5 most similar rows are labelled 'ham' (the suggested label), 1 'spam' (the
    given label)": the labels of a row's nearest labelled rows, commonest first.

    >>> neighbour_sentence({"labels": ["ham", "ham", "x"]}, "spam", "ham")
    "2 of the 3 most similar rows are labelled 'ham' (the suggested label), 1 'x'"
    """
    labels = [str(label) for label in entry["labels"]]
    if not labels:
        return "no labelled row is similar enough to compare"
    roles = {str(given): "the given label", str(suggested): "the suggested label"}
    counted = sorted(Counter(labels).items(), key=lambda item: (-item[1], labels.index(item[0])))
    parts = []
    for label, number in counted:
        role = f" ({roles[label]})" if label in roles else ""
        parts.append(f"{number} {shown_label(label)!r}{role}")
    first, *others = parts
    head = first.split(" ", 1)
    sentence = f"{head[0]} of the {len(labels)} most similar rows are labelled {head[1]}"
    return ", ".join([sentence, *others])
