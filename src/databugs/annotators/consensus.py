"""The best label per item and each annotator's quality, from CROWDLAB (cleanlab).

CROWDLAB weighs the annotators' agreement with the model's out-of-fold probabilities, so it
needs a fitted scan; per-annotator confusions and the class pairs annotators split on come
from the labels alone.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from databugs.annotators.agreement import MISSING, agreement_figures
from databugs.errors import DatabugsError, ErrorCode

MIN_ROWS_FOR_CONFUSION = 5
"""An annotator's confusion of class X is only named when they labelled X rows this often."""


@dataclass
class AnnotatorAnalysis:
    """Everything the report says about annotators, computed once per scan."""

    names: list[str]
    matrix: np.ndarray
    consensus: np.ndarray
    consensus_quality: np.ndarray
    agreement_per_item: np.ndarray
    annotators: list[dict[str, Any]]
    agreement: dict[str, Any]
    confusions: np.ndarray
    """Annotators x classes (consensus) x classes (given): label counts."""
    class_pairs: list[dict[str, Any]] = field(default_factory=list)
    annotation_counts: np.ndarray | None = None
    """Labels given to each item (every item, not only the labelled ones)."""


def analyse(
    every_item: np.ndarray,
    labelled: np.ndarray,
    names: list[str],
    classes: list[str],
    probabilities: np.ndarray,
) -> AnnotatorAnalysis:
    """CROWDLAB consensus and annotator quality, agreement figures, per-annotator confusions.

    Agreement is measured on ``every_item`` (items x annotators); consensus needs the model's
    out-of-fold ``probabilities``, which exist for the ``labelled`` items only, so the
    per-row and per-annotator parts are aligned with those.
    """
    matrix = every_item[labelled]
    annotated = (matrix != MISSING).any(axis=1)  # rows no annotator labelled get no consensus
    per_item, stats = _crowdlab(matrix, annotated, names, probabilities)
    consensus = np.full(len(matrix), MISSING)
    consensus[annotated] = per_item["consensus_label"].to_numpy(dtype=int)
    consensus_quality = np.full(len(matrix), np.nan)
    consensus_quality[annotated] = per_item["consensus_quality_score"].to_numpy(dtype=float)
    agreement_per_item = np.full(len(matrix), np.nan)
    agreement_per_item[annotated] = per_item["annotator_agreement"].to_numpy(dtype=float)
    confusions = np.zeros((len(names), len(classes), len(classes)), dtype=int)
    for annotator, column in enumerate(matrix.T):
        present = column != MISSING
        np.add.at(confusions[annotator], (consensus[present], column[present]), 1)
    table = [
        {
            "name": name,
            "rows": int((every_item[:, index] != MISSING).sum()),
            "agreement": _stat(stats, name, "agreement_with_consensus"),
            "quality": _stat(stats, name, "annotator_quality"),
            "worst_confusion": _worst_confusion(confusions[index], classes),
        }
        for index, name in enumerate(names)
    ]
    # worst first; an annotator who labelled no labelled row has no quality and comes last
    table.sort(key=lambda entry: (entry["quality"] is None, entry["quality"] or 0, entry["name"]))
    return AnnotatorAnalysis(
        names=names,
        matrix=matrix,
        consensus=consensus,
        consensus_quality=consensus_quality,
        agreement_per_item=agreement_per_item,
        annotators=table,
        agreement=agreement_figures(every_item, names, len(classes)),
        confusions=confusions,
        class_pairs=disputed_pairs(every_item, classes),
        annotation_counts=(every_item != MISSING).sum(axis=1),
    )


def _crowdlab(
    matrix: np.ndarray, annotated: np.ndarray, names: list[str], probabilities: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """CROWDLAB's per-item results and per-annotator statistics for the annotated rows."""
    from cleanlab.multiannotator import get_label_quality_multiannotator

    present = [i for i in range(len(names)) if (matrix[:, i] != MISSING).any()]
    if not ((matrix[annotated] != MISSING).sum(axis=1) >= 2).any():
        raise DatabugsError(
            "no labelled row was labelled by two annotators: there is no consensus to find",
            code=ErrorCode.BAD_LABEL,
        )
    labels = pd.DataFrame(
        np.where(matrix[annotated] == MISSING, np.nan, matrix[annotated])[:, present],
        columns=[names[i] for i in present],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cleanlab's notes on annotators with few labels
        result = get_label_quality_multiannotator(
            labels, probabilities[annotated], verbose=False, return_detailed_quality=False
        )
    return result["label_quality"], result["annotator_stats"]


def _stat(stats: pd.DataFrame, name: str, column: str) -> float | None:
    """One of CROWDLAB's per-annotator figures (None for one it could not judge)."""
    return round(float(stats.loc[name, column]), 6) if name in stats.index else None


def _worst_confusion(confusion: np.ndarray, classes: list[str]) -> dict[str, Any] | None:
    """The class this annotator most often labels as another: "labels X as Y in 40% of X"."""
    totals = confusion.sum(axis=1)
    off = confusion.astype(float)
    np.fill_diagonal(off, 0)
    shares = np.divide(off, totals[:, None], out=np.zeros_like(off), where=totals[:, None] > 0)
    shares[totals < MIN_ROWS_FOR_CONFUSION] = 0
    given, chosen = np.unravel_index(np.argmax(shares), shares.shape)
    if shares[given, chosen] == 0:
        return None
    return {
        "label": classes[given],
        "as": classes[chosen],
        "share": round(float(shares[given, chosen]), 6),
        "rows": int(totals[given]),
    }


def disputed_pairs(matrix: np.ndarray, classes: list[str], top: int = 5) -> list[dict]:
    """Class pairs annotators split on most: where a guideline needs a sentence."""
    disputes: dict[tuple[int, int], list[int]] = {}
    for item, row in enumerate(matrix):
        given = sorted(set(row[row != MISSING].tolist()))
        for pair in itertools.combinations(given, 2):
            disputes.setdefault(pair, []).append(item)
    ranked = sorted(disputes.items(), key=lambda entry: (-len(entry[1]), entry[0]))[:top]
    return [
        {"classes": [classes[a], classes[b]], "items": len(items), "examples": items[:5]}
        for (a, b), items in ranked
    ]
