"""What the expert should do next: per class, how much its rules cover and how often they are
right on the labelled rows; the classes with no or weak rules; the unlabelled rows most worth
labelling (or writing a rule for): rows whose rules disagree, and rows no rule covers where
the end model is unsure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from databugs.text import one_line
from databugs.weak.label_model import ABSTAIN

WEAK_RECALL = 0.2
"""A class whose rules fire on fewer of its labelled rows than this is weakly covered."""
WEAK_PRECISION = 0.5
MIN_CHECKED = 3
ROWS_TO_LABEL = 10
SNIPPET = 80


def analyse(
    votes: np.ndarray,
    gold: np.ndarray,
    final: np.ndarray,
    classes: list[str],
    ids: list[str | None],
    texts: list[str],
) -> dict[str, Any]:
    """``classes``: per class coverage and accuracy; ``weak_classes``; ``rows_to_label``."""
    per_class = [_class_entry(votes, gold, c, name) for c, name in enumerate(classes)]
    weak = [entry for entry in per_class if entry["problem"]]
    return {
        "classes": per_class,
        "weak_classes": [{"class": e["class"], "problem": e["problem"]} for e in weak],
        "rows_to_label": _rows_to_label(votes, gold, final, classes, ids, texts),
    }


def _class_entry(votes: np.ndarray, gold: np.ndarray, index: int, name: str) -> dict[str, Any]:
    mine = votes == index
    rules = np.flatnonzero(mine.any(axis=0))
    fires = mine.any(axis=1)
    labelled = gold != ABSTAIN
    checked = int((fires & labelled).sum())
    right = int((fires & (gold == index)).sum())
    members = int((gold == index).sum())
    found = int((fires & (gold == index)).sum())
    precision = right / checked if checked else None
    recall = found / members if members else None
    entry = {
        "class": name,
        "rules": len(rules),
        "coverage": round(float(fires.mean()), 6),
        "labelled_rows_voted": checked,
        "accuracy": None if precision is None else round(precision, 6),
        "labelled_rows_of_class": members,
        "recall": None if recall is None else round(recall, 6),
    }
    entry["problem"] = _problem(entry)
    return entry


def _problem(entry: dict[str, Any]) -> str | None:
    if entry["rules"] == 0:
        return "no rule votes it"
    if entry["labelled_rows_voted"] >= MIN_CHECKED and entry["accuracy"] < WEAK_PRECISION:
        return f"its rules are right on {entry['accuracy']:.0%} of the labelled rows they vote"
    if entry["labelled_rows_of_class"] >= MIN_CHECKED and entry["recall"] < WEAK_RECALL:
        return f"its rules fire on {entry['recall']:.0%} of its labelled rows"
    return None


def _rows_to_label(
    votes: np.ndarray,
    gold: np.ndarray,
    final: np.ndarray,
    classes: list[str],
    ids: list[str | None],
    texts: list[str],
) -> list[dict[str, Any]]:
    """Unlabelled rows whose rules conflict or that no rule covers, least certain first."""
    voted = votes != ABSTAIN
    classes_voted = np.array([len(set(row[row != ABSTAIN])) for row in votes])
    conflict = classes_voted > 1
    uncovered = ~voted.any(axis=1)
    candidates = np.flatnonzero((gold == ABSTAIN) & (conflict | uncovered))
    confidence = final.max(axis=1)
    ranked = candidates[np.lexsort((candidates, confidence[candidates]))][:ROWS_TO_LABEL]
    return [
        {
            "row": int(row),
            "id": ids[row],
            "why": "rules disagree" if conflict[row] else "no rule fires",
            "guess": classes[int(final[row].argmax())],
            "confidence": round(float(confidence[row]), 6),
            "text": one_line(texts[row], limit=SNIPPET),
        }
        for row in ranked
    ]


def text_of(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """What a person reads to label a row: its text columns, or all its cells."""
    shown = list(columns) or list(frame.columns)
    cells = frame[shown].astype("string").fillna("")
    return [" | ".join(row) for row in cells.itertuples(index=False, name=None)]
