"""How far several reviewers agree: the annotators' figures (alpha, kappas, agreement, the
class pairs they split on), measured on the labels their decisions leave.

A team reads the pairs to see where its labelling guideline is unclear.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from databugs.annotators.agreement import MISSING, agreement_figures
from databugs.annotators.consensus import disputed_pairs
from databugs.data.guard import writing
from databugs.data.write import write_bytes_atomically
from databugs.text import count, one_line


def reviewer_agreement(lines: pd.DataFrame, reviewers: list[str]) -> dict[str, Any] | None:
    """The figures for two or more reviewers (None for one); ``lines`` as read by
    :func:`databugs.corrections.decisions.plan_from_decision_files` (one per reviewer and row,
    with its ``outcome``)."""
    if len(reviewers) < 2:
        return None
    labels = sorted(set(lines["outcome"]))
    rows = sorted(set(lines["row"]))
    matrix = np.full((len(rows), len(reviewers)), MISSING)
    at_row, at_label = _positions(rows), _positions(labels)
    at_reviewer = _positions(reviewers)
    for line in lines.itertuples(index=False):
        matrix[at_row[line.row], at_reviewer[line.reviewer]] = at_label[line.outcome]
    figures = _no_nan(agreement_figures(matrix, reviewers, len(labels)))
    pairs = disputed_pairs(matrix, labels)
    for pair in pairs:
        pair["examples"] = [int(rows[item]) for item in pair["examples"]]
    shared = int(((matrix != MISSING).sum(axis=1) >= 2).sum())
    return {"reviewers": reviewers, "rows_decided_by_two_or_more": shared, **figures} | {
        "class_pairs": pairs
    }


def _positions(values: list[Any]) -> dict[Any, int]:
    return {value: index for index, value in enumerate(values)}


def _no_nan(figures: dict[str, Any]) -> dict[str, Any]:
    """NaN (no row two reviewers decided) as None: JSON has no NaN."""
    return {
        key: None if isinstance(value, float) and math.isnan(value) else value
        for key, value in figures.items()
    }


def agreement_text(figures: dict[str, Any]) -> str:
    """The figures in one line, for the terminal."""
    shown = ", ".join(one_line(name) for name in figures["reviewers"])
    both = count(figures["rows_decided_by_two_or_more"], "row")
    if figures["krippendorff_alpha"] is None:
        return f"reviewers {shown}: no row was decided by two of them"
    text = (
        f"reviewers {shown} agree on {figures['percent']:.0%} of {both} decided by two or more "
        f"(Krippendorff's alpha {figures['krippendorff_alpha']:.3f}, "
        f"Fleiss' kappa {figures['fleiss_kappa']:.3f})"
    )
    split = [
        f"{one_line(p['classes'][0])} / {one_line(p['classes'][1])} ({count(p['items'], 'row')})"
        for p in figures["class_pairs"]
    ]
    return text + (f"; they split on {', '.join(split)}" if split else "")


def agreement_path(target: Path, data: Path) -> Path:
    """Where the figures go: beside the corrected data, named after the data."""
    return target.parent / f"{data.name}.reviewer-agreement.json"


def write_agreement(path: Path, figures: dict[str, Any]) -> None:
    text = json.dumps(figures, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    with writing(path):
        write_bytes_atomically(path, text.encode("utf-8"))
